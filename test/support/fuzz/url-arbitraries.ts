import fc from 'fast-check';
import { hostileString, INJECTION_STRINGS } from './hostile-values';
import { type EntityKind, type ListName, ref } from './placeholders';

/** Percent-encodes the UTF-8 bytes of `text` (never throws, unlike encodeURIComponent on a lone surrogate). */
export function percentEncode(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

// --- query strings ---------------------------------------------------------------------------------------------

const QUERY_GARBAGE = [
  '%00',
  '%zz',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%2e%2e%2f',
  '+',
  '%20',
  '',
  '[]',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1.5',
  '1e2',
  '0x10',
  '101',
  '99999999999999999999',
];

/** A query parameter value, percent-encoded as sent. */
export const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...QUERY_GARBAGE) },
  { weight: 4, arbitrary: hostileString.map((text) => percentEncode(text.slice(0, 2_000))) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 8_000).map((n) => 'x'.repeat(n)) },
);

const forgedCursor: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 57, maxLength: 57 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));

export function cursorValue(list: ListName): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(ref.cursor(list)) },
    { weight: 2, arbitrary: fc.constant(ref.cursor(list, true)) },
    { weight: 2, arbitrary: forgedCursor },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(513), 'AAAA', '____') },
  );
}

export const limitValue: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map(String),
  fc.constantFrom('0', '101', '-1', '1.5', 'abc', '', '1e2', '%205', '0010'),
);

/** `?a=1&b=2` from optional parameters (valid or hostile), plus repeated and unknown ones. */
export function queryString(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const entries = Object.entries(params).map(([name, valid]) =>
    fc
      .option(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostileQueryValue }), {
        freq: 2,
        nil: undefined,
      })
      .map((value) => (value === undefined ? [] : [`${name}=${value}`])),
  );
  const names = Object.keys(params);
  const extras = fc.oneof(
    { weight: 8, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...(names.length > 0 ? names : ['x'])), hostileQueryValue)
        .map(([name, value]) => [`${name}=1`, `${name}=${value}`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('foo=bar', '__proto__=x', 'constructor[prototype][x]=1', 'limit[]=1', '=', '&&', 'a', '%zz=1')
        .map((raw) => [raw]),
    },
  );
  return fc.tuple(fc.tuple(...entries), extras).map(([parts, extra]) => {
    const all = [...parts.flat(), ...extra];
    return all.length === 0 ? '' : `?${all.join('&')}`;
  });
}

/** Mostly no query string on routes that take none; sometimes garbage. */
export const strayQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 9, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: hostileQueryValue.map((value) => `?x=${value}`) },
);

// --- path segments ---------------------------------------------------------------------------------------------

const BAD_ID_SEGMENTS = [
  'not-a-uuid',
  '1',
  '-1',
  'null',
  'me',
  '%00',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '..',
  '%2F',
  '%5C',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6f1c2d3e4b5a4c7d8e9f0a1b2c3d4e5f',
  '%7B6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f%7D',
  '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f%20',
  '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5',
  'g6f1c2d3-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
  '%F0%9F%98%80',
  'a'.repeat(201),
  'a'.repeat(3_000),
];

/** An `{id}` segment: a known entity (sometimes upper-cased or of another kind), a random UUID, or garbage. */
export function idSegment(kind: EntityKind, otherKinds: readonly EntityKind[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.nat().map((i) => ref.id(kind, i)) },
    { weight: 2, arbitrary: fc.nat().map((i) => ref.id(kind, i, true)) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...otherKinds), fc.nat()).map(([other, i]) => ref.id(other, i)),
    },
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
    { weight: 3, arbitrary: fc.constantFrom(...BAD_ID_SEGMENTS) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(hostileString, fc.constantFrom(...INJECTION_STRINGS))
        .map((text) => percentEncode(text.slice(0, 1_000)) || '%20'),
    },
  );
}
