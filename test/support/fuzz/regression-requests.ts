import { randomBytes } from 'node:crypto';
import type { HeaderList, HttpFuzzRequest } from './fuzz-request';
import { type JsonText, jsonString, objectText } from './json-text';
import { type Principal, ref } from './placeholders';
import { Route, type RouteLabel } from './routes';

type Member = readonly [string, JsonText];

/** A route that takes a JSON body, with a valid body to spoil one field of. */
export interface BodyRoute {
  route: RouteLabel;
  method: string;
  target: string;
  as?: Principal;
  headers?: HeaderList;
  valid: readonly Member[];
  /** The field that gets the hostile value. */
  field: string;
}

const tag = randomBytes(4).toString('hex');
const str = jsonString;

/** Every route with a JSON body (logout-all and cancel take none), with a body that is valid but for `field`. */
export const BODY_ROUTES: readonly BodyRoute[] = [
  {
    route: Route.register,
    method: 'POST',
    target: '/v1/auth/register',
    valid: [
      ['email', str(`regression-${tag}@example.test`)],
      ['password', str('Regression-Pass-4821')],
      ['name', str('Regression')],
    ],
    field: 'name',
  },
  {
    route: Route.login,
    method: 'POST',
    target: '/v1/auth/login',
    valid: [
      ['email', str(ref.email('user'))],
      ['password', str('not the password')],
    ],
    field: 'email',
  },
  {
    route: Route.refresh,
    method: 'POST',
    target: '/v1/auth/refresh',
    valid: [['refreshToken', str('x'.repeat(43))]],
    field: 'refreshToken',
  },
  {
    route: Route.logout,
    method: 'POST',
    target: '/v1/auth/logout',
    as: 'user',
    valid: [['refreshToken', str('x'.repeat(43))]],
    field: 'refreshToken',
  },
  {
    route: Route.patchMe,
    method: 'PATCH',
    target: '/v1/users/me',
    as: 'user',
    valid: [['name', str('Regression')]],
    field: 'name',
  },
  {
    route: Route.patchUser,
    method: 'PATCH',
    target: `/v1/users/${ref.id('victim', 0)}`,
    as: 'admin',
    valid: [['role', str('user')]],
    field: 'role',
  },
  {
    route: Route.createProduct,
    method: 'POST',
    target: '/v1/products',
    as: 'admin',
    valid: [
      ['sku', str(`REG-${tag.toUpperCase()}`)],
      ['name', str('Regression')],
      ['priceCents', '100'],
      ['currency', str('EUR')],
      ['stock', '1'],
    ],
    field: 'name',
  },
  {
    route: Route.patchProduct,
    method: 'PATCH',
    target: `/v1/products/${ref.id('product', 0)}`,
    as: 'admin',
    headers: [['if-match', ref.etag('product', 0)]],
    valid: [['name', str('Regression')]],
    field: 'name',
  },
  {
    route: Route.createReview,
    method: 'POST',
    target: `/v1/products/${ref.id('product', 0)}/reviews`,
    as: 'user',
    valid: [['rating', '4']],
    field: 'comment',
  },
  {
    route: Route.patchReview,
    method: 'PATCH',
    target: '/v1/reviews/00000000-0000-4000-8000-000000000000',
    as: 'user',
    headers: [['if-match', '"v1"']],
    valid: [['rating', '4']],
    field: 'comment',
  },
  {
    route: Route.createOrder,
    method: 'POST',
    target: '/v1/orders',
    as: 'user',
    valid: [
      [
        'items',
        `[${objectText([
          ['productId', str(ref.id('product', 0))],
          ['quantity', '1'],
        ])}]`,
      ],
    ],
    field: 'items',
  },
  {
    route: Route.changeOrderStatus,
    method: 'PATCH',
    target: `/v1/orders/${ref.id('order', 0)}/status`,
    as: 'admin',
    headers: [['if-match', ref.etag('order', 0)]],
    valid: [['status', str('paid')]],
    field: 'status',
  },
];

export const bodyRoute = (route: RouteLabel): BodyRoute => {
  const found = BODY_ROUTES.find((candidate) => candidate.route === route);
  if (!found) throw new Error(`no body route ${route}`);
  return found;
};

/** `members` with `name` set to `value` (replaced in place, or added). */
function withMember(members: readonly Member[], name: string, value: JsonText): Member[] {
  return members.some(([n]) => n === name)
    ? members.map(([n, v]): Member => [n, n === name ? value : v])
    : [...members, [name, value]];
}

/** A JSON request to a body route, authenticated as its caller, with the given members. */
function bodyRequest(route: BodyRoute, members: readonly Member[]): HttpFuzzRequest {
  return jsonRequest(route.route, route.method, route.target, objectText(members), {
    as: route.as,
    headers: route.headers,
  });
}

/** The body route's valid body with its `field` (or `field` given) set to `value`. */
export const spoiled = (route: BodyRoute, value: JsonText, field = route.field): HttpFuzzRequest =>
  bodyRequest(route, withMember(route.valid, field, value));

export function jsonRequest(
  route: RouteLabel,
  method: string,
  target: string,
  body: JsonText | undefined,
  options: { as?: Principal; headers?: HeaderList } = {},
): HttpFuzzRequest {
  return {
    kind: 'http',
    route,
    method,
    target,
    headers: [
      ...(body === undefined ? [] : [['content-type', 'application/json'] as const]),
      ...(options.as ? [['authorization', ref.bearer(options.as)] as const] : []),
      ...(options.headers ?? []),
    ],
    body: body === undefined ? undefined : { text: body, encoding: 'utf8' },
  };
}
