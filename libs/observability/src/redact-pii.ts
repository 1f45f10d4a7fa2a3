/**
 * Last line of defence for logs: personal data must never be logged in the first place (we log
 * ids, counts and reasons, never bodies or petitioner fields), but an error message from a library
 * can quote input. These patterns mask what can be recognised: phone numbers, resident ID numbers,
 * e-mail addresses. Names cannot be recognised by pattern; that is why bodies are never logged.
 */
const PATTERNS: [RegExp, string][] = [
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [
    /(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9])/g,
    '[id-number]',
  ],
  [/(?<![0-9])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9])/g, '[phone]'],
  [/\+[1-9]\d{6,14}(?![0-9])/g, '[phone]'],
  [/(?<![0-9])0\d{2,3}-?\d{7,8}(?![0-9])/g, '[phone]'],
];

/** An Error whose message and stack pass {@link redactPii}; the original is left untouched. */
export function redactError(error: Error): Error {
  const copy = new Error(redactPii(error.message));
  copy.name = error.name;
  copy.stack = error.stack ? redactPii(error.stack) : undefined;
  return copy;
}

export function redactPii(text: string): string {
  let out = text;
  for (const [pattern, mask] of PATTERNS) out = out.replace(pattern, mask);
  return out;
}

/** Deep copy of a log object with every string passed through {@link redactPii}. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactPii(value.message),
      stack: value.stack ? redactPii(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}
