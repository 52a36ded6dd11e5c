import fc from 'fast-check';
import type { HeaderList, HttpFuzzRequest } from './fuzz-request';
import {
  CHANGE_STATUS,
  CREATE_ORDER,
  CREATE_PRODUCT,
  CREATE_REVIEW,
  freshEmail,
  knownEmail,
  LOGIN,
  ORDER_STATUSES,
  REFRESH,
  REGISTER,
  UPDATE_ME,
  UPDATE_PRODUCT,
  UPDATE_REVIEW,
  UPDATE_USER,
} from './dto-fields';
import { authorization, type Caller, conditionalHeader, idempotencyKeyHeader, oddHeaders } from './header-arbitraries';
import { type BodyPart, jsonBody, strayBody } from './json-bodies';
import { ref } from './placeholders';
import { Route, type RouteLabel } from './routes';
import {
  cursorValue,
  hostileQueryValue,
  idSegment,
  limitValue,
  percentEncode,
  queryString,
  strayQuery,
} from './url-arbitraries';

/** How one route is called: its usual caller, path, query, body and headers, and how often the fuzz picks it. */
interface RouteSpec {
  route: RouteLabel;
  method: string;
  caller: Caller;
  weight: number;
  path: fc.Arbitrary<string>;
  query?: fc.Arbitrary<string>;
  body?: fc.Arbitrary<BodyPart>;
  headers?: fc.Arbitrary<HeaderList>;
}

// --- paths and queries ----------------------------------------------------------------------------------------------

/** The route's own path, now and then with a trailing slash. */
const fixedPath = (path: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 30, arbitrary: fc.constant(path) }, { weight: 1, arbitrary: fc.constant(`${path}/`) });

const withId = (prefix: string, id: fc.Arbitrary<string>, suffix = ''): fc.Arbitrary<string> =>
  id.map((segment) => `${prefix}${segment}${suffix}`);

const productId = idSegment('product', ['order', 'user']);
const orderId = idSegment('order', ['product', 'user']);
const userId = idSegment('user', ['product', 'order']);
/** Account changes only ever target throw-away accounts, never the fuzz's own user or admin. */
const victimId = idSegment('victim', ['product', 'order']);

const emailQuery = fc.oneof(freshEmail, knownEmail).map((json) => percentEncode(JSON.parse(json) as string));

const LIST_USERS = queryString({
  limit: limitValue,
  cursor: cursorValue('users'),
  role: fc.constantFrom('user', 'admin'),
  email: emailQuery,
});

const LIST_PRODUCTS = queryString({
  limit: limitValue,
  cursor: cursorValue('products'),
  active: fc.constantFrom('true', 'false'),
  q: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(percentEncode),
});

const LIST_ORDERS = queryString({
  limit: limitValue,
  cursor: cursorValue('orders'),
  status: fc.constantFrom(...ORDER_STATUSES),
  userId: fc.oneof(
    fc.nat().map((i) => ref.id('user', i)),
    fc.uuid(),
  ),
});

/**
 * A review's `{id}`: the fuzz world keeps no reviews (its users buy nothing), so these are random UUIDs, other
 * entities' ids and garbage: every review route is fuzzed for what it refuses (400, 401, 403, 404, 428).
 */
const reviewId = idSegment('order', ['product', 'user']);

const LIST_REVIEWS = queryString({ limit: limitValue });

/** Admins' filter of the order event stream: a user's id, a random UUID, or the stray values of any query. */
const ORDER_EVENTS = queryString({
  userId: fc.oneof(
    fc.nat().map((i) => ref.id('user', i)),
    fc.uuid(),
  ),
});

/**
 * `Last-Event-ID`, as a resuming client sends it: usually none or an event id (unknown to the server: a `gap`),
 * sometimes garbage a header can carry (400), long, or twice.
 */
const lastEventIdHeader: fc.Arbitrary<HeaderList> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<HeaderList>([]) },
  { weight: 3, arbitrary: fc.uuid().map((id): HeaderList => [['last-event-id', id]]) },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: fc.constantFrom(...'abcXYZ019-_ ,;%{}"\\'.split('')), maxLength: 80 })
      .map((value): HeaderList => [['last-event-id', value]]),
  },
  { weight: 1, arbitrary: fc.constant<HeaderList>([['last-event-id', 'f'.repeat(8_000)]]) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.uuid(), fc.uuid()).map(([a, b]): HeaderList => [
      ['last-event-id', a],
      ['last-event-id', b],
    ]),
  },
);

// --- the catalogue --------------------------------------------------------------------------------------------------

