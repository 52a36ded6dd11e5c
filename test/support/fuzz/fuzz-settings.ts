import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import type { FuzzRequest } from './fuzz-request';
import { rawRequest } from './raw-arbitraries';
import { httpRequest } from './route-catalogue';

/** Requests of the main (PGlite) fuzz per run unless FUZZ_RUNS says otherwise. */
export const DEFAULT_FUZZ_RUNS = 5_000;

export interface FuzzSettings {
  /** fast-check seed: FUZZ_SEED, else random (and printed). */
  seed: number;
  /** Requests of the main fuzz on PGlite (FUZZ_RUNS). */
  runs: number;
  /** Requests of the fuzz on PostgreSQL (a fifth). */
  postgresRuns: number;
  /** Requests of the fuzz under production rate limits (a twentieth). */
  rateLimitedRuns: number;
  /** Wall-clock budget of the main fuzz; proportional to its size. */
  budgetMs: number;
}

function integerFrom(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${value}"`);
  return parsed;
}

export function readFuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const seed = integerFrom('FUZZ_SEED', env.FUZZ_SEED, randomInt(0, 2 ** 31 - 1), -(2 ** 31));
  const runs = integerFrom('FUZZ_RUNS', env.FUZZ_RUNS, DEFAULT_FUZZ_RUNS, 1);
  return {
    seed,
    runs,
    postgresRuns: Math.max(1, Math.round(runs / 5)),
    rateLimitedRuns: Math.max(1, Math.round(runs / 20)),
    // Generous (about 4x a quiet run): it catches an app made slow by hostile input, not a busy machine.
    budgetMs: Math.max(60_000, runs * 24),
  };
}

/** The command that replays a run. */
export const replayCommand = (seed: number, runs: number): string =>
  `FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npx vitest run test/fuzz/hostile-client.spec.ts`;

/** The app's configuration for the fuzz: rate limits out of the way so that requests reach the handlers. */
export const UNLIMITED_RATE_ENV: Record<string, string> = {
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
};

/** The production defaults (see libs/core/src/config/environment.ts). */
export const PRODUCTION_RATE_ENV: Record<string, string> = {
  RATE_LIMIT_PER_MINUTE: '300',
  RATE_LIMIT_AUTH_PER_MINUTE: '10',
};

/** Any request: every route of the API, unknown routes, and raw-socket abuse. */
export const anyRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 96, arbitrary: httpRequest },
  { weight: 4, arbitrary: rawRequest },
);
