import fc from 'fast-check';
import { type JsonText, jsonString, manyKeysObject, nestedArrays, nestedObjects, repeatedArray } from './json-text';

/** SQL, NoSQL, path, template and header injection attempts. */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "' OR 1=1--",
  "admin'--",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(10)--',
  "' UNION SELECT password_hash FROM users--",
  "'); insert into users (email) values ('x')--",
  '$$; COPY users TO PROGRAM $$',
  "\\'; --",
  '{"$gt": ""}',
  '{"$ne": null}',
  "'; return this.password; var x='",
  '[$regex]=.*',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd%00.json',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'file:///etc/shadow',
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\r\nSet-Cookie: injected=1',
  "=cmd|' /C calc'!A0",
  '%s%s%s%n',
  '__proto__',
  'constructor',
];

/**
 * Strings that break naive text handling: lone surrogates (sent as `\ud800` escapes, since JSON.stringify escapes
 * them), BOM, NUL, bidi overrides, zero-width joiners, combining marks, case-folding surprises.
 */
export const UNICODE_EDGE_STRINGS: readonly string[] = [
  '\ud800',
  '\udfff',
  '\ud83d',
  'a\ud800b',
  '\udc00\ud800',
  'a\ud800@example.test',
  '\ufeff',
  '\ufeffbom@example.test',
  '\u0000',
  'a\u0000b',
  'nul\u0000@example.test',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d',
  '😀',
  '👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301\u0301',
  '\uffff\ufffe',
  '\u2028\u2029',
  'İ',
  'ß',
  '𝕒𝕕𝕞𝕚𝕟',
  'Ａｄｍｉｎ',
  '\u0085',
  '\t\n\r',
  ' ',
  '',
];

/** Lengths around every limit of the DTOs (1, 12, 100, 128, 200, 254, 255, 1024, 2000) and far beyond. */
const LENGTHS = [11, 12, 99, 100, 101, 128, 129, 200, 201, 254, 255, 256, 1_024, 1_025, 2_000, 2_001, 10_000, 65_536];
const REPEATED_UNITS = ['x', 'é', '😀', ' ', '\u0000', 'e\u0301'];

/** A unit repeated to a length near a limit: "overlong" strings. */
const overlongString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...REPEATED_UNITS), fc.constantFrom(...LENGTHS))
  .map(([unit, length]) => unit.repeat(length));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTION_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_EDGE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: overlongString },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...UNICODE_EDGE_STRINGS), fc.constantFrom(...INJECTION_STRINGS))
      .map(([unicode, injection]) => unicode + injection),
  },
);

/** Numbers at and past every bound, and literals JSON.parse turns into surprises (-0, 1e400 → Infinity). */
const NUMBER_TEXTS: readonly JsonText[] = [
  '0',
  '-0',
  '-1',
  '1',
  '1.5',
  '0.1',
  '1e3',
  '1E400',
  '-1e400',
  '1e-400',
  '1000',
  '1001',
  '10000000',
  '10000001',
  '100000000',
  '100000001',
  '2147483647',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '123456789012345678901234567890',
];

const hostileScalar: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('null', 'true', 'false') },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS) },
  { weight: 1, arbitrary: fc.double().map((n) => (Number.isFinite(n) ? String(n) : '0')) },
  { weight: 4, arbitrary: hostileString.map(jsonString) },
);

/** Small arrays and objects, including operator objects and prototype keys. */
const hostileContainer: fc.Arbitrary<JsonText> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '[]',
      '{}',
      '[null]',
      '[{}]',
      '[[]]',
      '[1,"a",null,{}]',
      '{"$gt":""}',
      '{"$where":"sleep(1000)"}',
      '{"__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      '{"toString":"x","valueOf":1,"hasOwnProperty":null}',
    ),
  },
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
);

/**
 * Values that cost a careless server time or memory: nesting 3,000 and 100,000 deep, tens of thousands of keys,
 * 100,000-item arrays, strings near and past the 1 MiB body limit.
 */
export const hugeValue: fc.Arbitrary<JsonText> = fc.oneof(
  fc.constantFrom(3_000, 100_000).map((depth) => nestedArrays(depth)),
  fc.constantFrom(3_000, 100_000).map((depth) => nestedObjects(depth)),
  fc.constantFrom(20_000, 60_000).map((count) => manyKeysObject(count)),
  fc.constantFrom('{}', '0', 'null').map((item) => repeatedArray(100_000, item)),
  fc.constantFrom(300_000, 1_100_000).map((length) => jsonString('x'.repeat(length))),
);

/** Any hostile JSON value; huge ones are rare so that a run stays fast on a sane server. */
export const hostileValue: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 60, arbitrary: hostileScalar },
  { weight: 25, arbitrary: hostileContainer },
  { weight: 2, arbitrary: hugeValue },
);

/** Whole bodies that are not JSON, or JSON that is not an object. */
export const MALFORMED_JSON_BODIES: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '{"email":',
  '{"email":"a"',
  '{"email" "a"}',
  "{'email':'a'}",
  '{email:"a"}',
  '{"a":1,}',
  '[1,2,]',
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":01}',
  '{"a":0x10}',
  '{"a":+1}',
  '{"a":.5}',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  '/* comment */ {}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"line\nbreak"}',
  '\u0000',
  'undefined',
  'null',
  'true',
  '"text"',
  '123',
  '[]',
  '\ufeff{}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
];

/** Bodies sent byte for byte (latin1): invalid UTF-8, overlong forms, encoded surrogates, a UTF-16 body. */
export const INVALID_UTF8_BODIES: readonly string[] = [
  '{"email":"\xc0\xaf"}',
  '{"email":"\xff\xfe"}',
  '{"name":"\xed\xa0\x80"}',
  '{"name":"\x80\x81"}',
  '\xef\xbb\xbf{}',
  '\xff\xfe{\x00"\x00a\x00"\x00:\x001\x00}\x00',
  '{"name":"\xf4\x90\x80\x80"}',
];
