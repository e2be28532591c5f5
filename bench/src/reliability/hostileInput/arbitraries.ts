import fc from 'fast-check';

/** Strings that break naive code: traversal, NUL, numbers out of range, injection, odd unicode. */
const TRICKY = [
  '',
  ' ',
  '.',
  '..',
  '../../etc/passwd',
  '\u0000',
  'a\u0000b',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '2147483648',
  '9223372036854775808',
  '99999999999999999999999999',
  "'; DROP TABLE previews; --",
  '<script>alert(1)</script>',
  '${env:SECRET}',
  '\uFFFF',
  '\u202Eevil',
  'é',
  '😀',
  '\r\nX-Injected: 1',
  'component:default/storefront',
  'user:default/root',
  '2024-02-30',
  '2024-01-01T00:00:00Z',
];

/** Any string this row may put into a parameter, field or header. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a', '9', '\u0000', 'é'),
        fc.integer({ min: 256, max: 20_000 }),
      )
      .map(([char, length]) => char.repeat(length)),
  },
);

/** Any JSON value a field may get instead of the right one. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      -1,
      0,
      1,
      1.5,
      2 ** 31,
      2 ** 53,
      1e308,
      -1e308,
      true,
      false,
      null,
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Percent-encodes every byte of the string's UTF-8 but unreserved ones. */
export function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map(byte => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_.~-]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** A path segment: encoded hostile strings, and raw ones no client would send. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map(percentEncode) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '%00',
      '%',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '%2F',
      '%2e%2e',
      '..%2F..%2Fetc',
      ';',
      '~',
    ),
  },
);

/** Query keys OpsHub's routes read, and ones qs turns into objects and arrays. */
const QUERY_KEYS = [
  'entityRef',
  'limit',
  'after',
  'before',
  'cursor',
  'from',
  'to',
  'since',
  'state',
  'outcome',
  'status',
  'type',
  'environment',
  'branch',
  'dryRun',
  'q',
  'kind',
  'event',
  'repository',
  'granularity',
  'limit[gt]',
  'limit[]',
  'entityRef[]',
  'entityRef[0][a]',
  '__proto__[x]',
  'a[b][c][d][e][f][g]',
];

/** A query string: random and known keys, repeated keys (arrays), nested keys. */
export const hostileQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...QUERY_KEYS),
        hostileString.map(percentEncode),
      ),
      fc.oneof(
        hostileString.map(percentEncode),
        fc.constantFrom('', '%00', '%zz'),
      ),
    ),
    { maxLength: 5 },
  )
  .map(pairs =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`,
  );

/** A snippet spliced into a valid string: it stays near-valid. */
const SPLICED = [
  '\u0000',
  '..',
  '/',
  ':',
  '%',
  ' ',
  'é',
  '😀',
  '\uFFFF',
  "'",
  '"',
  '\n',
  'a'.repeat(300),
];

/** A valid string with a snippet inserted at some position. */
export function spliced(value: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(), fc.oneof(fc.constantFrom(...SPLICED), hostileString))
    .map(([at, snippet]) => {
      const index = at % (value.length + 1);
      return `${value.slice(0, index)}${snippet}${value.slice(index)}`;
    });
}

/**
 * A JSON object with one to three of its fields deleted, retyped, added,
 * or (a string field) spliced with a snippet.
 */
export function mutatedObject(
  sample: Record<string, unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...Object.keys(sample), '__proto__', 'extra', 'constructor'];
  const strings = Object.entries(sample).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  const replaced = fc.record({
    key: fc.oneof(fc.constantFrom(...keys), hostileString),
    remove: fc.boolean(),
    value: hostileValue,
  });
  const mutation =
    strings.length === 0
      ? replaced
      : fc.oneof(
          replaced,
          fc.constantFrom(...strings).chain(([key, value]) =>
            spliced(value).map(v => ({
              key,
              remove: false,
              value: v as unknown,
            })),
          ),
        );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map(mutations => {
    const body: Record<string, unknown> = { ...sample };
    for (const { key, remove, value } of mutations) {
      if (remove) delete body[key];
      else
        Object.defineProperty(body, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return body;
  });
}

/** A body as bytes: the JSON of a value, broken JSON, or random bytes. */
export function bodyBytes(value: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: value.map(v => Buffer.from(JSON.stringify(v) ?? 'null')),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(value, fc.nat()).map(([v, cut]) => {
        const text = JSON.stringify(v) ?? 'null';
        return Buffer.from(text.slice(0, cut % (text.length + 1)));
      }),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 200 }).map(b => Buffer.from(b)),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 100, max: 3000 })
        .map(depth => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
    },
  );
}

/** Content types: JSON (with odd charsets), others, none. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** A header value node's client accepts (printable ASCII and tab). */
export const headerSafe = (value: string) =>
  value.replace(/[^\t\x20-\x7e]/g, '');
