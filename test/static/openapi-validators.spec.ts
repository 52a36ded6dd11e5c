import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DECORATORS, getSchemaPath } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@app/auth';
import { allowsNull } from '@app/core';
import { AppModule } from '../../apps/api/src/app.module';
import { testConfig } from '../support/test-config';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/**
 * The committed OpenAPI document says what the validators enforce: for every body DTO and query class a route
 * takes (found through the app's controllers, nested DTOs included), each property's schema has exactly the
 * limits class-validator checks, and the schema names no property the whitelist would refuse.
 */

interface Schema {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const document = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const operations = new Map(
  Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => [op.operationId, op] as const)),
);

const schemaNamed = (ref: string): Schema => {
  const schema = document.components.schemas[ref.slice(ref.lastIndexOf('/') + 1)];
  expect(schema, ref).toBeDefined();
  return schema;
};

/** Every controller of the application's module graph. */
function controllersOf(root: DynamicModule): Type<unknown>[] {
  const found = new Set<Type<unknown>>();
  const seen = new Set<unknown>();
  const visit = (entry: unknown): void => {
    if (entry === undefined || entry === null || seen.has(entry)) return;
    seen.add(entry);
    const dynamic = typeof entry === 'object' && 'module' in entry ? (entry as DynamicModule) : undefined;
    const moduleClass = (dynamic?.module ?? entry) as Type<unknown>;
    const controllers = [
      ...((Reflect.getMetadata('controllers', moduleClass) as Type<unknown>[] | undefined) ?? []),
      ...((dynamic?.controllers as Type<unknown>[] | undefined) ?? []),
    ];
    for (const controller of controllers) found.add(controller);
    const imports = [
      ...((Reflect.getMetadata('imports', moduleClass) as unknown[] | undefined) ?? []),
      ...(dynamic?.imports ?? []),
    ];
    for (const imported of imports) visit(imported);
  };
  visit(root);
  return [...found];
}

interface Input {
  operation: Operation;
  kind: 'body' | 'query';
  dto: Type<unknown>;
}

/** The `@Body()` and `@Query()` classes of every handler, with the operation that documents the handler. */
function inputsOf(controllers: Type<unknown>[]): Input[] {
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype).flatMap((method): Input[] => {
      const handler = (controller.prototype as Record<string, unknown>)[method];
      const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as
        Record<string, { index: number }> | undefined;
      if (typeof handler !== 'function' || args === undefined) return [];
      const { operationId } = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) ?? {}) as {
        operationId?: string;
      };
      const operation = operations.get(operationId ?? '');
      const types = Reflect.getMetadata('design:paramtypes', controller.prototype, method) as Type<unknown>[];
      return Object.entries(args).flatMap(([key, { index }]): Input[] => {
        const paramtype = Number(key.split(':')[0]);
        const kind =
          paramtype === RouteParamtypes.BODY ? 'body' : paramtype === RouteParamtypes.QUERY ? 'query' : undefined;
        if (kind === undefined) return [];
        expect(operation, `${controller.name}.${method} has no documented operation`).toBeDefined();
        return [{ operation: operation as Operation, kind, dto: types[index] }];
      });
    }),
  );
}

