import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { MailboxConfig } from '@app/config';
import { ChannelRequestError } from '../../http/channel-errors';
import { fastifyErrorResponse } from '../../http/fastify-error.handler';
import { MAX_CONTENT_CHARS } from './mailbox-submission.dto';
import { MAX_FIELDS } from './submission-shape';

/** What one multipart post may bring: files, bytes per file, and bytes in all. */
export interface MultipartBudget {
  maxFiles: number;
  maxBytes: number;
  /** Every byte of the body, part headers and text fields included. */
  totalBytes: number;
}

/**
 * A field's bytes: the longest content (MAX_CONTENT_CHARS of up to 4 UTF-8 bytes each) and one
 * more, so a value cut at this size is always longer than any field may be and fails its check.
 */
const FIELD_BYTES = MAX_CONTENT_CHARS * 4 + 4;

/**
 * A mailbox's files at their largest, plus the body limit for the text fields and framing. One
 * file more than allowed still fits the text allowance only if it is small: "too many" is then
 * reported by field, a large one is refused by size.
 */
export function budgetOf(mailbox: MailboxConfig, bodyLimit: number): MultipartBudget {
  const { maxFiles, maxBytes } = mailbox.attachments;
  return { maxFiles, maxBytes, totalBytes: maxFiles * maxBytes + bodyLimit };
}

/** For the website API, whose mailbox is a field: the largest budget of any mailbox. */
export function largestBudget(
  mailboxes: Iterable<MailboxConfig>,
  bodyLimit: number,
): MultipartBudget {
  const all = [...mailboxes].map((m) => budgetOf(m, bodyLimit));
  return {
    maxFiles: Math.max(0, ...all.map((b) => b.maxFiles)),
    maxBytes: Math.max(1, ...all.map((b) => b.maxBytes)),
    totalBytes: Math.max(bodyLimit, ...all.map((b) => b.totalBytes)),
  };
}

export class PayloadTooLargeError extends ChannelRequestError {
  constructor(message: string) {
    super('payload-too-large', message, 413);
  }
}

/**
 * Reads a multipart form into `{ ...fields, attachments: [{ filename, contentType, data }] }`
 * without ever holding more than the budget: a Content-Length over it is refused before a byte
 * is read; the body (chunked too) is counted as it arrives and reading stops at the budget; a
 * file past the per-file size or the file count stops it too. Once a `mailbox` field names a
 * mailbox (`budgetFor`), its own, smaller budget applies to the rest of the body.
 *
 * Throws ChannelRequestError: 413 `payload-too-large`; 400 `too-many-fields`,
 * `forbidden-field-name`, `invalid-multipart`. After a throw the body is left unread: the caller
 * must close the connection rather than drain it.
 */
export async function readMultipart(
  req: FastifyRequest,
  initial: MultipartBudget,
  budgetFor: (mailboxId: string) => MultipartBudget | undefined = () => undefined,
): Promise<Record<string, unknown>> {
  let budget = initial;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > budget.totalBytes) throw tooLarge(budget);

  const parts = req.parts({
    limits: {
      // One file more than allowed, so "too many" can be reported rather than silently dropped.
      files: budget.maxFiles + 1,
      fileSize: budget.maxBytes,
      fields: MAX_FIELDS,
      fieldSize: FIELD_BYTES,
      parts: budget.maxFiles + 1 + MAX_FIELDS,
      headerPairs: 16,
    },
  });
  const iterator = parts[Symbol.asyncIterator]();
  let currentFile: MultipartFile['file'] | null = null;
  let received = 0;
  let failOverBudget: (error: Error) => void = () => undefined;
  const overBudget = new Promise<never>((_, reject) => (failOverBudget = reject));
  overBudget.catch(() => undefined);
  const raw = req.raw;
  // Nothing more goes to the parser; the socket stays paused until the answer closes it.
  const stopReading = (): void => {
    raw.off('data', count);
    raw.unpipe();
    raw.pause();
  };
  const count = (chunk: Buffer): void => {
    received += chunk.length;
    if (received <= budget.totalBytes) return;
    stopReading();
    const error = tooLarge(budget);
    currentFile?.destroy(error);
    failOverBudget(error);
  };

  const fields: Record<string, unknown> = {};
  const attachments: Record<string, unknown>[] = [];
  try {
    // The first next() pipes the request into the parser, synchronously: counting starts with it.
    let pending = iterator.next();
    raw.on('data', count);
    for (;;) {
      const step = await Promise.race([pending, overBudget]);
      if (step.done) break;
      const part: Multipart = step.value;
      if (part.type === 'file') {
        currentFile = part.file;
        const file = await readFile(part, budget);
        currentFile = null;
        if (file) attachments.push(file);
        if (attachments.length > budget.maxFiles + 1) throw tooLarge(budget);
      } else {
        if (FORBIDDEN.has(part.fieldname)) {
          throw new ChannelRequestError('forbidden-field-name', 'field name not allowed');
        }
        const previous = fields[part.fieldname];
        fields[part.fieldname] =
          previous === undefined ? part.value : ([] as unknown[]).concat(previous, part.value);
        if (
          part.fieldname === 'mailbox' &&
          previous === undefined &&
          typeof part.value === 'string'
        ) {
          budget = budgetFor(part.value) ?? budget;
          if (received > budget.totalBytes) throw tooLarge(budget);
        }
      }
      pending = iterator.next();
    }
  } catch (error) {
    stopReading();
    throw multipartError(error);
  } finally {
    raw.off('data', count);
  }
  if (attachments.length > 0) fields.attachments = attachments;
  return fields;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A file's bytes within the budget's size, or null for a file input left empty. */
async function readFile(
  part: MultipartFile,
  budget: MultipartBudget,
): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > budget.maxBytes || part.file.truncated) {
      part.file.destroy();
      throw new PayloadTooLargeError(`an attachment is larger than ${budget.maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  if (part.file.truncated) {
    throw new PayloadTooLargeError(`an attachment is larger than ${budget.maxBytes} bytes`);
  }
  const data = Buffer.concat(chunks);
  // A file input left empty still sends a part, without name or bytes.
  if (!part.filename && data.length === 0) return null;
  return { filename: part.filename, contentType: part.mimetype, data };
}

function tooLarge(budget: MultipartBudget): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `a multipart body to this mailbox is at most ${budget.totalBytes} bytes`,
  );
}

/**
 * What reading a multipart body can throw, as a client error: ours as they are; the multipart
 * plugin's own errors (limits, prototype field names) keep their status and get our code; the
 * parser's (a missing boundary, a truncated part) carry no status and are the sender's malformed
 * body, not a 500.
 */
function multipartError(error: unknown): ChannelRequestError {
  if (error instanceof ChannelRequestError) return error;
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (e.code === 'FST_FIELDS_LIMIT') {
    return new ChannelRequestError('too-many-fields', `a letter has at most ${MAX_FIELDS} fields`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const { body } = fastifyErrorResponse(e as Parameters<typeof fastifyErrorResponse>[0]);
    return new ChannelRequestError(
      body.error.code,
      body.error.message,
      e.statusCode === 413 ? 413 : 400,
    );
  }
  return new ChannelRequestError(
    'invalid-multipart',
    `malformed multipart body: ${typeof e.message === 'string' ? e.message : 'unreadable'}`,
  );
}
