import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { repoRoot } from '../repo-files';

/*
 * The committed OpenAPI document (openapi.json at the repository root, written by `npm run openapi`) as the contract
 * tests read it: its operations, and a checker that tells whether an answer is one the document promises.
 */

/** The committed document; OPENAPI_FILE=<path> checks another one (a candidate, before it is committed). */
export const OPENAPI_FILE = process.env.OPENAPI_FILE ?? join(repoRoot, 'openapi.json');

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type JsonSchema = Record<string, unknown>;

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface MediaTypeObject {
  schema?: JsonSchema;
}

export interface ResponseObject {
  description?: string;
  headers?: Record<string, { required?: boolean; schema?: JsonSchema; $ref?: string }>;
  content?: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Array<ParameterObject | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, MediaTypeObject> } | { $ref: string };
  responses?: Record<string, ResponseObject | { $ref: string }>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], OperationObject>> & Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
}

export interface DocumentedOperation {
  /** Upper case, e.g. `PATCH`. */
  method: string;
  /** The templated path, e.g. `/v1/orders/{id}`. */
  path: string;
  /** `PATCH /v1/orders/{id}`. */
  label: string;
  operation: OperationObject;
  /** JSON pointer of the operation in the document, e.g. `#/paths/~1v1~1orders/get`. */
  pointer: string;
}

/** The committed document; a clear error when it is missing (it is written by `npm run openapi`). */
export function loadOpenApi(file = OPENAPI_FILE): OpenApiDocument {
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: the contract checks read the committed document (npm run openapi writes it)`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item[method];
      if (!operation) return [];
      const upper = method.toUpperCase();
      return [
        {
          method: upper,
          path,
          label: `${upper} ${path}`,
          operation,
          pointer: `#/paths/${escapePointer(path)}/${method}`,
        },
      ];
    }),
  );
}

/** The value at a local JSON pointer (`#/components/schemas/X`). */
export function atPointer(doc: OpenApiDocument, pointer: string): unknown {
  if (!pointer.startsWith('#')) throw new Error(`only local references are supported, got ${pointer}`);
  let node: unknown = doc;
  for (const segment of pointer.slice(2).split('/').filter(Boolean)) {
    node = (node as Record<string, unknown> | undefined)?.[unescapePointer(segment)];
  }
  return node;
}

/** Follows `$ref`s until an object that is not a reference, with the pointer it was found at. */
export function deref<T>(
  doc: OpenApiDocument,
  value: T | { $ref: string },
  pointer: string,
): { value: T; pointer: string } {
  let current: unknown = value;
  let at = pointer;
  for (let hops = 0; hops < 20; hops++) {
    const ref = (current as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref !== 'string') return { value: current as T, pointer: at };
    at = ref;
    current = atPointer(doc, ref);
  }
  throw new Error(`reference cycle at ${pointer}`);
}

/** The operation's parameters, references resolved. */
export function parametersOf(doc: OpenApiDocument, op: DocumentedOperation): ParameterObject[] {
  const item = doc.paths[op.path] as { parameters?: Array<ParameterObject | { $ref: string }> };
  return [...(item.parameters ?? []), ...(op.operation.parameters ?? [])].map(
    (p) => deref<ParameterObject>(doc, p, op.pointer).value,
  );
}

/** Whether the operation needs credentials (its own `security`, else the document's). */
export function requiresAuth(doc: OpenApiDocument, op: DocumentedOperation): boolean {
  const security = op.operation.security ?? doc.security ?? [];
  return security.length > 0 && !security.some((requirement) => Object.keys(requirement).length === 0);
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export const mediaTypeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const isJsonMedia = (media: string): boolean => media === 'application/json' || media.endsWith('+json');

function mediaMatches(documented: string, actual: string): boolean {
  const [type, subtype] = documented.toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
}

/** What a response carried, whichever client got it. */
export interface ObservedResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (empty when there was none). */
  body: string;
}

