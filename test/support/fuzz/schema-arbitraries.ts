import fc from 'fast-check';
import { atPointer, type JsonSchema, type OpenApiDocument } from './openapi-document';

/*
 * fast-check arbitraries derived from the JSON schemas of an OpenAPI 3.1 document: values a schema accepts, and
 * values it refuses (one thing wrong: a missing required property, an unknown one, a wrong type, out of range).
 * Property names the fuzz knows better (ids, tokens, e-mails of its own accounts) can be given values of their own
 * through `hints`, so that valid requests reach real data and not only 404s.
 */

/** A value for a property, or undefined to use its schema. */
export type PropertyHint = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

const MAX_DEPTH = 6;
const MAX_ITEMS = 4;
const MAX_GENERATED_STRING = 40;

const asSchema = (value: unknown): JsonSchema =>
  typeof value === 'object' && value !== null ? (value as JsonSchema) : {};

export class SchemaArbitraries {
  constructor(
    private readonly doc: OpenApiDocument,
    private readonly hints: PropertyHint = () => undefined,
  ) {}

  /** Follows `$ref`s and merges `allOf`, so that the other methods see plain schemas. */
  resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
      const { $ref, ...rest } = current;
      current = { ...asSchema(atPointer(this.doc, $ref as string)), ...rest };
    }
    if (Array.isArray(current.allOf)) {
      const { allOf, ...rest } = current;
      return (allOf as JsonSchema[]).map((part) => this.resolve(part)).reduce(mergeSchemas, rest);
    }
    return current;
  }

  /** Values the schema accepts. */
  valid(input: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    const choices = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
    if (Array.isArray(choices) && choices.length > 0) {
      return fc.oneof(
        ...choices.map((choice) => this.valid({ ...withoutChoices(schema), ...this.resolve(choice) }, depth)),
      );
    }
    const types = typesOf(schema);
    if (types.length > 1) return fc.oneof(...types.map((type) => this.valid({ ...schema, type }, depth)));
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer(integerRange(schema));
      case 'number':
        return fc.double({ ...numberRange(schema), noNaN: true, noDefaultInfinity: true });
      case 'string':
        return stringOf(schema);
      case 'array': {
        const minLength = Number(schema.minItems ?? 0);
        const maxLength = Math.max(minLength, Math.min(Number(schema.maxItems ?? MAX_ITEMS), MAX_ITEMS));
        if (depth >= MAX_DEPTH) return fc.constant([]);
        return fc.array(this.valid(asSchema(schema.items), depth + 1), { minLength, maxLength });
      }
      case 'object':
      default:
        return this.object(schema, depth);
    }
  }

  /** Values the schema refuses, each with one thing wrong (where the schema constrains anything at all). */
  invalid(input: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    const wrongType = fc.constantFrom<unknown>(...WRONG_TYPE_VALUES.filter((value) => !typeAllows(schema, value)));
    const options: Array<fc.Arbitrary<unknown>> = [wrongType];
    const types = typesOf(schema);
    if (types.includes('string') && typeof schema.maxLength === 'number') {
      options.push(fc.constant('x'.repeat(Number(schema.maxLength) + 1)));
    }
    if (types.includes('string') && Number(schema.minLength ?? 0) > 0) options.push(fc.constant(''));
    if (types.includes('integer') || types.includes('number')) {
      if (typeof schema.maximum === 'number') options.push(fc.constant(Number(schema.maximum) + 1));
      if (typeof schema.minimum === 'number') options.push(fc.constant(Number(schema.minimum) - 1));
      if (types.includes('integer')) options.push(fc.constant(1.5));
    }
    if (Array.isArray(schema.enum)) options.push(fc.constant('not-one-of-the-values'));
    if (types.includes('object') || schema.properties !== undefined) {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema.required ?? []) as string[];
      const valid = this.object(schema, depth) as fc.Arbitrary<Record<string, unknown>>;
      options.push(valid.map((value) => ({ ...value, unknownProperty: 'not in the schema' })));
      if (required.length > 0) {
        options.push(
          fc.tuple(valid, fc.constantFrom(...required)).map(([value, name]) => {
            const copy = { ...value };
            delete copy[name];
            return copy;
          }),
        );
      }
      const names = Object.keys(properties);
      if (names.length > 0 && depth < MAX_DEPTH) {
        options.push(
          fc
            .constantFrom(...names)
            .chain((name) => fc.tuple(valid, fc.constant(name), this.invalid(asSchema(properties[name]), depth + 1)))
            .map(([value, name, bad]) => ({ ...value, [name]: bad })),
        );
      }
    }
    if (types.includes('array') && depth < MAX_DEPTH) {
      if (Number(schema.minItems ?? 0) > 0) options.push(fc.constant([]));
      options.push(this.invalid(asSchema(schema.items), depth + 1).map((bad) => [bad]));
    }
    return fc.oneof(...options);
  }

  private object(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    if (depth >= MAX_DEPTH) return fc.constant({});
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, property] of Object.entries(properties)) {
      model[name] = this.hints(name, this.resolve(property)) ?? this.valid(property, depth + 1);
    }
    return fc.record(model, { requiredKeys: Object.keys(model).filter((name) => required.has(name)) });
  }
}

const WRONG_TYPE_VALUES: readonly unknown[] = [null, 'a string', 42, true, [], {}];

function typeAllows(schema: JsonSchema, value: unknown): boolean {
  const types = typesOf(schema);
  const kind =
    value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'integer' : typeof value;
  return types.includes(kind) || (kind === 'integer' && types.includes('number'));
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties !== undefined) return ['object'];
  if (schema.items !== undefined) return ['array'];
  return ['object'];
}

function withoutChoices(schema: JsonSchema): JsonSchema {
  const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
  return rest;
}

function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  return {
    ...a,
    ...b,
    properties: { ...asSchema(a.properties), ...asSchema(b.properties) },
    required: [...((a.required as string[]) ?? []), ...((b.required as string[]) ?? [])],
  };
}

function integerRange(schema: JsonSchema): { min: number; max: number } {
  let min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
  let max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
  if (typeof schema.exclusiveMinimum === 'number') min = Math.max(min, Math.floor(schema.exclusiveMinimum) + 1);
  if (typeof schema.exclusiveMaximum === 'number') max = Math.min(max, Math.ceil(schema.exclusiveMaximum) - 1);
  return {
    min: Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER)),
    max: Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER)),
  };
}

function numberRange(schema: JsonSchema): { min: number; max: number } {
  return {
    min: typeof schema.minimum === 'number' ? schema.minimum : -1_000_000,
    max: typeof schema.maximum === 'number' ? schema.maximum : 1_000_000,
  };
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Math.max(minLength, Math.min(Number(schema.maxLength ?? MAX_GENERATED_STRING), 200));
  const fits = (s: string): boolean => s.length >= minLength && s.length <= maxLength;
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc
        .nat()
        .map((n) => `fuzz-${n}@example.test`)
        .filter(fits);
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uri':
      return fc.webUrl();
  }
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  }
  return fc.string({ minLength, maxLength });
}
