import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * E.164 form of a phone number as a citizen or a provider wrote it ("138 0013 8000",
 * "+86 138-0013-8000", "023-6388 1234"), or null when it is not a valid number.
 * National numbers are read in `defaultRegion` (mainland China unless configured otherwise).
 */
export function toE164(
  raw: string | null | undefined,
  defaultRegion: CountryCode = 'CN',
): string | null {
  if (!raw) return null;
  const cleaned = raw.normalize('NFKC').trim();
  if (cleaned.length === 0 || cleaned.length > 32) return null;
  const parsed = parsePhoneNumberFromString(cleaned, defaultRegion);
  return parsed?.isValid() ? parsed.number : null;
}
