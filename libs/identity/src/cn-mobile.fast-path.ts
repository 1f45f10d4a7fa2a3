import metadata from 'libphonenumber-js/metadata.max.json';

/**
 * Exact shortcut for the commonest input of `toE164`: a mainland China mobile number, written
 * national in region CN or with "+86" in any region ("13912345678", "+86 139 1234 5678",
 * "139-1234-5678"). libphonenumber-js rebuilds every regex it tests on every call (~10 µs a
 * number); this tests the same metadata regexes, compiled once (well under 1 µs).
 *
 * Why the answer is the one libphonenumber-js/max gives (read in the source of 1.13.16; the
 * spec compares both over every 5-digit prefix):
 * - The shape below holds only ASCII digits, one leading "+86" and single spaces or dashes, so
 *   extraction, extension stripping and RFC 3966 handling leave the digits as they are.
 * - "+86": calling codes are read one digit longer at a time, and "8" is none, so the code is 86,
 *   which belongs to CN alone. The region is then unused (an unknown one is dropped), so it does
 *   not matter.
 * - National in CN: the international prefix (IDD) and the national prefix for parsing
 *   (`(1(?:[12]\d|79)\d\d)|0`, carrier codes) cannot match a number starting 13-16, 170-178
 *   or 18-19, so the 11 digits are the national number. 179 is a carrier-code prefix: such
 *   numbers take the slow path rather than rely on how libphonenumber decides to keep or strip it.
 * - isValid() is then: the general pattern matches, and so does the pattern of some number type
 *   whose possible lengths (or, if it lists none, the general ones) include the length.
 * Those prefix and IDD patterns are checked at load, with the metadata layout: if an update
 * changes them, the fast path turns itself off and every input takes the library path.
 */

/** After NFKC and trim: optional "+86", then 11 digits split 3-4-4 by one kind of separator. */
const SHAPE = /^(\+86[ -]?)?(1(?:[3-689]\d|7[0-8]))([ -]?)(\d{4})\3(\d{4})$/;

/** What the reasoning above was checked against (metadata version 4 layout). */
const EXPECTED = {
  callingCode: '86',
  iddPrefix: '00|1(?:[12]\\d|79)\\d\\d00',
  nationalPrefix: '0',
  nationalPrefixForParsing: '(1(?:[12]\\d|79)\\d\\d)|0',
};

interface Matcher {
  general: RegExp;
  /** One per number type that admits 11-digit numbers (length checked at load). */
  types: RegExp[];
}

const NUMBER_LENGTH = 11;

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => typeof n === 'number');
}

function whole(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** The CN validity regexes, or undefined when the metadata is not what the reasoning assumed. */
export function compileCnMatcher(json: unknown): Matcher | undefined {
  try {
    const root = json as {
      version?: unknown;
      country_calling_codes?: Record<string, unknown>;
      countries?: Record<string, unknown>;
      nonGeographic?: Record<string, unknown>;
    };
    if (root.version !== 4) return undefined;
    const codes = root.country_calling_codes;
    const only86 = codes?.[EXPECTED.callingCode];
    if (!Array.isArray(only86) || only86.length !== 1 || only86[0] !== 'CN') return undefined;
    if (codes?.['8'] !== undefined || root.nonGeographic?.['8'] !== undefined) return undefined;
    const cn = root.countries?.['CN'];
    if (!Array.isArray(cn)) return undefined;
    const [callingCode, idd, general, lengths] = cn as unknown[];
    const [nationalPrefix, , forParsing, transformRule, , , types] = cn.slice(5) as unknown[];
    if (callingCode !== EXPECTED.callingCode || idd !== EXPECTED.iddPrefix) return undefined;
    if (nationalPrefix !== EXPECTED.nationalPrefix) return undefined;
    if (forParsing !== EXPECTED.nationalPrefixForParsing || transformRule) return undefined;
    if (typeof general !== 'string' || !isNumberArray(lengths)) return undefined;
    if (!Array.isArray(types) || types.length === 0) return undefined;
    const typeRegexes: RegExp[] = [];
    // isValid() looks at types 0-9 (fixed line, mobile, toll free, ...) and nothing else.
    for (const type of (types as unknown[]).slice(0, 10)) {
      if (!type) continue; // absent type (0): never matches
      if (!Array.isArray(type)) return undefined;
      const [pattern, own] = type as unknown[];
      if (typeof pattern !== 'string') return undefined;
      if (pattern === '') continue; // empty pattern: never matches
      const typeLengths: unknown = own || lengths;
      if (!isNumberArray(typeLengths)) return undefined;
      if (typeLengths.includes(NUMBER_LENGTH)) typeRegexes.push(whole(pattern));
    }
    return { general: whole(general), types: typeRegexes };
  } catch {
    return undefined; // a pattern this engine cannot compile: leave it to the library
  }
}

const matcher = compileCnMatcher(metadata);

/** Whether the metadata passed the load checks (the spec asserts it does today). */
export function cnFastPathEnabled(): boolean {
  return matcher !== undefined;
}

/**
 * E.164 form or null (invalid) when `cleaned` (already NFKC-normalised and trimmed) has the
 * shape above; undefined when it does not, or the fast path is off: ask libphonenumber.
 */
export function cnMobileE164(cleaned: string, defaultRegion: string): string | null | undefined {
  if (matcher === undefined) return undefined;
  const m = SHAPE.exec(cleaned);
  if (m === null) return undefined;
  if (m[1] === undefined && defaultRegion !== 'CN') return undefined;
  const national = `${m[2]}${m[4]}${m[5]}`;
  if (!matcher.general.test(national)) return null;
  for (const type of matcher.types) if (type.test(national)) return `+86${national}`;
  return null;
}
