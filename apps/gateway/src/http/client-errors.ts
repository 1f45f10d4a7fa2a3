import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * What Node's HTTP parser refuses before Fastify or Nest see a request (a malformed request line,
 * headers too large, a request or its headers too slow): answered in our error format on the raw
 * socket, then closed. Fastify's default answered `{"error":"Bad Request","message":"Client Error"}`.
 */
const BY_NODE_CODE: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout'],
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'payload-too-large'],
};

export function rawErrorResponse(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Fastify's `clientErrorHandler`. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code] = BY_NODE_CODE[error.code ?? ''] ?? [400, 'malformed-request'];
  const message =
    status === 408 ? 'the request took too long to arrive' : 'the request could not be parsed';
  socket.end(rawErrorResponse(status, code, message));
}

/**
 * CONNECT never reaches a route: Node hands the socket to 'connect' listeners or, without one,
 * drops it without a word. We are not a proxy: 405, in our format.
 */
export function refuseConnect(server: Server): void {
  server.on('connect', (_req, socket: Duplex) => {
    socket.end(rawErrorResponse(405, 'method-not-allowed', 'CONNECT is not supported'));
  });
}
