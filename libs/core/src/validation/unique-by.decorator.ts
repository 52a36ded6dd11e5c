import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * No two items of an array share a key (`@UniqueBy((line: OrderLineDto) => line.productId)`). Linear, unlike
 * class-validator's `@ArrayUnique`, which compares every pair. Items without a key (`undefined`) are left to
 * their own validators.
 */
export function UniqueBy<T>(key: (item: T) => unknown, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'uniqueBy',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'must not contain duplicates', ...options },
      validator: {
        validate(value: unknown, _args: ValidationArguments): boolean {
          if (!Array.isArray(value)) return true;
          const seen = new Set<unknown>();
          for (const item of value as T[]) {
            const itemKey = item === null || typeof item !== 'object' ? undefined : key(item);
            if (itemKey === undefined) continue;
            if (seen.has(itemKey)) return false;
            seen.add(itemKey);
          }
          return true;
        },
      },
    });
}
