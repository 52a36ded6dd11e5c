import fc from 'fast-check';
import type { RequestBody } from './fuzz-request';
import { contentType } from './header-arbitraries';
import { hostileValue, hugeValue, INVALID_UTF8_BODIES, MALFORMED_JSON_BODIES } from './hostile-values';
import { type JsonText, objectText } from './json-text';

/** One property of a request DTO and how to make a valid value for it. */
export interface FieldSpec {
  name: string;
  valid: fc.Arbitrary<JsonText>;
  optional?: boolean;
}

type Member = readonly [string, JsonText];

/** How a valid object is spoiled; `field` picks a DTO property (modulo their number). */
type Mutation =
  | { op: 'replace'; field: number; value: JsonText }
  | { op: 'null'; field: number }
  | { op: 'remove'; field: number }
  | { op: 'repeat'; field: number; value: JsonText }
  | { op: 'extra'; name: string; value: JsonText };

const EXTRA_PROPERTY_NAMES = [
  'role',
  'isAdmin',
  'id',
  'userId',
  'version',
  'createdAt',
  'passwordHash',
  'totalCents',
  'unitPriceCents',
  'status',
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'EMAIL',
  '$where',
  'a'.repeat(1_000),
  '\ud800',
];

const extraName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EXTRA_PROPERTY_NAMES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('replace' as const), field: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('null' as const), field: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), field: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), field: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('extra' as const), name: extraName, value: hostileValue }) },
);

/** Every required field with a valid value, optional ones sometimes. */
function validMembers(fields: readonly FieldSpec[]): fc.Arbitrary<Member[]> {
  const values = fields.map((field) =>
    field.optional ? fc.option(field.valid, { nil: undefined, freq: 3 }) : field.valid,
  );
  return fc
    .tuple(...values)
    .map((texts) => fields.flatMap((field, i): Member[] => (texts[i] === undefined ? [] : [[field.name, texts[i]]])));
}

function setMember(members: readonly Member[], name: string, value: JsonText): Member[] {
  return members.some(([n]) => n === name)
    ? members.map(([n, v]): Member => (n === name ? [n, value] : [n, v]))
    : [...members, [name, value]];
}

function applyMutation(fields: readonly FieldSpec[], members: readonly Member[], change: Mutation): Member[] {
  if (change.op === 'extra') return [...members, [change.name, change.value]];
  if (fields.length === 0) return [...members];
  const name = fields[change.field % fields.length].name;
  switch (change.op) {
    case 'replace':
      return setMember(members, name, change.value);
    case 'null':
      return setMember(members, name, 'null');
    case 'remove':
      return members.filter(([n]) => n !== name);
    case 'repeat':
      return [...members, [name, change.value]];
  }
}

/** A valid object with one to three mutations: a hostile value, `null`, a missing, repeated or unknown property. */
export function mutatedObject(fields: readonly FieldSpec[]): fc.Arbitrary<JsonText> {
  return fc
    .tuple(validMembers(fields), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([members, changes]) =>
      objectText(changes.reduce((acc, change) => applyMutation(fields, acc, change), members)),
    );
}

/** Valid, mutated, not an object, huge, or not JSON at all. */
function bodyText(fields: readonly FieldSpec[]): fc.Arbitrary<JsonText> {
  return fc.oneof(
    { weight: 30, arbitrary: validMembers(fields).map(objectText) },
    { weight: 42, arbitrary: mutatedObject(fields) },
    { weight: 5, arbitrary: hostileValue },
    { weight: 2, arbitrary: hugeValue },
    { weight: 5, arbitrary: fc.constantFrom(...MALFORMED_JSON_BODIES) },
  );
}

/** A request's body and its Content-Type. */
export interface BodyPart {
  contentType: string | undefined;
  body: RequestBody | undefined;
}

const utf8 = (text: string): RequestBody => ({ text, encoding: 'utf8' });
const latin1 = (text: string): RequestBody => ({ text, encoding: 'latin1' });

/** The body of a route that takes a JSON DTO. */
export function jsonBody(fields: readonly FieldSpec[]): fc.Arbitrary<BodyPart> {
  return fc.record({
    contentType,
    body: fc.oneof(
      { weight: 92, arbitrary: bodyText(fields).map(utf8) },
      { weight: 3, arbitrary: fc.constantFrom(...INVALID_UTF8_BODIES).map(latin1) },
      { weight: 5, arbitrary: fc.constant(undefined) },
    ),
  });
}

/** The body of a route that takes none: usually none, sometimes one anyway. */
export const strayBody: fc.Arbitrary<BodyPart> = fc.oneof(
  { weight: 90, arbitrary: fc.constant<BodyPart>({ contentType: undefined, body: undefined }) },
  {
    weight: 10,
    arbitrary: fc.record({
      contentType,
      body: fc.oneof(fc.constant('{}'), hostileValue, fc.constantFrom(...MALFORMED_JSON_BODIES)).map(utf8),
    }),
  },
);