const ROUTES: readonly RouteSpec[] = [
  {
    route: Route.register,
    method: 'POST',
    caller: 'public',
    weight: 3,
    path: fixedPath('/v1/auth/register'),
    body: jsonBody(REGISTER),
  },
  {
    route: Route.login,
    method: 'POST',
    caller: 'public',
    weight: 3,
    path: fixedPath('/v1/auth/login'),
    body: jsonBody(LOGIN),
  },
  {
    route: Route.refresh,
    method: 'POST',
    caller: 'public',
    weight: 4,
    path: fixedPath('/v1/auth/refresh'),
    body: jsonBody(REFRESH),
  },
  {
    route: Route.logout,
    method: 'POST',
    caller: 'user',
    weight: 3,
    path: fixedPath('/v1/auth/logout'),
    body: jsonBody(REFRESH),
  },
  { route: Route.logoutAll, method: 'POST', caller: 'user', weight: 1, path: fixedPath('/v1/auth/logout-all') },
  { route: Route.getMe, method: 'GET', caller: 'user', weight: 5, path: fixedPath('/v1/users/me') },
  {
    route: Route.patchMe,
    method: 'PATCH',
    caller: 'user',
    weight: 6,
    path: fixedPath('/v1/users/me'),
    body: jsonBody(UPDATE_ME),
  },
  {
    route: Route.listUsers,
    method: 'GET',
    caller: 'admin',
    weight: 4,
    path: fixedPath('/v1/users'),
    query: LIST_USERS,
  },
  { route: Route.getUser, method: 'GET', caller: 'admin', weight: 4, path: withId('/v1/users/', userId) },
  {
    route: Route.patchUser,
    method: 'PATCH',
    caller: 'admin',
    weight: 5,
    path: withId('/v1/users/', victimId),
    body: jsonBody(UPDATE_USER),
  },
  {
    route: Route.listProducts,
    method: 'GET',
    caller: 'user',
    weight: 6,
    path: fixedPath('/v1/products'),
    query: LIST_PRODUCTS,
  },
  {
    route: Route.getProduct,
    method: 'GET',
    caller: 'user',
    weight: 6,
    path: withId('/v1/products/', productId),
    headers: conditionalHeader('if-none-match', 'product', 30),
  },
  {
    route: Route.createProduct,
    method: 'POST',
    caller: 'admin',
    weight: 7,
    path: fixedPath('/v1/products'),
    body: jsonBody(CREATE_PRODUCT),
  },
  {
    route: Route.patchProduct,
    method: 'PATCH',
    caller: 'admin',
    weight: 8,
    path: withId('/v1/products/', productId),
    body: jsonBody(UPDATE_PRODUCT),
    headers: conditionalHeader('if-match', 'product', 85),
  },
  {
    route: Route.listOrders,
    method: 'GET',
    caller: 'user',
    weight: 5,
    path: fixedPath('/v1/orders'),
    query: LIST_ORDERS,
  },
  {
    route: Route.getOrder,
    method: 'GET',
    caller: 'user',
    weight: 5,
    path: withId('/v1/orders/', orderId),
    headers: conditionalHeader('if-none-match', 'order', 30),
  },
  {
    route: Route.orderInvoice,
    method: 'GET',
    caller: 'user',
    weight: 3,
    path: withId('/v1/orders/', orderId, '/invoice'),
    headers: conditionalHeader('if-none-match', 'order', 30),
  },
  {
    // An event stream: the client reads its first frame and leaves (KeepAliveClient), as a real one may.
    route: Route.orderEvents,
    method: 'GET',
    caller: 'user',
    weight: 2,
    path: fixedPath('/v1/orders/events'),
    query: ORDER_EVENTS,
    headers: lastEventIdHeader,
  },
  {
    route: Route.listReviews,
    method: 'GET',
    caller: 'user',
    weight: 3,
    path: withId('/v1/products/', productId, '/reviews'),
    query: LIST_REVIEWS,
  },
  {
    // The world's users bought nothing: a valid review is a 403 purchase-required, an invalid one a 400.
    route: Route.createReview,
    method: 'POST',
    caller: 'user',
    weight: 4,
    path: withId('/v1/products/', productId, '/reviews'),
    body: jsonBody(CREATE_REVIEW),
  },
  { route: Route.getReview, method: 'GET', caller: 'user', weight: 2, path: withId('/v1/reviews/', reviewId) },
  {
    route: Route.patchReview,
    method: 'PATCH',
    caller: 'user',
    weight: 3,
    path: withId('/v1/reviews/', reviewId),
    body: jsonBody(UPDATE_REVIEW),
    headers: conditionalHeader('if-match', 'order', 60),
  },
  { route: Route.deleteReview, method: 'DELETE', caller: 'user', weight: 2, path: withId('/v1/reviews/', reviewId) },
  {
    route: Route.createOrder,
    method: 'POST',
    caller: 'user',
    weight: 10,
    path: fixedPath('/v1/orders'),
    body: jsonBody(CREATE_ORDER),
    headers: idempotencyKeyHeader,
  },
  {
    route: Route.cancelOrder,
    method: 'POST',
    caller: 'user',
    weight: 4,
    path: withId('/v1/orders/', orderId, '/cancel'),
    headers: conditionalHeader('if-match', 'order', 40),
  },
  {
    route: Route.changeOrderStatus,
    method: 'PATCH',
    caller: 'admin',
    weight: 5,
    path: withId('/v1/orders/', orderId, '/status'),
    body: jsonBody(CHANGE_STATUS),
    headers: conditionalHeader('if-match', 'order', 85),
  },
  { route: Route.live, method: 'GET', caller: 'public', weight: 1, path: fixedPath('/health/live') },
  { route: Route.ready, method: 'GET', caller: 'public', weight: 1, path: fixedPath('/health/ready') },
  { route: Route.startup, method: 'GET', caller: 'public', weight: 1, path: fixedPath('/health/startup') },
  { route: Route.metrics, method: 'GET', caller: 'public', weight: 2, path: fixedPath('/metrics') },
];

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** The route's method, now and then another one. */
const methodFor = (method: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 94, arbitrary: fc.constant(method) }, { weight: 6, arbitrary: fc.constantFrom(...OTHER_METHODS) });

