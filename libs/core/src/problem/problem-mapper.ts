import type { ProblemException } from './problem-details';

/**
 * Turns an error from one source (the database driver, a cache client…) into a problem, or returns
 * `undefined` when the error is not its kind. Platform libs export one; the app registers them with
 * `CoreModule.forRoot({ problemMappers })`, so core never depends on a driver.
 */
export type ProblemMapper = (error: unknown) => ProblemException | undefined;

/** Follows `cause` links (drizzle and others wrap driver errors) up to a small depth. */
export function* causeChain(error: unknown, depth = 5): Generator<unknown> {
  let current: unknown = error;
  for (let i = 0; i < depth && current !== undefined && current !== null; i++) {
    yield current;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
}
