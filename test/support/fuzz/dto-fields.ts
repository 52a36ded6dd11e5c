import fc from 'fast-check';
import { type FieldSpec, mutatedObject } from './json-bodies';
import { type JsonText, jsonString, objectText } from './json-text';
import { ref } from './placeholders';

/*
 * The request DTOs (libs/users, libs/catalog and libs/orders, src/dto), field by field, with generators of valid
 * values; hostile values come from the mutations of json-bodies.ts.
 */

// --- valid values -----------------------------------------------------------------------------------------------

const text = (minLength: number, maxLength: number, prefix = ''): fc.Arbitrary<JsonText> =>
  fc.string({ unit: 'grapheme', minLength, maxLength }).map((s) => jsonString(prefix + s));

export const freshEmail: fc.Arbitrary<JsonText> = fc
  .tuple(fc.nat(), fc.constantFrom('example.test', 'Example.TEST'))
  .map(([n, domain]) => jsonString(`fuzz-${n}@${domain}`));

const strongPassword = fc
  .string({ unit: 'grapheme-ascii', minLength: 12, maxLength: 40 })
  .map((s) => jsonString(`Fz-${s}`));

export const knownEmail = fc.constantFrom(ref.email('user'), ref.email('admin')).map(jsonString);

const refreshToken: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(jsonString(ref.refreshToken('user'))) },
  { weight: 1, arbitrary: fc.constant(jsonString(ref.refreshToken('admin'))) },
  {
    weight: 3,
    arbitrary: fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .map((bytes) => jsonString(Buffer.from(bytes).toString('base64url'))),
  },
  { weight: 1, arbitrary: text(16, 60) },
);

const int = (min: number, max: number): fc.Arbitrary<JsonText> => fc.integer({ min, max }).map(String);
const bool: fc.Arbitrary<JsonText> = fc.constantFrom('true', 'false');

const productRef: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((i) => jsonString(ref.id('product', i))) },
  { weight: 1, arbitrary: fc.nat().map((i) => jsonString(ref.id('product', i, true))) },
  { weight: 1, arbitrary: fc.uuid().map(jsonString) },
);

const ORDER_LINE_FIELDS: readonly FieldSpec[] = [
  { name: 'productId', valid: productRef },
  { name: 'quantity', valid: int(1, 5) },
];

const orderLine: fc.Arbitrary<JsonText> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(productRef, int(1, 5)).map(([productId, quantity]) =>
      objectText([
        ['productId', productId],
        ['quantity', quantity],
      ]),
    ),
  },
  { weight: 2, arbitrary: mutatedObject(ORDER_LINE_FIELDS) },
);

const orderItems: fc.Arbitrary<JsonText> = fc
  .array(orderLine, { minLength: 1, maxLength: 4 })
  .map((lines) => `[${lines.join(',')}]`);

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];

// --- DTOs ------------------------------------------------------------------------------------------------------------

export const REGISTER: readonly FieldSpec[] = [
  { name: 'email', valid: fc.oneof({ weight: 5, arbitrary: freshEmail }, { weight: 1, arbitrary: knownEmail }) },
  { name: 'password', valid: strongPassword },
  { name: 'name', valid: text(1, 40, 'Fuzz ') },
];

export const LOGIN: readonly FieldSpec[] = [
  { name: 'email', valid: fc.oneof({ weight: 3, arbitrary: knownEmail }, { weight: 1, arbitrary: freshEmail }) },
  {
    name: 'password',
    valid: fc.oneof(
      { weight: 2, arbitrary: fc.constant(jsonString(ref.password('user'))) },
      { weight: 1, arbitrary: fc.constant(jsonString(ref.password('admin'))) },
      { weight: 3, arbitrary: text(1, 40) },
    ),
  },
];

export const REFRESH: readonly FieldSpec[] = [{ name: 'refreshToken', valid: refreshToken }];

export const UPDATE_ME: readonly FieldSpec[] = [
  { name: 'name', valid: text(1, 40, 'Fuzz '), optional: true },
  { name: 'password', valid: strongPassword, optional: true },
  { name: 'currentPassword', valid: text(1, 40), optional: true },
];

export const UPDATE_USER: readonly FieldSpec[] = [
  { name: 'role', valid: fc.constantFrom('"user"', '"admin"'), optional: true },
  { name: 'disabled', valid: bool, optional: true },
];

const sku = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{1,20}$/).map(jsonString);
const currency = fc.constantFrom('"EUR"', '"USD"', '"GBP"');

export const CREATE_PRODUCT: readonly FieldSpec[] = [
  { name: 'sku', valid: sku },
  { name: 'name', valid: text(1, 40, 'Fuzz ') },
  { name: 'description', valid: text(0, 60), optional: true },
  { name: 'priceCents', valid: int(0, 100_000) },
  { name: 'currency', valid: currency },
  { name: 'stock', valid: int(0, 1_000_000) },
  { name: 'active', valid: bool, optional: true },
];

export const UPDATE_PRODUCT: readonly FieldSpec[] = [
  { name: 'name', valid: text(1, 40, 'Fuzz '), optional: true },
  { name: 'description', valid: text(0, 60), optional: true },
  { name: 'priceCents', valid: int(0, 100_000), optional: true },
  { name: 'stock', valid: int(0, 1_000_000), optional: true },
  { name: 'active', valid: bool, optional: true },
];

const rating = int(1, 5);

export const CREATE_REVIEW: readonly FieldSpec[] = [
  { name: 'rating', valid: rating },
  { name: 'comment', valid: text(1, 80, 'Fuzz '), optional: true },
];

export const UPDATE_REVIEW: readonly FieldSpec[] = [
  { name: 'rating', valid: rating, optional: true },
  { name: 'comment', valid: fc.oneof(text(1, 80, 'Fuzz '), fc.constant('null')), optional: true },
];

export const CREATE_ORDER: readonly FieldSpec[] = [{ name: 'items', valid: orderItems }];

export const CHANGE_STATUS: readonly FieldSpec[] = [
  { name: 'status', valid: fc.constantFrom(...ORDER_STATUSES).map(jsonString) },
];
