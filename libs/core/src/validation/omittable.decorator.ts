import { ValidateIf } from 'class-validator';

/**
 * A property the client may leave out, but not set to `null`: only an absent property skips the property's
 * other validators. (class-validator's `@IsOptional()` lets `null` through too, which then reaches a NOT NULL
 * column or a service that does not expect it; lint refuses `IsOptional` for that reason.)
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
