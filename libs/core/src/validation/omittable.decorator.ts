import { ValidateIf } from 'class-validator';

const present = (_object: object, value: unknown): boolean => value !== undefined;
const presentAndNotNull = (_object: object, value: unknown): boolean => value !== undefined && value !== null;

/**
 * A property the client may leave out, but not set to `null`: only an absent property skips the property's
 * other validators. (class-validator's `@IsOptional()` lets `null` through too, which then reaches a NOT NULL
 * column or a service that does not expect it; lint refuses `IsOptional` for that reason.)
 */
export const Omittable = (): PropertyDecorator => ValidateIf(present);

/**
 * A property the client may leave out or set to `null` on purpose (in a PATCH, `null` clears a nullable column:
 * `comment: null`); any other value goes through the other validators. Document it `nullable: true`.
 */
export const OmittableOrNull = (): PropertyDecorator => ValidateIf(presentAndNotNull);

/** Whether a `ValidateIf` condition is {@link OmittableOrNull}'s (for the tests that hold documents to validators). */
export const allowsNull = (condition: unknown): boolean => condition === presentAndNotNull;
