import fc from 'fast-check';
import { hmacUnderHeader, JWT_AUDIENCE, JWT_ISSUER } from '../auth';
import type { HeaderList } from './fuzz-request';
import { hostileString } from './hostile-values';
import { type Principal, ref, type VersionedKind } from './placeholders';

/** Header values must stay within what an HTTP client may send (tab, printable ASCII, obs-text). */
const headerSafe = (text: string): string => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

// --- Content-Type ----------------------------------------------------------------------------------------

const ODD_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/jsonx',
  'application/json, text/plain',
  ';;;',
  'application/',
  '*/*',
  'text/json',
  'application/vnd.api+json',
  'application/json;charset=UTF-8;charset=latin1',
  'application/json; ' + 'x'.repeat(2_000),
];

/** The Content-Type of a request with a body: mostly JSON, sometimes missing or odd. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 88, arbitrary: fc.constant('application/json') },
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: fc.constantFrom(...ODD_CONTENT_TYPES) },
);

// --- Authorization ---------------------------------------------------------------------------------------

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Tokens signed with the app's own secret (so only the claims can fail them) or with `alg` games. */
const forgedToken: fc.Arbitrary<string> = fc
  .record({
    sub: fc.uuid(),
    jti: fc.uuid(),
    sid: fc.oneof(fc.uuid(), fc.constant('not-a-uuid')),
    sv: fc.constantFrom(0, 1, -1),
    iss: fc.constantFrom(JWT_ISSUER, 'someone-else'),
    aud: fc.constantFrom(JWT_AUDIENCE, 'another-api'),
    lifetime: fc.constantFrom(600, -600),
    alg: fc.constantFrom('HS256', 'none', 'RS256', 'HS512'),
    role: fc.constantFrom('admin', 'user', 'root'),
  })
  .map(({ lifetime, alg, ...claims }) =>
    hmacUnderHeader({ ...claims, iat: nowSeconds(), exp: nowSeconds() + lifetime }, { alg, typ: 'JWT' }),
  );

const GARBAGE_AUTHORIZATION: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Bearer a.b.c',
    'Bearer ..',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'Basic YWRtaW46YWRtaW4=',
    'Digest username="admin"',
    `Bearer ${'a'.repeat(8_000)}.b.c`,
    `Bearer  ${ref.accessToken('user')}`,
    `bearer ${ref.accessToken('user')}`,
    `BEARER ${ref.accessToken('admin')}`,
    `Bearer ${ref.accessToken('user')} ${ref.accessToken('admin')}`,
    `Bearer ${ref.accessToken('admin')}x`,
    `Bearer x${ref.accessToken('admin')}`,
    `Bearer ${ref.refreshToken('user')}`,
    `Token ${ref.accessToken('user')}`,
    ref.accessToken('admin'),
  ),
  forgedToken.map((token) => `Bearer ${token}`),
  hostileString.map((text) => `Bearer ${headerSafe(text).slice(0, 4_000)}`),
);

export type Caller = 'public' | 'user' | 'admin';

/** Who the request claims to be: mostly the caller the route expects, sometimes someone else or nonsense. */
export function authorization(caller: Caller): fc.Arbitrary<HeaderList> {
  const as = (who: Principal): HeaderList => [['authorization', ref.bearer(who)]];
  const none = fc.constant<HeaderList>([]);
  const garbage = GARBAGE_AUTHORIZATION.map((value): HeaderList => [['authorization', value]]);
  const twice = fc.constant<HeaderList>([
    ['authorization', ref.bearer('user')],
    ['authorization', ref.bearer('admin')],
  ]);
  const weights: Record<Caller, { user: number; admin: number; none: number; garbage: number }> = {
    public: { user: 8, admin: 4, none: 70, garbage: 18 },
    user: { user: 58, admin: 16, none: 8, garbage: 18 },
    admin: { user: 14, admin: 62, none: 6, garbage: 18 },
  };
  const w = weights[caller];
  return fc.oneof(
    { weight: w.user, arbitrary: fc.constant(as('user')) },
    { weight: w.admin, arbitrary: fc.constant(as('admin')) },
    { weight: w.none, arbitrary: none },
    { weight: w.garbage, arbitrary: garbage },
    { weight: 1, arbitrary: twice },
  );
}