/** What the document must say about a property, derived from its validators. */
function expectedSchema(validators: ValidationMetadata[]): {
  schema: Schema;
  optional: boolean;
  nested?: Type<unknown>;
} {
  const schema: Schema = {};
  let optional = false;
  let nullable = false;
  for (const v of validators) {
    const [a, b] = (v.constraints ?? []) as unknown[];
    switch (v.name ?? v.type) {
      case 'conditionalValidation':
        optional = true;
        nullable ||= allowsNull(a);
        break;
      case 'isString':
        schema.type = 'string';
        break;
      case 'isInt':
        schema.type = 'integer';
        break;
      case 'isBoolean':
        schema.type = 'boolean';
        break;
      case 'isArray':
        schema.type = 'array';
        break;
      case 'isEmail':
        schema.format = 'email';
        break;
      case 'isUuid':
        schema.format = 'uuid';
        break;
      case 'isIn':
        schema.enum = [...(a as unknown[])];
        break;
      case 'matches':
        schema.pattern = (a as RegExp).source;
        break;
      case 'min':
        schema.minimum = a as number;
        break;
      case 'max':
        schema.maximum = a as number;
        break;
      case 'isLength':
        schema.minLength = a as number;
        if (b !== undefined) schema.maxLength = b as number;
        break;
      case 'minLength':
        schema.minLength = a as number;
        break;
      case 'maxLength':
        schema.maxLength = a as number;
        break;
      case 'arrayMinSize':
        schema.minItems = a as number;
        break;
      case 'arrayMaxSize':
        schema.maxItems = a as number;
        break;
      case 'passwordIsString':
        schema.type = 'string';
        break;
      case 'passwordMinLength':
        schema.minLength = PASSWORD_MIN_LENGTH;
        break;
      case 'passwordMaxLength':
        schema.maxLength = PASSWORD_MAX_LENGTH;
        break;
      // Checks a schema cannot state (or states elsewhere): described in words where they matter.
      case 'passwordNotCommon':
      case 'uniqueBy':
      case 'isObject':
      case 'nestedValidation':
        break;
      default:
        throw new Error(`no OpenAPI mapping for the validator ${v.name ?? v.type}: add one to this test`);
    }
  }
  if (nullable && typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  return { schema, optional };
}

/**
 * The limits of a schema, without its words (description, example, default), UI hints (`format: password`) and an
 * integer's width (`format: int32`: its `minimum` and `maximum` are the limits, and lie within it).
 */
const limitsOf = (schema: Schema): Schema => {
  const { type, pattern, minimum, maximum, minLength, maxLength, minItems, maxItems } = schema;
  const format = ['password', 'int32', 'int64'].includes(schema.format ?? '') ? undefined : schema.format;
  const limits: Schema = { type, format, pattern, minimum, maximum, minLength, maxLength, minItems, maxItems };
  if (schema.enum) limits.enum = schema.enum;
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as Schema;
};

/** A limit class-validator implies without a decorator of its own (Matches only takes strings, IsIn a value). */
const implied = (expected: Schema, actual: Schema): Schema => {
  const withType = { ...expected };
  if (
    withType.type === undefined &&
    actual.type === 'string' &&
    (expected.pattern || expected.format || expected.enum)
  ) {
    withType.type = 'string';
  }
  return withType;
};

function compare(
  dto: Type<unknown>,
  properties: Record<string, Schema>,
  required: string[],
  checked: Set<unknown>,
): void {
  if (checked.has(dto)) return;
  checked.add(dto);
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadata) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  expect(Object.keys(properties).sort(), `${dto.name}: documented properties`).toEqual([...byProperty.keys()].sort());
  for (const [property, validators] of byProperty) {
    const { schema: expected, optional } = expectedSchema(validators);
    const actual = properties[property];
    expect(limitsOf(actual), `${dto.name}.${property}`).toEqual(implied(expected, actual));
    expect(required.includes(property), `${dto.name}.${property} required`).toBe(!optional);
    if (validators.some((v) => v.type === 'nestedValidation')) {
      const apiProperty = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, property) as {
        type: () => unknown;
      };
      const nested = [(apiProperty.type as () => unknown)()].flat()[0] as Type<unknown>;
      const ref = actual.items?.$ref ?? actual.$ref;
      expect(ref, `${dto.name}.${property} refers to ${nested.name}`).toBe(getSchemaPath(nested));
      const schema = schemaNamed(ref as string);
      expect(schema.additionalProperties, `${nested.name} is closed`).toBe(false);
      compare(nested, schema.properties ?? {}, schema.required ?? [], checked);
    }
  }
}

