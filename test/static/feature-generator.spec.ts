import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/repo-files';

/**
 * `npm run new:feature` (scripts/new-feature.mjs) makes a feature that passes at once. In a throw-away copy of this
 * working tree (tracked and untracked files as they are now, node_modules linked), it generates one, then lints and
 * prettier-checks what the generator touched, typechecks the whole project, runs the feature's unit and e2e tests with
 * the OpenAPI drift test (document = committed file, routes = operations), the document-versus-validators and
 * public-API static tests, and checks Spectral finds nothing in the feature's operations and schemas. It also refuses
 * bad and taken names, and undoes everything when a step fails, changing no file.
 *
 * About 90 s on an idle two-core machine (the generator's `npm run openapi` build, the typecheck and the nested
 * vitest are most of it; the last three checks run side by side), longer on a busy one: hence TIMEOUT_MS.
 * TEST_DATABASE_URL is passed on, so the generated e2e test runs on PostgreSQL too where it is set (CI).
 */

const NAME = 'sample-widgets';
const SINGULAR = 'SampleWidget';
const TIMEOUT_MS = 240_000;

interface Ran {
  code: number | null;
  output: string;
}

/** Runs a command in `cwd` with a minimal environment (no vitest variables leak into a nested vitest). */
function run(command: string, args: string[], cwd: string, timeoutMs = TIMEOUT_MS): Promise<Ran> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, NO_COLOR: '1' };
  for (const name of ['TEST_DATABASE_URL', 'TMPDIR']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

const bin = (name: string): string => join('node_modules', '.bin', name);
const expectSuccess = (ran: Ran, what: string): void => expect(ran.code, `${what}:\n${ran.output}`).toBe(0);

/** Every file of the copy (but node_modules and what builds and tests write), with a hash of its content. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const name = relative(dir, path);
      if (['node_modules', 'dist', '.tmp', 'coverage'].includes(name)) continue;
      if (entry.isDirectory()) walk(path);
      else files.set(name, createHash('sha1').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

/** The files added or changed since `before`. */
const changedSince = (before: Map<string, string>, after: Map<string, string>): string[] =>
  [...after].filter(([file, hash]) => before.get(file) !== hash).map(([file]) => file);

describe('npm run new:feature', () => {
  let copy: string;
  let pristine: Map<string, string>;
  let generation: Ran;
  let touched: string[];

  /** `npm run new:feature -- …`; the refusals call the script directly, which is the same without npm's start-up. */
  const generate = (...args: string[]): Promise<Ran> =>
    run('npm', ['run', '--silent', 'new:feature', '--', ...args], copy);
  const refuse = (...args: string[]): Promise<Ran> => run('node', ['scripts/new-feature.mjs', ...args], copy);

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'feature-generator-'));
    // The working tree as it is (uncommitted and untracked files included), not the last commit.
    const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot);
    expectSuccess(listed, 'git ls-files');
    for (const file of listed.output.split('\0').filter(Boolean)) {
      if (!existsSync(join(repoRoot, file))) continue; // deleted in the working tree
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(repoRoot, file), join(copy, file));
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
    pristine = snapshot(copy);
  }, TIMEOUT_MS);

  afterAll(() => {
    if (!copy) return;
    if (existsSync(join(copy, 'node_modules'))) unlinkSync(join(copy, 'node_modules'));
    rmSync(copy, { recursive: true, force: true });
  });

  it('refuses a bad name, a reserved one and a clash, changing nothing', async () => {
    for (const [args, message] of [
      [['Gift_Cards'], /kebab-case/],
      [['ab'], /3-40 characters/],
      [['gift--cards'], /kebab-case/],
      [['orders'], /reserved/],
      [['catalogs', '--singular', 'catalog'], /reserved/],
      [['products2'], /letters only/],
      [[], /name is missing/],
    ] as const) {
      const ran = await refuse(...args);
      expect(ran.code, `${args.join(' ')}: ${ran.output}`).toBe(2);
      expect(ran.output).toMatch(message);
    }
    expect(changedSince(pristine, snapshot(copy))).toEqual([]);
  });

  it('undoes every change when a step fails midway', async () => {
    const appModule = join(copy, 'apps/api/src/app.module.ts');
    const original = readFileSync(appModule, 'utf8');
    // Without the line the module is added next to, registration fails after the lib's files are written.
    writeFileSync(appModule, original.replace(/^\s*\.\.\.extraImports,$/m, ''));
    const before = snapshot(copy);
    try {
      const ran = await refuse(NAME);
      expect(ran.code, ran.output).toBe(1);
      expect(ran.output).toMatch(/extraImports[\s\S]*nothing was changed/);
      expect(changedSince(before, snapshot(copy))).toEqual([]);
      expect(existsSync(join(copy, 'libs', NAME))).toBe(false);
    } finally {
      writeFileSync(appModule, original);
    }
  });

  describe('a generated feature', () => {
    beforeAll(async () => {
      generation = await generate(NAME);
      expectSuccess(generation, 'npm run new:feature');
      touched = changedSince(pristine, snapshot(copy));
    }, TIMEOUT_MS);

    it('is a complete lib, registered, with its migration and a next-steps message', () => {
      expect(touched).toEqual(
        expect.arrayContaining([
          `libs/${NAME}/src/index.ts`,
          `libs/${NAME}/src/${NAME}.module.ts`,
          `libs/${NAME}/src/${NAME}.controller.ts`,
          `libs/${NAME}/src/${NAME}.service.ts`,
          `libs/${NAME}/src/${NAME}.repository.ts`,
          `libs/${NAME}/src/${NAME}.schema.ts`,
          `libs/${NAME}/src/${NAME}.cache.ts`,
          `libs/${NAME}/src/${NAME}.cache.spec.ts`,
          `libs/${NAME}/src/dto/create-sample-widget.dto.ts`,
          `libs/${NAME}/src/dto/update-sample-widget.dto.ts`,
          `libs/${NAME}/src/dto/list-${NAME}.query.ts`,
          `libs/${NAME}/src/dto/sample-widget.response.ts`,
          `libs/${NAME}/tsconfig.lib.json`,
          `test/e2e/${NAME}.e2e.spec.ts`,
          'apps/api/src/app.module.ts',
          'apps/api/src/openapi/openapi-document.ts',
          'nest-cli.json',
          '.spectral.yaml',
          'openapi.json',
          'clients/typescript/schema.d.ts',
          'libs/database/migrations/meta/_journal.json',
        ]),
      );
      const migrations = touched.filter((file) => /^libs\/database\/migrations\/\d{4}_sample_widgets\.sql$/.test(file));
      expect(migrations).toHaveLength(1);
      expect(readFileSync(join(copy, migrations[0]), 'utf8')).toMatch(/CREATE TABLE "sample_widgets"/);
      expect(readFileSync(join(copy, 'apps/api/src/app.module.ts'), 'utf8')).toMatch(
        new RegExp(`import \\{ ${SINGULAR}sModule \\} from '@app/${NAME}';[\\s\\S]*${SINGULAR}sModule,`),
      );
      expect(
        readFileSync(join(copy, `libs/${NAME}/src/index.ts`), 'utf8')
          .trim()
          .split('\n'),
      ).toEqual([
        `export { ${SINGULAR}sModule } from './${NAME}.module';`,
        `export { ${SINGULAR}Response } from './dto/sample-widget.response';`,
      ]);
      expect(generation.output).toMatch(/Next steps:[\s\S]*npm test/);
    });

    it('refuses to generate it again, changing nothing', async () => {
      const before = snapshot(copy);
      const again = await refuse(NAME);
      expect(again.code, again.output).toBe(2);
      expect(again.output).toMatch(new RegExp(`libs/${NAME} exists already`));
      expect(changedSince(before, snapshot(copy))).toEqual([]);
    });

    it(
      'passes lint, format, typecheck, Spectral, its own tests and the OpenAPI and public-API tests as generated',
      async () => {
        const lib = `libs/${NAME}`;
        const e2e = `test/e2e/${NAME}.e2e.spec.ts`;
        // The two slow ones run side by side; the quick ones one after another next to them.
        const [typecheck, tests, quick] = await Promise.all([
          run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], copy),
          run(
            'npx',
            [
              'vitest',
              'run',
              `${lib}/src/${NAME}.cache.spec.ts`,
              e2e,
              'test/e2e/openapi.e2e.spec.ts',
              'test/static/openapi-validators.spec.ts',
              'test/static/public-apis.spec.ts',
              // The drift and routes-are-operations tests; not the ones that boot the app with the docs turned off.
              '--testNamePattern',
              '^(?!OpenAPI document when docs are off)',
            ],
            copy,
          ),
          (async () => {
            const eslint = await run(
              bin('eslint'),
              ['--max-warnings=0', lib, ...touched.filter((file) => /^(apps|test)\/.*\.ts$/.test(file))],
              copy,
            );
            const prettier = await run(bin('prettier'), ['--check', '--ignore-unknown', ...touched], copy);
            const spectral = await run(
              bin('spectral'),
              ['lint', 'openapi.json', '--ruleset', '.spectral.yaml', '-f', 'json', '--quiet'],
              copy,
            );
            return { eslint, prettier, spectral };
          })(),
        ]);
        expectSuccess(quick.eslint, 'eslint');
        expectSuccess(quick.prettier, 'prettier --check');
        expectSuccess(typecheck, 'tsc --noEmit');
        expectSuccess(tests, 'vitest');
        expect(tests.output).toMatch(/Test Files\s+5 passed/);

        // Other features' findings are test/contract/spectral.spec.ts's business: here, none in this feature's.
        const json = quick.spectral.output.slice(quick.spectral.output.indexOf('['));
        const findings = (JSON.parse(json) as Array<{ code: string; path: string[] }>)
          .map((finding) => `${finding.code} at ${finding.path.join('/')}`)
          .filter((finding) => finding.includes(NAME) || finding.includes(SINGULAR));
        expect(findings).toEqual([]);
      },
      TIMEOUT_MS,
    );
  });
});
