import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { cnFastPathEnabled, cnMobileE164, compileCnMatcher } from './cn-mobile.fast-path';
import { clearPhoneCache, toE164 } from './phone';

/** toE164 as it was before the fast path: the answer every input must still get. */
function reference(raw: string, region: CountryCode): string | null {
  const cleaned = raw.normalize('NFKC').trim();
  if (cleaned.length === 0 || cleaned.length > 32) return null;
  const parsed = parsePhoneNumberFromString(cleaned, region);
  return parsed?.isValid() ? parsed.number : null;
}

/** Deterministic xorshift32, so a failure names the same inputs on every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** The 11 digits written as people write them (all take the fast path in CN). */
function forms(digits: string): string[] {
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)];
  return [digits, `+86${digits}`, `${a} ${b} ${c}`, `+86-${a}-${b}-${c}`];
}

interface Mismatch {
  raw: string;
  region: string;
  got: string | null;
  want: string | null;
}

/** Inputs whose toE164 differs from the reference (the cache is cleared first, so none hit). */
function mismatches(inputs: readonly string[], region: CountryCode): Mismatch[] {
  clearPhoneCache();
  const out: Mismatch[] = [];
  for (const raw of inputs) {
    const got = toE164(raw, region);
    const want = reference(raw, region);
    if (got !== want) out.push({ raw, region, got, want });
  }
  return out;
}

describe('China mobile fast path', () => {
  it('is on with the installed metadata (else the checks below would prove nothing)', () => {
    expect(cnFastPathEnabled()).toBe(true);
  });

  it('answers as libphonenumber does for every 5-digit prefix 10000-19999, in every form', () => {
    const next = random(0x9e3779b9);
    const inputs: string[] = [];
    let valid = 0;
    let invalid = 0;
    let fast = 0;
    for (let prefix = 10000; prefix <= 19999; prefix++) {
      for (let k = 0; k < 3; k++) {
        const digits = `${prefix}${String(next() % 1_000_000).padStart(6, '0')}`;
        for (const raw of forms(digits)) {
          inputs.push(raw);
          const answer = cnMobileE164(raw, 'CN');
          if (answer !== undefined) fast++;
          if (answer === null) invalid++;
          else if (answer !== undefined) valid++;
        }
      }
    }
    expect(mismatches(inputs, 'CN').slice(0, 10)).toEqual([]);
    // Not vacuous: most inputs take the fast path, with valid and invalid answers both.
    expect(fast).toBeGreaterThan(inputs.length / 2);
    expect(valid).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(1000);
  });

  it('answers "+86" numbers alike in any region, and leaves national ones to the library', () => {
    const next = random(0x2545f491);
    const inputs: string[] = [];
    for (let prefix = 13000; prefix <= 19999; prefix += 11) {
      const digits = `${prefix}${String(next() % 1_000_000).padStart(6, '0')}`;
      inputs.push(...forms(digits));
    }
    for (const region of ['US', 'HK', 'XX', ''] as CountryCode[]) {
      expect(mismatches(inputs, region).slice(0, 10)).toEqual([]);
      expect(cnMobileE164('13800138000', region)).toBeUndefined();
      expect(cnMobileE164('+8613800138000', region)).toBe('+8613800138000');
    }
  });

  it('answers odd writings as libphonenumber does (most of them through the library)', () => {
    const odd = [
      '１３９１２３４５６７８',
      '＋８６　１３９　１２３４　５６７８',
      '１３９－１２３４－５６７８',
      '013912345678',
      '0086 139 1234 5678',
      '008613912345678',
      '86 139 1234 5678',
      '8613912345678',
      '+86 013912345678',
      '+086 13912345678',
      '++8613912345678',
      '+ 86 139 1234 5678',
      '+86  139 1234 5678',
      '+86 139 1234-5678',
      '139 1234-5678',
      '1391234 5678',
      '139 12345678',
      '13 912 345 678',
      '139.1234.5678',
      '(139) 1234 5678',
      '+86 (139) 1234 5678',
      '139\t1234\t5678',
      ' 13912345678 ',
      '1391234567',
      '139123456789',
      '+861391234567',
      '+86139123456789',
      '13912345678 ext 12',
      '13912345678#',
      'tel:+86-139-1234-5678',
      '١٣٩١٢٣٤٥٦٧٨',
      '17912345678',
      '+86 179 1234 5678',
      '17900138000',
      '12345678901',
      '11912345678',
      '10086',
      '+8610086',
      '12912345678',
      '14012345678',
      '+86 174 0012 3456',
      '+86 174 0612 3456',
    ];
    for (const region of ['CN', 'US'] as CountryCode[]) {
      expect(mismatches(odd, region)).toEqual([]);
    }
  });

  it('turns itself off when the metadata is not what its exactness argument assumed', () => {
    const clone = (): typeof metadata => JSON.parse(JSON.stringify(metadata)) as typeof metadata;
    const cn = (json: typeof metadata): unknown[] =>
      (json.countries as unknown as Record<string, unknown[]>)['CN'] ?? [];
    expect(compileCnMatcher(clone())).toBeDefined();
    const broken: Array<(json: typeof metadata) => void> = [
      (json) => (json.version = 3),
      (json) => (cn(json)[7] = '(1(?:[12]\\d|[37]9)\\d\\d)|0'),
      (json) => (cn(json)[1] = '00|13\\d00'),
      (json) => (cn(json)[8] = '$1'),
      (json) => (cn(json)[2] = '(unclosed'),
      (json) => (cn(json)[11] = []),
      (json) => (json.country_calling_codes['86'] = ['CN', 'XX'] as never),
      (json) => delete (json.countries as unknown as Record<string, unknown>)['CN'],
    ];
    for (const breakIt of broken) {
      const json = clone();
      breakIt(json);
      expect(compileCnMatcher(json)).toBeUndefined();
    }
  });
});
