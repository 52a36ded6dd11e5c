import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ProblemType, type ProblemTypeUri } from './problem-types';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  /** Path of the offending field, e.g. `items[0].quantity`. */
  field: string;
  message: string;
}

/** RFC 9457 problem details, as this API sends them (see docs/api-conventions.md, Problem details). */
export interface ProblemDetails {
  type: ProblemTypeUri;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemInit {
  status: number;
  type?: ProblemTypeUri;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  /** Response headers that belong to this error, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** Extension members added to the body (camelCase names, never internals). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export const statusTitle = (status: number): string => STATUS_CODES[status] ?? 'Error';

/**
 * An error that already knows how it is presented to the client. Throw it from services and guards when
 * the plain Nest exceptions are not precise enough (a problem `type`, extra headers, extension members).
 */
export class ProblemException extends HttpException {
  readonly problemType: ProblemTypeUri;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(init: ProblemInit) {
    const title = init.title ?? statusTitle(init.status);
    super(init.detail ?? title, init.status, { cause: init.cause });
    this.problemType = init.type ?? ProblemType.blank;
    this.title = title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}
