import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv } from '../support/auth';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { FuzzHarness } from '../support/fuzz/fuzz-harness';
import { readFuzzSettings, UNLIMITED_RATE_ENV } from '../support/fuzz/fuzz-settings';
import { FuzzStats } from '../support/fuzz/fuzz-stats';
import { loadOpenApi, ResponseContract } from '../support/fuzz/openapi-document';
import { documentRequests } from '../support/fuzz/openapi-requests';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * The hostile client, driven by the OpenAPI document instead of the hand-written route catalogue: for every
 * operation of openapi.json, requests drawn from its parameter and body schemas (valid, and with one thing wrong),
 * and every answer must be one the document promises: a status documented for the operation, a documented
 * Content-Type, a body that validates against the response schema (Ajv), the response headers it marks required,
 * on top of the invariants of the hostile-client suite (no 5xx, problem+json errors, security headers, no leaks, no
 * rejected write that changed the database).
 *
 *   npx vitest run test/fuzz/openapi-contract.spec.ts                  random seed, FUZZ_RUNS / 5 requests (1,000)
 *   FUZZ_SEED=123 FUZZ_RUNS=20000 npx vitest run test/fuzz/openapi-contract.spec.ts
 */

const settings = readFuzzSettings();
const runs = Math.max(1, Math.round(settings.runs / 5));
const budgetMs = Math.max(45_000, runs * 60);
const replay = `FUZZ_SEED=${settings.seed} FUZZ_RUNS=${settings.runs} npx vitest run test/fuzz/openapi-contract.spec.ts`;

/** The kind of a contract problem, to group the report by. */
function kindOf(problem: string): string {
  if (/^status \d+ is not documented/.test(problem)) return 'status not documented';
  if (problem.includes('Content-Type')) return 'Content-Type not documented';
  if (problem.includes('does not match the schema')) return 'body does not match the schema';
  if (problem.includes('lacks the header')) return 'required header missing';
  return 'body';
}

describe('hostile client from the OpenAPI document [pglite]', () => {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let harness: FuzzHarness | undefined;
  const doc = loadOpenApi();
  const contract = new ResponseContract(doc);

  beforeAll(async () => {
    db = await pgliteTier.create();
    app = await bootTestApp({ ...db.env, ...adminEnv(), ...UNLIMITED_RATE_ENV }, { listen: true });
    harness = await FuzzHarness.start(app, { victims: 2 });
  });
  afterAll(async () => {
    await harness?.stop();
    await app?.close();
    await db?.cleanup();
  });

  it(
    `every answer to ${runs} requests drawn from openapi.json conforms to it (FUZZ_SEED=${settings.seed})`,
    async () => {
      if (!harness) throw new Error('the app did not start');
      const fuzz = harness;
      const stats = new FuzzStats();
      const started = performance.now();
      const seenStatuses = new Map<string, Set<number>>();
      await fc.assert(
        fc.asyncProperty(documentRequests(doc, contract.operations), async (template) => {
          if (performance.now() - started > budgetMs) {
            stats.skipped++;
            return;
          }
          const exchange = await fuzz.exchange(template);
          const op = contract.operations.find((candidate) => candidate.label === exchange.request.route);
          const answer = exchange.answers[0];
          if (op && answer) {
            const body = answer.body.toString('utf8');
            const problems = contract.check(op, { status: answer.status, headers: answer.headers, body });
            for (const problem of problems) {
              exchange.findings.push({ invariant: `answer breaks openapi.json: ${kindOf(problem)}`, detail: problem });
            }
            const statuses = seenStatuses.get(op.label) ?? new Set<number>();
            seenStatuses.set(op.label, statuses.add(answer.status));
          }
          stats.record(exchange);
          fuzz.record(exchange, stats.sent);
        }),
        { seed: settings.seed, numRuns: runs, endOnFailure: true },
      );
      stats.elapsedMs = performance.now() - started;

      const coverage = contract.operations.map(
        (op) => `${op.label}: ${[...(seenStatuses.get(op.label) ?? [])].sort().join(' ') || '-'}`,
      );
      console.info(
        [`contract fuzz, seed ${settings.seed}: ${stats.describe()}`, 'statuses seen per operation:', ...coverage].join(
          '\n',
        ),
      );
      expect(fuzz.violations.signatures(), fuzz.violations.report(replay)).toEqual([]);
      expect(stats.skipped, `${stats.skipped} runs skipped after the ${budgetMs} ms budget`).toBe(0);
      // Every operation was exercised at least once.
      expect(contract.operations.filter((op) => !seenStatuses.has(op.label)).map((op) => op.label)).toEqual([]);
    },
    budgetMs + 60_000,
  );
});
