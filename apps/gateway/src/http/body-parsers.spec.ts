import { BodyParseError, parseFormBody, parseJsonBody } from './body-parsers';

const limits = {
  maxDepth: 4,
  maxKeysPerObject: 3,
  maxValues: 8,
  maxBigIntegers: 2,
  maxFormFields: 3,
};

function reason(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof BodyParseError ? error.reason : `other: ${String(error)}`;
  }
}

describe('parseJsonBody', () => {
  it.each([
    [
      'integers beyond 2^53 keep every digit',
      '{"id":1234567890124341789}',
      { id: '1234567890124341789' },
    ],
    ['negative ones too', '[-1234567890124341790]', ['-1234567890124341790']],
    ['safe integers stay numbers', '{"id":9007199254740991}', { id: 9007199254740991 }],
    [
      'decimals and exponents stay numbers',
      '[1.5e3,12345678901234567.5]',
      [1500, 12345678901234568],
    ],
    [
      'digits inside strings are untouched',
      '{"t":"1234567890124341789 \\" 99999999999999999"}',
      { t: '1234567890124341789 " 99999999999999999' },
    ],
    ['brackets inside strings do not nest', '{"t":"[[[[[[{{{{"}', { t: '[[[[[[{{{{' }],
    [
      'an escaped backslash ends a string',
      '{"t":"a\\\\","n":12345678901234567890}',
      { t: 'a\\', n: '12345678901234567890' },
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseJsonBody(text, limits)).toEqual(expected);
  });

  it('keeps __proto__ as a plain own property, polluting nothing', () => {
    const value = parseJsonBody('{"__proto__":{"polluted":1},"a":1}', limits) as Record<
      string,
      unknown
    >;
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    ['nesting past the bound', '[[[[[1]]]]]', 'json-too-deep'],
    ['objects past the bound', '{"a":{"b":{"c":{"d":{}}}}}', 'json-too-deep'],
    ['too many keys in one object', '{"a":1,"b":2,"c":3,"d":4}', 'too-many-keys'],
    [
      'too many integers beyond 2^53',
      '[10000000000000000,20000000000000000,30000000000000000]',
      'too-many-large-numbers',
    ],
    ['too many values in all', '[1,2,[3,4],[5,6],[7,8],9,10]', 'too-many-values'],
    ['broken JSON', '{"a":', 'invalid-json'],
    ['an unterminated string', '{"a":"bc', 'invalid-json'],
    ['trailing garbage', '{"a":1}x', 'invalid-json'],
  ])('refuses %s', (_name, text, code) => {
    expect(reason(() => parseJsonBody(text, limits))).toBe(code);
  });

  it('allows the bound exactly', () => {
    expect(parseJsonBody('[[[{"a":1,"b":2,"c":3}]]]', limits)).toEqual([[[{ a: 1, b: 2, c: 3 }]]]);
  });

  it('refuses 5,000-deep nesting before JSON.parse builds it', () => {
    expect(reason(() => parseJsonBody('['.repeat(5000) + ']'.repeat(5000)))).toBe('json-too-deep');
  });
});

describe('parseFormBody', () => {
  it('parses fields into an object outside Object.prototype, __proto__ an own field', () => {
    const value = parseFormBody('a=1&__proto__=x&a=2', limits);
    expect(Object.prototype.isPrototypeOf.call(Object.prototype, value)).toBe(false);
    expect(Object.keys(value)).toEqual(['a', '__proto__']);
    expect(value.a).toEqual(['1', '2']);
  });

  it('refuses more fields than the bound', () => {
    expect(reason(() => parseFormBody('a=1&b=2&c=3&d=4', limits))).toBe('too-many-fields');
    expect(reason(() => parseFormBody('a=1&b=2&c=3', limits))).toBeNull();
  });
});
