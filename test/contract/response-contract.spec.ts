import { describe, expect, it } from 'vitest';
import { type OpenApiDocument, ResponseContract } from '../support/fuzz/openapi-document';

/** The checker the contract fuzz relies on: it must see each way an answer can break a document. */

const doc: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'test', version: '1' },
  paths: {
    '/v1/things/{id}': {
      get: {
        responses: {
          '200': {
            headers: { ETag: { required: true, schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '304': { description: 'not modified' },
          '4XX': { $ref: '#/components/responses/Problem' },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'count'],
        additionalProperties: false,
        properties: { id: { type: 'string', format: 'uuid' }, count: { type: 'integer', format: 'int32' } },
      },
    },
    responses: {
      Problem: {
        description: 'problem',
        content: {
          'application/problem+json': {
            schema: { type: 'object', required: ['status'], properties: { status: { type: 'integer' } } },
          },
        },
      },
    },
  },
};

const contract = new ResponseContract(doc);
const op = contract.find('GET', '/v1/things/6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f');
const thing = JSON.stringify({ id: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', count: 2 });
const json = { 'content-type': 'application/json; charset=utf-8', etag: '"v1"' };

describe('ResponseContract', () => {
  it('finds the operation of a concrete path, and no other', () => {
    expect(op?.label).toBe('GET /v1/things/{id}');
    expect(contract.find('POST', '/v1/things/x')).toBeUndefined();
    expect(contract.find('GET', '/v1/things/x/y')).toBeUndefined();
  });

  it('accepts a conforming answer, a 304 without a body and a problem through a 4XX range', () => {
    expect(contract.check(op!, { status: 200, headers: json, body: thing })).toEqual([]);
    expect(contract.check(op!, { status: 304, headers: {}, body: '' })).toEqual([]);
    const problem = { 'content-type': 'application/problem+json' };
    expect(contract.check(op!, { status: 404, headers: problem, body: '{"status":404}' })).toEqual([]);
  });

  it('reports an undocumented status, Content-Type, missing required header and each schema mismatch', () => {
    const check = (status: number, headers: Record<string, string>, body: string): string =>
      contract.check(op!, { status, headers, body }).join('\n');
    expect(check(500, json, thing)).toMatch(/status 500 is not documented .*\(documented: 200, 304, 4XX\)/);
    expect(check(200, { ...json, 'content-type': 'text/html' }, thing)).toMatch(/Content-Type "text\/html"/);
    expect(check(200, { 'content-type': 'application/json' }, thing)).toMatch(/lacks the header ETag/);
    expect(check(200, json, '{"id":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"}')).toMatch(/must have required property/);
    expect(check(200, json, '{"id":"nope","count":1}')).toMatch(/must match format "uuid"/);
    expect(check(200, json, '{"id":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","count":1,"x":1}')).toMatch(
      /additional properties/,
    );
    expect(check(200, json, 'not json')).toMatch(/not JSON/);
    expect(check(404, { 'content-type': 'application/problem+json' }, '{}')).toMatch(/status/);
  });
});