function requestFor(spec: RouteSpec): fc.Arbitrary<HttpFuzzRequest> {
  return fc
    .record({
      method: methodFor(spec.method),
      path: spec.path,
      query: spec.query ?? strayQuery,
      auth: authorization(spec.caller),
      body: spec.body ?? strayBody,
      routeHeaders: spec.headers ?? fc.constant<HeaderList>([]),
      odd: oddHeaders,
    })
    .map(({ method, path, query, auth, body, routeHeaders, odd }): HttpFuzzRequest => ({
      kind: 'http',
      route: spec.route,
      method,
      target: path + query,
      headers: [
        ...auth,
        ...(body.contentType === undefined ? [] : [['content-type', body.contentType] as const]),
        ...routeHeaders,
        ...odd,
      ],
      body: body.body,
    }));
}

const UNKNOWN_PATHS = [
  '/',
  '/v1',
  '/v1/',
  '/v2/products',
  '/V1/PRODUCTS',
  '/v1/products/x/y',
  `/v1/orders/${ref.id('order', 0)}/refund`,
  '/v1/users/me/password',
  '/.env',
  '/.git/config',
  '/admin',
  '/docs',
  '/docs/openapi.json',
  '/health',
  '/health/live/x',
  '/metrics.json',
  '//v1//products',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/v1/%2e%2e/health/live',
  '/v1/products%2F',
  '/v1/auth',
  '/v1/auth/LOGIN',
  '/favicon.ico',
  '/wp-login.php',
  '/cgi-bin/test.cgi',
  '/%00',
  '/%zz',
  '/v1/%E0%A4%A',
  '/v1/products/%ED%A0%80',
  `/${'a'.repeat(3_000)}`,
  `/v1/products/${'a'.repeat(250)}`,
];

const unknownRoute: fc.Arbitrary<HttpFuzzRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'),
    path: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...UNKNOWN_PATHS) },
      { weight: 2, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) },
      { weight: 1, arbitrary: hostileQueryValue.map((segment) => `/v1/${segment}`) },
    ),
    query: strayQuery,
    auth: authorization('public'),
    body: strayBody,
    odd: oddHeaders,
  })
  .map(({ method, path, query, auth, body, odd }): HttpFuzzRequest => ({
    kind: 'http',
    route: Route.unknown,
    method,
    target: path + query,
    headers: [
      ...auth,
      ...(body.contentType === undefined ? [] : [['content-type', body.contentType] as const]),
      ...odd,
    ],
    body: body.body,
  }));

/** An HTTP request to any route of the API (or to none), weighted so every route gets hundreds per run. */
export const httpRequest: fc.Arbitrary<HttpFuzzRequest> = fc.oneof(
  ...ROUTES.map((spec) => ({ weight: spec.weight, arbitrary: requestFor(spec) })),
  { weight: 4, arbitrary: unknownRoute },
);
