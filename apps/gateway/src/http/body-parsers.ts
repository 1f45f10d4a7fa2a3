import { parse as parseQueryString } from 'fast-querystring';

/**
 * The gateway's own JSON and form parsers, replacing the framework's. Every body is hostile: the
 * work a parse can cause is bounded before anything walks the result (a body with 100k keys froze
 * the event loop for seconds downstream), integers beyond 2^53 keep every digit (two message ids
 * must never collapse into one), and prototype-polluting keys stay plain own properties so the one
 * item carrying them is refused by its adapter instead of failing its whole batch.
 */
export interface BodyLimits {
  /** Deepest nesting of objects and arrays. Our own formats need 5; stack-bound code needs a bound. */
  maxDepth: number;
  /** Most keys in one JSON object: no format of ours has more than a few dozen fields. */
  maxKeysPerObject: number;
  /**
   * Most values (array elements and object members) in one JSON body: a full board push (100
   * posts × 100 replies) has ~60k; a megabyte of `[1,1,1,…]` has 500k, each of them work later.
   */
  maxValues: number;
  /**
   * Most integers beyond 2^53 (kept as strings, each a copy): ids of a full batch need 500; a
   * megabyte of them would cost more than the event loop can give one request.
   */
  maxBigIntegers: number;
  /** Most fields in one form body (Twilio sends ~20-40, our mailbox form 11). */
  maxFormFields: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxDepth: 32,
  maxKeysPerObject: 1000,
  maxValues: 100_000,
  maxBigIntegers: 1000,
  maxFormFields: 256,
};

/** A body refused while parsing: a 400 with our machine-readable code (see fastifyErrorResponse). */
export class BodyParseError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyParseError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER); // 16 digits

/**
 * Parses JSON within `limits`. One linear scan first (depth, keys per object, values, integer
 * literals too large for a double), then V8's JSON.parse on the text with those integers quoted.
 */
export function parseJsonBody(text: string, limits: BodyLimits = DEFAULT_BODY_LIMITS): unknown {
  // Keys seen in each open object or array; its length is the current depth.
  const keyCounts: number[] = [];
  let values = 0;
  let bigIntegers: string[] | null = null;
  let copiedTo = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if (c === COMMA || c === COLON) {
      if (++values > limits.maxValues) {
        throw new BodyParseError(
          'too-many-values',
          `JSON has more than ${limits.maxValues} values`,
        );
      }
      if (c === COLON && ++keyCounts[keyCounts.length - 1]! > limits.maxKeysPerObject) {
        throw new BodyParseError(
          'too-many-keys',
          `a JSON object has more than ${limits.maxKeysPerObject} keys`,
        );
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (keyCounts.length >= limits.maxDepth) {
        throw new BodyParseError('json-too-deep', `JSON nested deeper than ${limits.maxDepth}`);
      }
      keyCounts.push(0);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      keyCounts.pop();
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      let end = i + 1;
      while (end < n && isNumberChar(text.charCodeAt(end))) end++;
      if (end - i > 15 && isUnsafeInteger(text, i, end)) {
        bigIntegers ??= [];
        if (bigIntegers.length >= limits.maxBigIntegers * 4) {
          throw new BodyParseError(
            'too-many-large-numbers',
            `JSON has more than ${limits.maxBigIntegers} integers beyond 2^53`,
          );
        }
        bigIntegers.push(text.slice(copiedTo, i), '"', text.slice(i, end), '"');
        copiedTo = end;
      }
      i = end - 1;
    }
  }
  if (bigIntegers) bigIntegers.push(text.slice(copiedTo));
  try {
    return JSON.parse(bigIntegers ? bigIntegers.join('') : text);
  } catch (error) {
    throw new BodyParseError('invalid-json', (error as Error).message);
  }
}

/** Form fields as fast-querystring gives them (an object without prototype), within the field bound. */
export function parseFormBody(
  text: string,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
): Record<string, string | string[]> {
  let fields = 1;
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    if (++fields > limits.maxFormFields) {
      throw new BodyParseError(
        'too-many-fields',
        `a form body has more than ${limits.maxFormFields} fields`,
      );
    }
  }
  return parseQueryString(text) as Record<string, string | string[]>;
}

/** Index of the closing quote of the string opening at `start` (or the end, for JSON.parse to refuse). */
function endOfString(text: string, start: number): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return n;
}

function isNumberChar(c: number): boolean {
  // digits . e E + -
  return (
    (c >= DIGIT_0 && c <= DIGIT_9) ||
    c === 0x2e ||
    c === 0x65 ||
    c === 0x45 ||
    c === 0x2b ||
    c === MINUS
  );
}

/** An integer literal (no fraction, no exponent) whose value a double cannot hold exactly. */
/** An integer literal (no fraction, no exponent) beyond ±(2^53 - 1), decided on its digits. */
function isUnsafeInteger(text: string, start: number, end: number): boolean {
  const from = text.charCodeAt(start) === MINUS ? start + 1 : start;
  const digits = end - from;
  if (digits < 16 || text.charCodeAt(from) === DIGIT_0) return false;
  for (let k = from; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  return digits > 16 || text.slice(from, end) > MAX_SAFE;
}
