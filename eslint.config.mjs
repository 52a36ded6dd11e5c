// @ts-check
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import boundaries from 'eslint-plugin-boundaries';
import importX from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/*
 * Module boundaries. A library is libs/<name>/src/index.ts, reached as `@app/<name>` (tsconfig maps `@app/*`).
 *   - platform libs (listed here): infrastructure; may import other platform libs only.
 *   - feature libs (every other lib): business features; may import platform libs and other features.
 * A new feature lib needs no change to this file. Apps may import any lib; test/ may import apps by
 * relative path and any lib. Nothing imports test/.
 */
const PLATFORM_LIBS = ['core', 'database', 'redis', 'nats', 'auth', 'cache', 'idempotency', 'events', 'contracts'];

/*
 * The only legal way to reach a lib from outside it is its alias `@app/<lib>`, which tsconfig resolves to
 * libs/<lib>/src/index.ts. In the micromatch pattern `*` never crosses a `/`, so neither a deep alias
 * (`@app/core/src/x`) nor a relative path (`../../database/src/x`, `../../libs/core/src/...`) matches it.
 */
const LIB_ALIAS = '@app/*';
const LIB_ENTRY = 'src/index.ts';
const LIB_TYPES = ['platform-lib', 'feature-lib'];

const libsPattern = (names) => `libs/(${names.join('|')})`;
/** Allows importing libs of the given types, through `@app/<lib>` only. */
const libsViaAlias = (...types) => ({
  to: { element: { type: types, fileInternalPath: LIB_ENTRY } },
  dependency: { source: LIB_ALIAS },
});
const internal = { relationship: { to: 'internal' } };
const tsconfig = `${import.meta.dirname}/tsconfig.json`;

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', '.tmp/', 'data/', 'coverage/', 'libs/database/migrations/']),

  tseslint.configs.recommended,
  {
    name: 'project/typescript',
    // Said, not inferred: typescript-eslint refuses to guess when one process loads configs from several roots
    // (test/static/lint-cycles.spec.ts lints fixture repositories with a copy of this file).
    languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  {
    name: 'project/boundaries',
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { boundaries },
    settings: {
      // Resolves `@app/<lib>` through tsconfig.json `paths`, the single source of truth for the aliases.
      'import/resolver': { typescript: { project: tsconfig } },
      'boundaries/root-path': import.meta.dirname,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      // First matching descriptor wins; `partialMatch: false` anchors each pattern at the repo root.
      'boundaries/elements': [
        { type: 'app', pattern: 'apps/*', partialMatch: false, capture: ['app'] },
        { type: 'platform-lib', pattern: libsPattern(PLATFORM_LIBS), partialMatch: false, capture: ['lib'] },
        // Any other lib is a feature: a new feature lib needs no change here.
        { type: 'feature-lib', pattern: 'libs/*', partialMatch: false, capture: ['lib'] },
        { type: 'test', pattern: 'test', partialMatch: false },
      ],
    },
    rules: {
      // Policies are evaluated in order and the LAST one that matches decides; nothing matching means disallowed.
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkInternals: true,
          message:
            '{{ from.element.type }} "{{ from.element.path }}" must not import "{{ dependency.source }}" ({{ to.element.type }} "{{ to.element.path }}").',
          policies: [
            { from: { element: { type: 'app' } }, allow: libsViaAlias('platform-lib', 'feature-lib') },
            { from: { element: { type: 'feature-lib' } }, allow: libsViaAlias('platform-lib', 'feature-lib') },
            { from: { element: { type: 'platform-lib' } }, allow: libsViaAlias('platform-lib') },
            // Tests boot the real app by relative path (apps/api/src/create-app.ts) and use libs by alias.
            {
              from: { element: { type: 'test' } },
              allow: [libsViaAlias('platform-lib', 'feature-lib'), { to: { element: { type: 'app' } } }],
            },

            // These only give precise messages for what nothing above allows.
            {
              from: { element: { type: '*' } },
              disallow: { to: { element: { type: LIB_TYPES } }, dependency: { source: `!${LIB_ALIAS}` } },
              message:
                'Import libs/{{ to.element.captured.lib }} only through its public entry: "@app/{{ to.element.captured.lib }}", not "{{ dependency.source }}".',
            },
            {
              from: { element: { type: LIB_TYPES } },
              disallow: { to: { element: { type: 'app' } } },
              message: 'Libraries never import apps: "{{ dependency.source }}" is in {{ to.element.path }}.',
            },
            {
              from: { element: { type: 'platform-lib' } },
              disallow: { to: { element: { type: 'feature-lib' } } },
              message:
                'Platform lib "{{ from.element.captured.lib }}" must not import feature lib "{{ to.element.captured.lib }}" ("{{ dependency.source }}").',
            },

            // Inside one app, one lib or test/: anything (relative paths are fine there) ...
            { from: { element: { type: '*' } }, allow: { dependency: internal } },
            // ... except a lib importing its own `@app/<lib>`.
            {
              from: { element: { type: LIB_TYPES } },
              disallow: { dependency: { ...internal, source: LIB_ALIAS } },
              message:
                'Inside libs/{{ from.element.captured.lib }} import its own files by relative path, not through "{{ dependency.source }}" (that is an import cycle through its index.ts).',
            },
          ],
        },
      ],
      // A deep alias does not even resolve today (tsconfig maps only `@app/<lib>`), so the rule above cannot see
      // its target: name the mistake here, whatever `paths` says.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'class-validator',
              importNames: ['IsOptional'],
              message:
                'Use @Omittable() from @app/core: @IsOptional() lets null through to services and NOT NULL columns.',
            },
            {
              name: 'class-validator',
              importNames: ['ArrayUnique'],
              message: 'Use @UniqueBy() from @app/core: @ArrayUnique() compares every pair (quadratic in the input).',
            },
          ],
          patterns: [
            {
              regex: '^@app/[^/]+/',
              message: 'Import a library only through its public entry "@app/<lib>", never a path inside it.',
            },
          ],
        },
      ],
    },
  },

  /*
   * No import cycles, between libs or inside one. A cycle between libs (catalog → reviews → catalog, through any
   * number of libs, `import` or `export … from`) lets Nest meet a module class that is still `undefined` while the
   * files load, and the app refuses to boot (UndefinedModuleException); lint says so first, naming the route
   * back. Type-only imports (`import type`) are erased and cannot form one. See docs/extending.md.
   */
  {
    name: 'project/no-cycles',
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: tsconfig })],
      'import-x/extensions': ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'],
    },
    // Packages never import our files back: not following them keeps the walk to this repository.
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
