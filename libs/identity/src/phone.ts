import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { cnMobileE164 } from './cn-mobile.fast-path';

/**
 * Results of recent (region, raw) inputs. Parsing and validating with the full metadata costs
 * ~10 µs (most of it regexes libphonenumber rebuilds on every call; China mobile numbers take a
 * faster exact path, cn-mobile.fast-path.ts), and the same senders write again and again.
 * Bounded: when full, the oldest entry goes (insertion order), so memory stays a few hundred kB
 * whatever the traffic. Held in memory only, like the events it serves.
 */
export const PHONE_CACHE_SIZE = 2048;
/** Longer inputs (rare, mostly not numbers) are parsed uncached: no key holds a large string. */
const MAX_CACHED_LENGTH = 40;

/** Keyed by region and raw input ("CN|138 0013 8000"); a region code holds no "|". */
const cache = new Map<string, string | null>();
/**
 * The held keys in insertion order, as a ring: `next` is the oldest once full. Evicting through
 * it costs a tenth of `cache.keys().next()`, which walks past the holes deletions leave.
 */
const order: Array<string | undefined> = new Array<string | undefined>(PHONE_CACHE_SIZE);
let next = 0;

/** Entries currently held (for the spec: the cache stays bounded). */
export function phoneCacheSize(): number {
  return cache.size;
}

/** Empties the cache (for the spec: cold and warm results are compared). */
export function clearPhoneCache(): void {
  cache.clear();
  order.fill(undefined);
  next = 0;
}

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
  if (raw.length > MAX_CACHED_LENGTH) return parseE164(raw, defaultRegion);
  const key = `${defaultRegion}|${raw}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = parseE164(raw, defaultRegion);
  const oldest = order[next];
  if (oldest !== undefined) cache.delete(oldest);
  order[next] = key;
  next = (next + 1) % PHONE_CACHE_SIZE;
  cache.set(key, result);
  return result;
}

function parseE164(raw: string, defaultRegion: CountryCode): string | null {
  const cleaned = raw.normalize('NFKC').trim();
  if (cleaned.length === 0 || cleaned.length > 32) return null;
  const fast = cnMobileE164(cleaned, defaultRegion);
  return fast !== undefined ? fast : libphonenumberE164(cleaned, defaultRegion);
}

/**
 * What libphonenumber-js/max says of an NFKC-normalised, trimmed input: the answer for every
 * input the fast path does not take.
 */
function libphonenumberE164(cleaned: string, defaultRegion: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(cleaned, defaultRegion);
  return parsed?.isValid() ? parsed.number : null;
}
