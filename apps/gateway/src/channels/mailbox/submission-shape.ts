import { ChannelRequestError } from '../../http/channel-errors';
import { MAX_CONTENT_CHARS } from './mailbox-submission.dto';

/**
 * The most top-level fields a submission may carry. The form has 11 (FIELD_ORDER); a few more
 * still get the usual 400 listing each unknown field, beyond that one `too-many-fields` answer.
 * class-transformer's cost grows faster than linearly with unknown keys (measured: 1,000 keys
 * 13 ms, 10,000 keys 317 ms, 100,000 keys ~10 s on one request), so the count is checked first.
 */
export const MAX_FIELDS = 16;

/**
 * The most values (objects, arrays, scalars) walked in one body. A letter has ~11 scalars plus
 * a handful of attachment objects of 5 keys each; anything beyond is not a letter.
 */
export const MAX_NODES = 512;

/** Longest field name echoed back in an error (a JSON key can be a megabyte long). */
const MAX_NAME_CHARS = 64;

/** Keys that pollute prototypes when an object is merged into another; refused wherever they are. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Longest value (after trimming) each field can hold and still be valid. Longer values are cut to
 * one character past the limit (fields with a length rule: they fail it with their own code), or
 * replaced by `{}` (fields whose type check then fails), so no check ever runs on a megabyte.
 */
const FIELD_CAPS: Record<string, { chars: number; lengthRule: boolean }> = {
  mailbox: { chars: 64, lengthRule: false },
  name: { chars: 50, lengthRule: true },
  phone: { chars: 40, lengthRule: false },
  idNumber: { chars: 32, lengthRule: false },
  email: { chars: 254, lengthRule: true },
  address: { chars: 200, lengthRule: true },
  title: { chars: 100, lengthRule: true },
  content: { chars: MAX_CONTENT_CHARS, lengthRule: true },
  agreePublic: { chars: 16, lengthRule: false },
  submissionId: { chars: 64, lengthRule: false },
};

/** A body refused as a whole before any field is looked at. */
export class SubmissionShapeError extends ChannelRequestError {}

/**
 * The body bounded before validation: at most MAX_FIELDS keys, no prototype keys anywhere, every
 * text field trimmed and capped, objects in text fields reduced to `{}` (their type check fails),
 * unknown fields kept (so they are listed) under a name of bounded length with no value.
 */
export interface ShapedSubmission {
  fields: Record<string, unknown>;
  /** Raw `attachments`, checked by the adapter (count, shape) against the mailbox's limits. */
  attachments: unknown;
}

/**
 * Pure and bounded: O(MAX_NODES) work whatever the body (a body-sized string, 100k keys, a deep
 * array). Throws SubmissionShapeError: 415 `invalid-body` (not an object), 400 `too-many-fields`,
 * 400 `forbidden-field-name`.
 */
export function shapeSubmission(body: unknown): ShapedSubmission {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw new SubmissionShapeError('invalid-body', 'expected a JSON object or a form', 415);
  }
  const keys = Object.keys(body);
  if (keys.length > MAX_FIELDS) throw tooManyFields();
  walk(body);
  const source = body as Record<string, unknown>;
  // Only keys we chose are written, and none of them can be `__proto__` (refused by walk()).
  const fields: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === 'attachments') continue;
    const cap = FIELD_CAPS[key];
    if (!cap) {
      fields[boundedName(key)] = null;
      continue;
    }
    fields[key] = capValue(source[key], cap);
  }
  return { fields, attachments: source.attachments };
}

function capValue(raw: unknown, cap: { chars: number; lengthRule: boolean }): unknown {
  if (typeof raw === 'object' && raw !== null) return {};
  if (typeof raw !== 'string') return raw;
  const value = raw.trim();
  if (value.length <= cap.chars) return value;
  return cap.lengthRule ? value.slice(0, cap.chars + 1) : {};
}

function boundedName(key: string): string {
  return key.length > MAX_NAME_CHARS ? `${key.slice(0, MAX_NAME_CHARS)}…` : key;
}

/** Counts values and finds prototype keys, iteratively, stopping at MAX_NODES. */
function walk(root: object): void {
  const stack: unknown[] = [root];
  let nodes = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (++nodes > MAX_NODES) throw tooManyFields();
    if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) continue;
    if (Array.isArray(v)) {
      if (v.length > MAX_NODES) throw tooManyFields();
      for (const item of v) stack.push(item);
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > MAX_NODES) throw tooManyFields();
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new SubmissionShapeError(
          'forbidden-field-name',
          `field name not allowed: ${boundedName(key)}`,
        );
      }
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
}

function tooManyFields(): SubmissionShapeError {
  return new SubmissionShapeError(
    'too-many-fields',
    `a letter has at most ${MAX_FIELDS} fields and ${MAX_NODES} values`,
  );
}