describe('OpenAPI schemas and class-validator agree', () => {
  const inputs = inputsOf(controllersOf(AppModule.forRoot(testConfig())));

  it('finds the request DTOs and query classes of every route', () => {
    const names = inputs.map(({ dto }) => dto.name);
    expect(names).toEqual(expect.arrayContaining(['CreateOrderDto', 'ListOrdersQuery', 'RegisterDto', 'UpdateMeDto']));
    expect(inputs.length).toBeGreaterThanOrEqual(12);
  });

  it('documents each body with the limits its validators enforce, closed to unknown properties', () => {
    const checked = new Set<unknown>();
    for (const { operation, kind, dto } of inputs.filter((input) => input.kind === 'body')) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      expect(schema?.$ref, `${operation.operationId}: ${kind} ${dto.name}`).toBe(getSchemaPath(dto));
      const target = schemaNamed(schema?.$ref as string);
      expect(target.additionalProperties, `${dto.name} is closed`).toBe(false);
      compare(dto, target.properties ?? {}, target.required ?? [], checked);
    }
  });

  it('documents each query parameter with the limits its validators enforce', () => {
    for (const { operation, dto } of inputs.filter((input) => input.kind === 'query')) {
      const parameters = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const properties = Object.fromEntries(parameters.map((p) => [p.name, p.schema]));
      const required = parameters.filter((p) => p.required === true).map((p) => p.name);
      compare(dto, properties, required, new Set());
    }
  });
});

/** Metadata set on the handler, else on its controller (as Nest's Reflector.getAllAndOverride reads it). */
const metadataOf = (key: string, controller: Type<unknown>, handler: unknown): unknown =>
  Reflect.getMetadata(key, handler as object) ?? Reflect.getMetadata(key, controller);

describe('OpenAPI security and statuses follow the guards', () => {
  const controllers = controllersOf(AppModule.forRoot(testConfig()));
  const handlers = controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .map((name) => ({ controller, name, handler: (controller.prototype as Record<string, unknown>)[name] }))
      .filter(({ handler }) => typeof handler === 'function' && Reflect.hasMetadata('method', handler as object)),
  );

  it.each(
    handlers.map(({ controller, name, handler }) => [`${controller.name}.${name}`, controller, handler] as const),
  )('%s', (_label, controller, handler) => {
    const { operationId } = Reflect.getMetadata(DECORATORS.API_OPERATION, handler as object) as { operationId: string };
    const operation = operations.get(operationId) as Operation;
    expect(operation, operationId).toBeDefined();
    const isPublic = metadataOf('auth:public', controller, handler) === true;
    const needsBearer = (operation.security ?? [{ bearer: [] }]).some((requirement) => 'bearer' in requirement);
    expect(needsBearer, `${operationId}: bearer security iff not @Public()`).toBe(!isPublic);
    if (!isPublic) expect(operation.responses, `${operationId}: 401`).toHaveProperty('401');
    const roles = metadataOf('auth:roles', controller, handler) as unknown[] | undefined;
    // 403 is the roles guard's answer; a route may also refuse by a rule about the caller with a 403 of its own
    // type, which its description names (docs/api-conventions.md: `purchase-required`).
    const forbidden = operation.responses['403'] as { description?: string } | undefined;
    const ownForbidden =
      /`[a-z-]+`/.test(forbidden?.description ?? '') && !/`forbidden`/.test(forbidden?.description ?? '');
    if ((roles ?? []).length > 0) expect(forbidden, `${operationId}: 403 with @Roles()`).toBeDefined();
    else
      expect(
        forbidden === undefined || ownForbidden,
        `${operationId}: 403 only with @Roles() or a type of its own`,
      ).toBe(true);
    const skipsThrottle = metadataOf('THROTTLER:SKIPdefault', controller, handler) === true;
    expect('429' in operation.responses, `${operationId}: 429 unless @SkipThrottle()`).toBe(!skipsThrottle);
    for (const status of ['500', '503'])
      expect(operation.responses, `${operationId}: ${status}`).toHaveProperty(status);
  });
});
