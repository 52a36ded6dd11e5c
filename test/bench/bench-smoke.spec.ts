import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../support/processes';
import { repoRoot } from '../support/repo-files';

/**
 * `BENCH_SMOKE=1 node bench/run.mjs`: every scenario of `npm run bench` for about a second against this
 * machine's PostgreSQL and Redis, the bench's own database and key prefix. No thresholds: it checks that the
 * bench runs end to end, that every scenario reports, and that no request failed.
 */
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const skipReason = !hasWrk
  ? 'wrk is not installed; install it with `apt-get install wrk` to run the bench smoke'
  : !databaseUrl
    ? 'TEST_DATABASE_URL is not set; run with TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to include the bench smoke'
    : !redisUrl
      ? 'TEST_REDIS_URL is not set; run with TEST_REDIS_URL=redis://127.0.0.1:6379 to include the bench smoke'
      : undefined;

interface Round {
  requests: number;
  errors: number;
  non2xx: number;
}
interface BenchResult {
  mode: string;
  scenarios: Array<{ id: string; skipped?: string; sides?: Array<{ label: string; rounds: Round[] }> }>;
  measurements: Array<{ id: string; name: string; value: number | null }>;
}

function runBench(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bench', 'run.mjs')], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe.skipIf(skipReason !== undefined)(
  `npm run bench, smoke${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let dir: string | undefined;
    afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

    it('runs every scenario once, prints the table and writes the results', { timeout: 180_000 }, async () => {
      assertBuilt();
      dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
      const output = join(dir, 'latest.json');
      const { code, stdout, stderr } = await runBench({
        BENCH_SMOKE: '1',
        BENCH_OUTPUT: output,
        BENCH_DATABASE_URL: databaseUrl as string,
        BENCH_REDIS_URL: redisUrl as string,
        ...(process.env.TEST_NATS_URL ? { BENCH_NATS_URL: process.env.TEST_NATS_URL } : {}),
      });
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('| scenario | server | req/s per round |');

      const result = JSON.parse(readFileSync(output, 'utf8')) as BenchResult;
      expect(result.mode).toBe('smoke');
      const reported = new Set([...result.scenarios.map((s) => s.id), ...result.measurements.map((m) => m.id)]);
      // S13 reports one row saying why when there is no NATS (BENCH_NATS_URL).
      expect([...reported].sort()).toEqual([
        'S1',
        'S10',
        'S11',
        'S12',
        'S13',
        'S2',
        'S3',
        'S4',
        'S5',
        'S7',
        'S8',
        'S9',
      ]);
      // S6 is the PGlite side of S2 and S3.
      for (const id of ['S2', 'S3']) {
        expect(result.scenarios.find((s) => s.id === id)?.sides?.map((side) => side.label)).toContain('API PGlite');
      }
      for (const scenario of result.scenarios.filter((s) => !s.skipped)) {
        for (const side of scenario.sides ?? []) {
          for (const round of side.rounds) {
            expect(round.requests, `${scenario.id} ${side.label}`).toBeGreaterThan(0);
            expect({ errors: round.errors, non2xx: round.non2xx }, `${scenario.id} ${side.label}`).toEqual({
              errors: 0,
              non2xx: 0,
            });
          }
        }
      }
    });
  },
);
