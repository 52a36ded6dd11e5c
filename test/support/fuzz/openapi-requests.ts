import fc from 'fast-check';
import type { HeaderList, HttpFuzzRequest } from './fuzz-request';
import {
  type DocumentedOperation,
  deref,
  type JsonSchema,
  type OpenApiDocument,
  type OperationObject,
  parametersOf,
  requiresAuth,
} from './openapi-document';
import { type EntityKind, type ListName, type Principal, ref } from './placeholders';
import { type PropertyHint, SchemaArbitraries } from './schema-arbitraries';

/*
 * Requests derived from the OpenAPI document alone: for each operation, its path, query, header parameters and JSON
 * body drawn from their schemas, valid most of the time and with one thing wrong otherwise, with the credentials the
 * operation declares (and now and then none, or a forged token). Ids, ETags, cursors and tokens come from the fuzz
 * world's placeholders, so that valid requests find real data. The route label is the operation (`GET /v1/orders`),
 * which is what the world learns from and the report groups by.
 */

/** Property names the world can fill with values that exist (its accounts, products, tokens). */
function worldHints(op: DocumentedOperation): PropertyHint {
  const isLogin = op.path.endsWith('/auth/login');
  return (name) => {
    switch (name) {
      case 'productId':
        return fc.oneof(
          { weight: 8, arbitrary: fc.nat().map((i) => ref.id('product', i)) },
          { weight: 1, arbitrary: fc.uuid() },
        );
      case 'refreshToken':
        return fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom(ref.refreshToken('user'), ref.refreshToken('admin')) },
          { weight: 1, arbitrary: fc.base64String({ minLength: 40, maxLength: 48 }) },
        );
      case 'email':
        return isLogin
          ? fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(ref.email('user'), ref.email('admin')) },
              { weight: 1, arbitrary: fc.nat().map((n) => `fuzz-${n}@example.test`) },
            )
          : fc.nat().map((n) => `contract-${n}@example.test`);
      case 'password':
        // Only for logins: a PATCH of the fuzz's own password would lock the world out of its accounts.
        return isLogin
          ? fc.oneof(
              { weight: 2, arbitrary: fc.constantFrom(ref.password('user'), ref.password('admin')) },
              { weight: 1, arbitrary: fc.constant('Not-the-password-1') },
            )
          : fc.string({ minLength: 12, maxLength: 30 }).map((s) => `Fz-${s}`);
      default:
        return undefined;
    }
  };
}

/** What a path's `{id}` names: the entity list the world keeps for it. */
function entityOf(op: DocumentedOperation): EntityKind | undefined {
  if (op.path.startsWith('/v1/products/')) return 'product';
  if (op.path.startsWith('/v1/orders/')) return 'order';
  // Account changes only ever target throw-away accounts, never the fuzz's own user or admin.
  if (op.path.startsWith('/v1/users/')) return op.method === 'GET' ? 'user' : 'victim';
  return undefined;
}

const listOf = (op: DocumentedOperation): ListName | undefined =>
  (['products', 'orders', 'users'] as const).find((list) => op.path === `/v1/${list}`);

const versionedOf = (op: DocumentedOperation): 'product' | 'order' | undefined =>
  op.path.startsWith('/v1/products/') ? 'product' : op.path.startsWith('/v1/orders/') ? 'order' : undefined;

/** Percent-encoded, except placeholders (the world replaces them with URL-safe values before sending). */
const encode = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.startsWith('⟦') ? text : encodeURIComponent(text);
};

