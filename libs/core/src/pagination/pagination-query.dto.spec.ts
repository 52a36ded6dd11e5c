import type { ArgumentMetadata } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';
import { loadConfig } from '../config/app-config';
import { createValidationPipe } from '../validation/validation.pipe';
import { PaginationQueryDto } from './pagination-query.dto';

const pipe = createValidationPipe(loadConfig({}).http.jsonLimits);
const metadata: ArgumentMetadata = { type: 'query', metatype: PaginationQueryDto };
const validate = (query: Record<string, unknown>): Promise<PaginationQueryDto> => pipe.transform(query, metadata);

async function rejection(query: Record<string, unknown>): Promise<ProblemException> {
  const error: unknown = await validate(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemException);
  const problem = error as ProblemException;
  expect(problem.getStatus()).toBe(400);
  expect(problem.problemType).toBe(ProblemType.validation);
  return problem;
}

const fieldsOf = (problem: ProblemException): string[] => [...new Set(problem.errors?.map((e) => e.field))];

describe('PaginationQueryDto', () => {
  it('defaults limit to 20 and leaves cursor unset', async () => {
    const query = await validate({});
    expect(query).toBeInstanceOf(PaginationQueryDto);
    expect(query.limit).toBe(20);
    expect(query.cursor).toBeUndefined();
  });

  it('turns a decimal limit string into a number', async () => {
    expect((await validate({ limit: '20' })).limit).toBe(20);
    expect((await validate({ limit: '1' })).limit).toBe(1);
    expect((await validate({ limit: '100' })).limit).toBe(100);
  });

  it('keeps the cursor string as given', async () => {
    expect(await validate({ cursor: 'abc_-123', limit: '5' })).toEqual(
      Object.assign(new PaginationQueryDto(), { cursor: 'abc_-123', limit: 5 }),
    );
  });

  it.each(['101', '0', '-1', 'abc', '1.5', '', ' 20', '1e2', '0x10', '99999999999999999999'])(
    'rejects limit=%j',
    async (limit) => {
      expect(fieldsOf(await rejection({ limit }))).toEqual(['limit']);
    },
  );

  it('rejects a repeated limit parameter', async () => {
    expect(fieldsOf(await rejection({ limit: ['10', '20'] }))).toEqual(['limit']);
  });

  it('rejects a cursor longer than 512 characters or not a string', async () => {
    expect(await validate({ cursor: 'a'.repeat(512) })).toMatchObject({ cursor: 'a'.repeat(512) });
    expect(fieldsOf(await rejection({ cursor: 'a'.repeat(513) }))).toEqual(['cursor']);
    expect(fieldsOf(await rejection({ cursor: ['a', 'b'] }))).toEqual(['cursor']);
  });

  it('rejects unknown properties', async () => {
    const problem = await rejection({ limit: '10', sort: 'name' });
    expect(problem.errors).toEqual([{ field: 'sort', message: 'is not allowed' }]);
  });

  it('is extended by feature list queries', async () => {
    class ListThingsQuery extends PaginationQueryDto {}
    const query = await pipe.transform({ limit: '7' }, { type: 'query', metatype: ListThingsQuery });
    expect(query).toBeInstanceOf(ListThingsQuery);
    expect(query.limit).toBe(7);
  });
});
