import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * No import cycles (eslint.config.mjs, `project/no-cycles`), proven through ESLint's own API. A cycle only exists
 * in files on disk, so each case is a small repository written under .tmp/ (which the real lint, tsc, vitest,
 * prettier and git all leave alone): its libs, a tsconfig.json mapping `@app/*` as ours does, and a copy of the
 * real eslint.config.mjs, whose paths follow its own directory. Nothing of it lives in the source tree.
 */
const root = resolve(__dirname, '..', '..');
const scratch = resolve(root, '.tmp');
const made: string[] = [];

type Files = Record<string, string>;

function writeRepo(files: Files): string {
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(resolve(scratch, 'lint-cycles-'));
  made.push(dir);
  copyFileSync(resolve(root, 'eslint.config.mjs'), resolve(dir, 'eslint.config.mjs'));
  const tsconfig = { compilerOptions: { module: 'nodenext', strict: true, paths: { '@app/*': ['./libs/*/src'] } } };
  writeFileSync(resolve(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [path, code] of Object.entries(files)) {
    mkdirSync(dirname(resolve(dir, path)), { recursive: true });
    writeFileSync(resolve(dir, path), code);
  }
  return dir;
}

/** Lints the whole fixture repository: file → the messages on it, as `rule: message`. */
async function lintRepo(files: Files): Promise<Record<string, string[]>> {
  const dir = writeRepo(files);
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: resolve(dir, 'eslint.config.mjs') });
  const results = await eslint.lintFiles(Object.keys(files));
  return Object.fromEntries(
    results.map((r) => [relative(dir, r.filePath), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]),
  );
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A lib: its index.ts re-exports `<name>.service.ts`, whose class uses what `imports` brings in. */
function lib(name: string, imports: string, uses: string[]): Files {
  const cls = `${name[0].toUpperCase()}${name.slice(1)}Service`;
  return {
    [`libs/${name}/src/index.ts`]: `export { ${cls} } from './${name}.service';\n`,
    [`libs/${name}/src/${name}.service.ts`]: `${imports}export class ${cls} {\n  static readonly uses = [${uses.join(', ')}];\n}\n`,
  };
}

const cycle = /^import-x\/no-cycle: Dependency cycle/;

describe('no import cycles (eslint.config.mjs)', () => {
  it('rejects a cycle between two libs (catalog → reviews → catalog)', async () => {
    const messages = await lintRepo({
      ...lib('catalog', "import { ReviewsService } from '@app/reviews';\n", ['ReviewsService']),
      ...lib('reviews', "import { CatalogService } from '@app/catalog';\n", ['CatalogService']),
    });
    // Every file on the cycle is reported, the two imports that cross libs included.
    for (const file of Object.keys(messages)) {
      expect(messages[file], file).toHaveLength(1);
      expect(messages[file][0], file).toMatch(cycle);
    }
    // The message names the way back from the import it flags (here catalog's `import … from '@app/reviews'`).
    expect(messages['libs/catalog/src/catalog.service.ts'][0]).toContain('=>@app/catalog:1');
  });

  it('rejects a cycle through three libs, closed by `export … from` (catalog → reviews → ratings → catalog)', async () => {
    const messages = await lintRepo({
      ...lib('catalog', "import { ReviewsService } from '@app/reviews';\n", ['ReviewsService']),
      ...lib('reviews', "import { RatingsService } from '@app/ratings';\n", ['RatingsService']),
      // ratings reaches catalog only by re-exporting from it.
      'libs/ratings/src/index.ts': "export { RatingsService } from './ratings.service';\n",
      'libs/ratings/src/ratings.service.ts':
        "export { CatalogService as RatedProducts } from '@app/catalog';\nexport class RatingsService {}\n",
    });
    for (const file of Object.keys(messages)) {
      expect(messages[file], file).toHaveLength(1);
      expect(messages[file][0], file).toMatch(cycle);
    }
  });

  it('rejects a cycle between the files of one lib', async () => {
    const messages = await lintRepo({
      'libs/catalog/src/index.ts': "export { CatalogService } from './catalog.service';\n",
      'libs/catalog/src/catalog.service.ts':
        "import { priceOf } from './pricing';\nexport class CatalogService {\n  static readonly uses = [priceOf];\n}\n",
      'libs/catalog/src/pricing.ts':
        "import { CatalogService } from './catalog.service';\nexport const priceOf = () => CatalogService.name.length;\n",
    });
    expect(messages['libs/catalog/src/catalog.service.ts']).toEqual([expect.stringMatching(cycle)]);
    expect(messages['libs/catalog/src/pricing.ts']).toEqual([expect.stringMatching(cycle)]);
    expect(messages['libs/catalog/src/index.ts']).toEqual([]);
  });

  it('allows a chain of libs without a way back, and a lib’s files importing each other one way', async () => {
    const messages = await lintRepo({
      ...lib('catalog', "import { ReviewsService } from '@app/reviews';\n", ['ReviewsService']),
      ...lib('reviews', "import { RatingsService } from '@app/ratings';\nimport { stars } from './stars';\n", [
        'RatingsService',
        'stars',
      ]),
      'libs/reviews/src/stars.ts': 'export const stars = 5;\n',
      'libs/ratings/src/index.ts': "export * from './ratings.service';\n",
      'libs/ratings/src/ratings.service.ts':
        "import { AppConfig } from '@app/core';\nexport class RatingsService {\n  static readonly uses = [AppConfig];\n}\n",
      'libs/core/src/index.ts': 'export class AppConfig {}\n',
      'apps/api/src/app.module.ts':
        "import { CatalogService } from '@app/catalog';\nimport { RatingsService } from '@app/ratings';\nexport const used = [CatalogService, RatingsService];\n",
    });
    expect(Object.values(messages).flat()).toEqual([]);
    expect(Object.keys(messages)).toHaveLength(9);
  });
});