/** A documented response, found by status (exact code, then `4XX`-style range, then `default`). */
export interface DocumentedResponse {
  key: string;
  response: ResponseObject;
  pointer: string;
}

/**
 * Checks answers against the document: the status is documented for the operation, the Content-Type is one the
 * response documents, a JSON body validates against its schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses),
 * and the headers the response marks required are there.
 */
export class ResponseContract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  readonly operations: DocumentedOperation[];

  constructor(readonly doc: OpenApiDocument) {
    // OpenAPI adds keywords of its own (example, discriminator, xml, externalDocs): not validation, not errors.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(doc as unknown as JsonSchema, 'openapi.json');
    this.operations = operationsOf(doc);
  }

  /** The operation a concrete method and path (no query) belong to, if the document has one. */
  find(method: string, path: string): DocumentedOperation | undefined {
    const upper = method.toUpperCase();
    return this.operations.find((op) => op.method === upper && templateRegex(op.path).test(path));
  }

  documentedResponse(op: DocumentedOperation, status: number): DocumentedResponse | undefined {
    const responses = op.operation.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find(
      (candidate) => responses[candidate] !== undefined,
    );
    if (key === undefined) return undefined;
    const { value, pointer } = deref<ResponseObject>(
      this.doc,
      responses[key] as ResponseObject,
      `${op.pointer}/responses/${key}`,
    );
    return { key, response: value, pointer };
  }

  /** Every way the answer differs from what the document says of this operation (empty: it conforms). */
  check(op: DocumentedOperation, observed: ObservedResponse): string[] {
    const documented = this.documentedResponse(op, observed.status);
    if (!documented) {
      const listed = Object.keys(op.operation.responses ?? {}).join(', ') || 'none';
      return [`status ${observed.status} is not documented for ${op.label} (documented: ${listed})`];
    }
    const problems: string[] = [];
    const header = (name: string): string | undefined => {
      const value = observed.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    for (const [name, spec] of Object.entries(documented.response.headers ?? {})) {
      const resolved = deref<{ required?: boolean }>(this.doc, spec, documented.pointer).value;
      if (resolved.required && header(name) === undefined) {
        problems.push(`${observed.status} lacks the header ${name}, which the document marks required`);
      }
    }
    const content = documented.response.content ?? {};
    const mediaTypes = Object.keys(content);
    const bodyless = observed.body.length === 0 || observed.status === 204 || observed.status === 304;
    if (mediaTypes.length === 0) {
      if (!bodyless) problems.push(`${observed.status} has a body but the document describes none`);
      return problems;
    }
    if (bodyless) return problems;
    const actual = mediaTypeOf(header('content-type'));
    const media = mediaTypes.find((candidate) => mediaMatches(candidate, actual));
    if (!media) {
      problems.push(
        `${observed.status} Content-Type "${actual || '(none)'}" is not documented (${mediaTypes.join(', ')})`,
      );
      return problems;
    }
    if (!isJsonMedia(actual) || content[media]?.schema === undefined) return problems;
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      problems.push(`${observed.status} ${actual} body is not JSON: ${observed.body.slice(0, 120)}`);
      return problems;
    }
    const validate = this.validator(`${documented.pointer}/content/${escapePointer(media)}/schema`);
    if (!validate(body)) {
      const errors = (validate.errors ?? [])
        .slice(0, 5)
        .map(
          (e) =>
            `${e.instancePath || '(body)'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
        );
      problems.push(`${observed.status} body does not match the schema at ${documented.pointer}: ${errors.join('; ')}`);
    }
    return problems;
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi.json${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}

const templateCache = new Map<string, RegExp>();

/** `/v1/orders/{id}` → a regex matching `/v1/orders/<one segment>`. */
export function templateRegex(template: string): RegExp {
  let regex = templateCache.get(template);
  if (!regex) {
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`);
    templateCache.set(template, regex);
  }
  return regex;
}
