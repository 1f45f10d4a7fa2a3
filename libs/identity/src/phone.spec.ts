import { PHONE_CACHE_SIZE, clearPhoneCache, phoneCacheSize, toE164 } from './phone';

describe('toE164', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    ['138 0013 8000', '+8613800138000'],
    ['+86 138-0013-8000', '+8613800138000'],
    ['８６１３８００１３８０００', '+8613800138000'],
    ['+8613800138000', '+8613800138000'],
    ['023-63881234', '+862363881234'],
    ['+1 555 0100', null],
    ['12345', null],
    ['+12025550143', '+12025550143'],
    ['not a phone', null],
    ['', null],
  ])('%s → %s', (raw, expected) => {
    expect(toE164(raw)).toBe(expected);
  });
});

describe('toE164 cache', () => {
  // Mobile, fixed-line, foreign, malformed and padded forms of pseudo-random numbers: what a
  // cache hit returns must be what libphonenumber says on a cold call.
  function inputs(count: number): string[] {
    const out: string[] = [];
    let x = 0x2545f491;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const digits = (n: number): string => String(next() % 10 ** n).padStart(n, '0');
    const forms = [
      (): string => `1${digits(10)}`,
      (): string => `+861${digits(10)}`,
      (): string => `+86 13${digits(1)} ${digits(4)} ${digits(4)}`,
      (): string => `0${digits(2)}-${digits(8)}`,
      (): string => `+1${digits(10)}`,
      (): string => `+44 ${digits(10)}`,
      (): string => digits(1 + (next() % 14)),
      (): string => ` 1${digits(10)} `,
    ];
    for (let i = 0; i < count; i++) out.push(forms[next() % forms.length]?.() ?? '');
    return out;
  }

  beforeEach(() => clearPhoneCache());

  it('returns on a hit what an uncached call returns, in every region asked', () => {
    const all = inputs(1500);
    const cold = all.map((raw) => {
      clearPhoneCache();
      return [toE164(raw, 'CN'), toE164(raw, 'US')];
    });
    clearPhoneCache();
    for (const raw of all) toE164(raw, 'CN');
    const held = phoneCacheSize();
    expect(held).toBe(new Set(all).size);
    // CN answers now come from the cache (nothing is added); US ones are misses, as a cache keyed
    // by the raw text alone would get wrong.
    const warmCn = all.map((raw) => toE164(raw, 'CN'));
    expect(phoneCacheSize()).toBe(held);
    const warm = all.map((raw, i) => [warmCn[i], toE164(raw, 'US')]);
    expect(warm).toEqual(cold);
    expect(cold.some(([cn]) => cn !== null)).toBe(true);
    expect(cold.some(([cn]) => cn === null)).toBe(true);
    expect(cold.some(([cn, us]) => cn !== us)).toBe(true);
  });

  it('keeps a hit the same as the miss that filled it', () => {
    for (const raw of inputs(500)) {
      const miss = toE164(raw);
      expect(toE164(raw)).toBe(miss);
    }
  });

  it('stays bounded and keeps the newest entries', () => {
    const all = inputs(PHONE_CACHE_SIZE * 3);
    for (const raw of all) toE164(raw);
    expect(phoneCacheSize()).toBeLessThanOrEqual(PHONE_CACHE_SIZE);
    expect(phoneCacheSize()).toBeGreaterThan(PHONE_CACHE_SIZE / 2);
    // The newest input is still held: asking again adds nothing.
    const size = phoneCacheSize();
    toE164(all[all.length - 1]);
    expect(phoneCacheSize()).toBe(size);
  });

  it('fills up to the bound again after a clear, evicting nothing early', () => {
    const numbers = Array.from({ length: PHONE_CACHE_SIZE }, (_, n) => `139${10_000_000 + n}`);
    for (const raw of numbers.slice(0, 100)) toE164(raw);
    clearPhoneCache();
    // The same 100 again, backwards, then the rest: none may push out an entry added since.
    const again = [...numbers.slice(0, 100).reverse(), ...numbers.slice(100)];
    for (const raw of again) toE164(raw);
    expect(phoneCacheSize()).toBe(PHONE_CACHE_SIZE);
    toE164('13800138000');
    expect(phoneCacheSize()).toBe(PHONE_CACHE_SIZE);
  });

  it('does not hold long inputs', () => {
    const long = `${' '.repeat(40)}+8613800138000`;
    expect(toE164(long)).toBe('+8613800138000');
    expect(phoneCacheSize()).toBe(0);
  });
});