// --- conditional requests and idempotency ------------------------------------------------------------------

const ETAG_GARBAGE = [
  '"v9999999999"',
  '"v99999999999999999999"',
  '"v2147483648"',
  '"v4294967296"',
  '"v0"',
  '"v-1"',
  '"v1.5"',
  'W/"v1"',
  '*',
  '"v1", "v2"',
  'v1',
  '""',
  '"v1',
  '"V1"',
  'garbage',
  ' ',
  `"v${'9'.repeat(500)}"`,
];

/** An If-Match / If-None-Match value: the current ETag, a stale one, or garbage. */
function entityTag(kind: VersionedKind): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.nat().map((i) => ref.etag(kind, i)) },
    { weight: 2, arbitrary: fc.nat().map((i) => ref.etag(kind, i, true)) },
    { weight: 3, arbitrary: fc.constantFrom(...ETAG_GARBAGE) },
  );
}

/** An optional conditional header, `required` routes get it more often. */
export function conditionalHeader(
  name: 'if-match' | 'if-none-match',
  kind: VersionedKind,
  presence: number,
): fc.Arbitrary<HeaderList> {
  return fc.oneof(
    { weight: presence, arbitrary: entityTag(kind).map((value): HeaderList => [[name, value]]) },
    { weight: 100 - presence, arbitrary: fc.constant<HeaderList>([]) },
  );
}

export const idempotencyKeyHeader: fc.Arbitrary<HeaderList> = fc.oneof(
  { weight: 40, arbitrary: fc.constant<HeaderList>([]) },
  { weight: 35, arbitrary: fc.uuid().map((key): HeaderList => [['idempotency-key', key]]) },
  { weight: 12, arbitrary: fc.nat().map((i): HeaderList => [['idempotency-key', ref.idempotencyKey(i)]]) },
  {
    weight: 13,
    arbitrary: fc
      .constantFrom('', ' ', 'x'.repeat(256), 'x'.repeat(5_000), 'caf\xe9', 'tab\there', 'key with spaces', '*')
      .map((key): HeaderList => [['idempotency-key', key]]),
  },
);

// --- other headers -------------------------------------------------------------------------------------------

const ODD_HEADERS: readonly HeaderList[] = [
  [['x-request-id', 'x'.repeat(200)]],
  [['x-request-id', '<script>alert(1)</script>']],
  [['x-request-id', '../../etc/passwd']],
  [['x-request-id', 'fuzz-request-42']],
  [['accept', 'application/xml']],
  [['accept', 'text/html;q=0, */*;q=0']],
  [['accept-language', 'x'.repeat(3_000)]],
  [['x-forwarded-for', '127.0.0.1, 10.0.0.1']],
  [['x-forwarded-host', 'evil.example']],
  [['host', 'evil.example']],
  [['origin', 'https://evil.example']],
  [['cookie', 'session=abc; admin=true']],
  [['x-http-method-override', 'DELETE']],
  [['content-encoding', 'gzip']],
  [['connection', 'close']],
  [['transfer-encoding', 'chunked']],
  [['x-fuzz-large', 'a'.repeat(12_000)]],
  [['x-fuzz-latin1', 'caf\xe9 \xff\xfe']],
  [
    ['x-dup', 'a'],
    ['x-dup', 'b'],
  ],
  Array.from({ length: 200 }, (_, i): readonly [string, string] => [`x-many-${i}`, String(i)]),
];

/** Mostly nothing; sometimes one odd header (huge, repeated, spoofed, conflicting framing). */
export const oddHeaders: fc.Arbitrary<HeaderList> = fc.oneof(
  { weight: 85, arbitrary: fc.constant<HeaderList>([]) },
  { weight: 15, arbitrary: fc.constantFrom(...ODD_HEADERS) },
);
