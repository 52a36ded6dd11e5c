import type { ValidationError } from 'class-validator';
import { type FieldError, ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';

/** A problem lists at most this many field errors: its size never grows with the input's. */
export const MAX_FIELD_ERRORS = 20;

const isIndex = (segment: string): boolean => /^\d+$/.test(segment);

const joinPath = (parent: string, property: string): string =>
  isIndex(property) ? `${parent}[${property}]` : parent ? `${parent}.${property}` : property;

function readable(property: string, constraint: string, message: string): string {
  if (constraint === 'whitelistValidation') return 'is not allowed';
  if (constraint === 'unknownValue') return 'must be a JSON object';
  // class-validator prefixes messages with the property name; the field path already says it.
  const prefix = `${property} `;
  return property && message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Flattens class-validator's tree into `{field: 'items[0].quantity', message}` pairs. */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = error.property === undefined || error.property === '' ? parent : joinPath(parent, error.property);
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field: field || '$',
      message: readable(error.property ?? '', constraint, message),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationProblem(errors: readonly ValidationError[]): ProblemException {
  const fieldErrors = flattenValidationErrors(errors);
  const fields = new Set(fieldErrors.map((e) => e.field)).size;
  const listed = fieldErrors.slice(0, MAX_FIELD_ERRORS);
  const count = fields === 1 ? '1 field is invalid' : `${fields} fields are invalid`;
  return new ProblemException({
    status: 400,
    type: ProblemType.validation,
    title: 'Bad Request',
    detail: listed.length < fieldErrors.length ? `${count} (the first ${MAX_FIELD_ERRORS} errors are listed)` : count,
    errors: listed,
  });
}
