import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { flattenValidationErrors, validationProblem } from './validation-problem';

class Line {
  @IsInt() @Min(1) quantity: number;
}
class Order {
  @IsString() note: string;
  @ValidateNested({ each: true }) @Type(() => Line) items: Line[];
}

describe('validation problems', () => {
  const errors = validateSync(plainToInstance(Order, { note: 5, items: [{ quantity: 1 }, { quantity: 0 }] }));

  it('names nested fields with array indices and drops the repeated property name', () => {
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'note', message: 'must be a string' },
      { field: 'items[1].quantity', message: 'must not be less than 1' },
    ]);
  });

  it('is a 400 validation problem counting invalid fields', () => {
    const problem = validationProblem(errors);
    expect(problem.getStatus()).toBe(400);
    expect(problem.problemType).toBe('https://errors.example.dev/validation');
    expect(problem.detail).toBe('2 fields are invalid');
  });
});
