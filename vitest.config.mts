import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (about a minute each on 2 cores) start first. With two workers, a slow file that
 * starts last leaves the other worker idle until it ends: on a fresh clone (no timing cache, so vitest orders by
 * file size) the bench smoke started at 183 s of 238 and one worker sat idle for the last 25 s.
 */
const SLOW_FIRST = [
  'test/static/feature-generator.spec.ts',
  'test/bench/bench-smoke.spec.ts',
  'test/fuzz/hostile-client.spec.ts',
  'test/e2e/process.e2e.spec.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const index = SLOW_FIRST.findIndex((slow) => file.moduleId.endsWith(slow));
      return index < 0 ? SLOW_FIRST.length : index;
    };
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

// `@app/<lib>` is libs/<lib>/src/index.ts, as tsconfig.json's `paths` (`@app/*`) says for tsc and Nest.
const root = fileURLToPath(new URL('.', import.meta.url));
const alias = [{ find: /^@app\/([a-z0-9-]+)$/, replacement: `${root}libs/$1/src/index.ts` }];

export default defineConfig({
  // esbuild/oxc emit no decorator metadata; SWC does (settings inferred from tsconfig.json), so Nest's
  // dependency injection and class-validator work in tests exactly as in the tsc build.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    pool: 'forks',
    maxWorkers: 2,
    // Each worker keeps its loaded modules (Nest, Fastify, PGlite's WASM…) from file to file: loading them per file
    // cost ~45 s of a 2-core run. Safe because test files share no module state: each boots its own app on its own
    // database and Redis prefix, and none uses vi.mock, fake timers or environment stubs.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI also writes a JSON report, from which .ci/run prints its one-line summary.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]] : ['default'],
  },
});
