import { ProblemException } from '../../problem/problem-details';
import { ProblemType } from '../../problem/problem-types';
import type { JsonViolation } from './json-limits';

const DESCRIBE: Record<Exclude<JsonViolation['kind'], 'unicode'>, (limit: number) => string> = {
  depth: (limit) => `nests deeper than ${limit} levels`,
  keys: (limit) => `has more than ${limit} keys`,
  array: (limit) => `has more than ${limit} items`,
  nodes: (limit) => `has more than ${limit} values in all`,
  string: (limit) => `is longer than ${limit} characters`,
};

/**
 * A lone surrogate is a validation error of the field that carries it (400 naming the field); a body that is
 * too deep, too wide or too long is refused as a whole, before any field is looked at.
 */
export function jsonViolationProblem(violation: JsonViolation, where: 'body' | 'query' = 'body'): ProblemException {
  if (violation.kind === 'unicode') {
    return new ProblemException({
      status: 400,
      type: ProblemType.validation,
      detail: '1 field is invalid',
      errors: [{ field: violation.path, message: 'must be well-formed Unicode (no lone surrogates)' }],
    });
  }
  const subject = violation.path === '$' ? `The request ${where}` : `\`${violation.path}\` in the request ${where}`;
  return new ProblemException({
    status: 400,
    type: ProblemType.bodyLimits,
    detail: `${subject} ${DESCRIBE[violation.kind](violation.limit ?? 0)}`,
    extensions: { limit: violation.limit, ...(violation.path === '$' ? {} : { field: violation.path }) },
  });
}
