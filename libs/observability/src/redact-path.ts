import { redactPii } from './redact-pii';

/** What a path segment of ours looks like: route words, mailbox ids, tracking numbers. */
const PLAIN_SEGMENT = /^[A-Za-z0-9._~-]{0,64}$/;

/**
 * A request path as logs may show it. Senders put anything in a path, percent-encoded
 * (`/mailbox/%2B86%20139…`, `…%40example.com`, a name as `%E6%AC%A7…`): each segment is decoded
 * first, then one that is not plain ASCII route text is masked whole (names cannot be recognised
 * by pattern), and what remains passes the PII patterns. The query string is never logged.
 */
export function redactPath(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return path
    .split('/')
    .map((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment).normalize('NFKC');
      } catch {
        return '[redacted]';
      }
      return PLAIN_SEGMENT.test(decoded) ? redactPii(decoded) : '[redacted]';
    })
    .join('/');
}