/** One request of an operation: valid (weight 7) or with one thing wrong (weight 3). */
export function operationRequest(doc: OpenApiDocument, op: DocumentedOperation): fc.Arbitrary<HttpFuzzRequest> {
  const schemas = new SchemaArbitraries(doc, worldHints(op));
  const parameters = parametersOf(doc, op);
  const body = deref<NonNullable<OperationObject['requestBody']>>(doc, op.operation.requestBody ?? {}, op.pointer)
    .value as { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  const bodySchema = body.content?.['application/json']?.schema;
  const entity = entityOf(op);
  const versioned = versionedOf(op);
  const list = listOf(op);

  const pathParam = (name: string, schema: JsonSchema): fc.Arbitrary<string> =>
    name === 'id' && entity
      ? fc.oneof({ weight: 8, arbitrary: fc.nat().map((i) => ref.id(entity, i)) }, { weight: 1, arbitrary: fc.uuid() })
      : schemas.valid(schema).map(String);

  const headerParam = (name: string, schema: JsonSchema): fc.Arbitrary<string> => {
    const lower = name.toLowerCase();
    if ((lower === 'if-match' || lower === 'if-none-match') && versioned) {
      return fc.oneof(
        { weight: 4, arbitrary: fc.nat().map((i) => ref.etag(versioned, i)) },
        { weight: 1, arbitrary: fc.nat().map((i) => ref.etag(versioned, i, true)) },
      );
    }
    if (lower === 'idempotency-key') {
      return fc.oneof(
        { weight: 3, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.nat().map((i) => ref.idempotencyKey(i)) },
      );
    }
    return schemas.valid(schema).map(String);
  };

  const queryParam = (name: string, schema: JsonSchema): fc.Arbitrary<string> =>
    name === 'cursor' && list ? fc.constant(ref.cursor(list)) : schemas.valid(schema).map(String);

  type Part = { path: Record<string, string>; query: string[]; headers: Array<[string, string]> };
  const valid: fc.Arbitrary<Part> = fc
    .tuple(
      ...parameters.map((p) => {
        const schema = p.schema ?? { type: 'string' };
        const value =
          p.in === 'path'
            ? pathParam(p.name, schema)
            : p.in === 'header'
              ? headerParam(p.name, schema)
              : queryParam(p.name, schema);
        return p.required || p.in === 'path' ? value : fc.option(value, { nil: undefined, freq: 2 });
      }),
    )
    .map((values) => {
      const part: Part = { path: {}, query: [], headers: [] };
      parameters.forEach((p, i) => {
        const value = values[i];
        if (value === undefined) return;
        if (p.in === 'path') part.path[p.name] = value;
        else if (p.in === 'query') part.query.push(`${encodeURIComponent(p.name)}=${encode(value)}`);
        else if (p.in === 'header') part.headers.push([p.name.toLowerCase(), value]);
      });
      return part;
    });

  const caller: fc.Arbitrary<Principal | 'none' | 'forged'> = requiresAuth(doc, op)
    ? fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom<Principal>('user', 'admin') },
        { weight: 1, arbitrary: fc.constantFrom<'none' | 'forged'>('none', 'forged') },
      )
    : fc.constant('none');

  type BodyDraw = { text?: string; contentType?: string };
  const validBody: fc.Arbitrary<BodyDraw> = bodySchema
    ? schemas.valid(bodySchema).map((value) => ({ text: JSON.stringify(value), contentType: 'application/json' }))
    : fc.constant({});
  const invalidBody: fc.Arbitrary<BodyDraw> = bodySchema
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: schemas.invalid(bodySchema).map((value) => ({
            text: JSON.stringify(value),
            contentType: 'application/json',
          })),
        },
        { weight: 1, arbitrary: fc.constant({ text: '{"unterminated":', contentType: 'application/json' }) },
        { weight: 1, arbitrary: fc.constant({ text: 'plain text', contentType: 'text/plain' }) },
        ...(body.required ? [{ weight: 1, arbitrary: fc.constant<BodyDraw>({}) }] : []),
      )
    : fc.constant({});

  const invalidParameters = fc.constantFrom<'path' | 'query' | 'none'>('path', 'query', 'none');

  return fc
    .record({
      wrong: fc.oneof(
        { weight: 7, arbitrary: fc.constant<'nothing' | 'body' | 'parameter'>('nothing') },
        { weight: bodySchema ? 2 : 0, arbitrary: fc.constant<'nothing' | 'body' | 'parameter'>('body') },
        { weight: 1, arbitrary: fc.constant<'nothing' | 'body' | 'parameter'>('parameter') },
      ),
      parts: valid,
      caller,
      validBody,
      invalidBody,
      badParameter: invalidParameters,
    })
    .map(({ wrong, parts, caller: who, validBody: good, invalidBody: bad, badParameter }): HttpFuzzRequest => {
      const drawn = wrong === 'body' ? bad : good;
      let path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encode(parts.path[name] ?? 'x'));
      const query = [...parts.query];
      if (wrong === 'parameter') {
        if (badParameter === 'path' && op.path.includes('{')) path = op.path.replace(/\{[^}]+\}/, 'not-a-valid-id');
        else if (badParameter === 'query' || badParameter === 'path') query.push('limit=not-a-number');
      }
      const headers: Array<readonly [string, string]> = [];
      if (who === 'user' || who === 'admin') headers.push(['authorization', ref.bearer(who)]);
      if (who === 'forged') headers.push(['authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged']);
      if (drawn.contentType) headers.push(['content-type', drawn.contentType]);
      headers.push(...parts.headers);
      return {
        kind: 'http',
        route: op.label,
        method: op.method,
        target: path + (query.length > 0 ? `?${query.join('&')}` : ''),
        headers: headers as HeaderList,
        body: drawn.text === undefined ? undefined : { text: drawn.text, encoding: 'utf8' },
      };
    });
}

/** Requests for every operation of the document, equally often. */
export function documentRequests(
  doc: OpenApiDocument,
  operations: readonly DocumentedOperation[],
): fc.Arbitrary<HttpFuzzRequest> {
  return fc.oneof(...operations.map((op) => operationRequest(doc, op)));
}
