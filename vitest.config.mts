import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

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
