import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The module boundaries of eslint.config.mjs, proven through ESLint's own API: each rule catches its violation and
 * lets the legal imports through. Sources are linted as if they lived at `filePath`; every import targets a real
 * file, so the tsconfig `paths` resolution behind the rules is exercised too (a resolver that silently stopped
 * resolving `@app/<lib>` would make the platform → feature case pass, and fail this test).
 */
const root = resolve(__dirname, '..', '..');

interface Case {
  name: string;
  filePath: string;
  code: string;
  /** Rule ids expected to fire, in order; [] for an allowed import. */
  rules: string[];
  /** What the (first) message must say, so the right policy is known to have fired. */
  message?: RegExp;
}

const violations: Case[] = [
  {
    name: 'a deep alias into a lib',
    filePath: 'libs/health/src/x.ts',
    code: "import { DatabaseClient } from '@app/database/src/database.client';\nexport const used = [DatabaseClient];\n",
    rules: ['no-restricted-imports'],
    message: /only through its public entry "@app\/<lib>"/,
  },
  {
    name: 'a relative path from one lib into another lib',
    filePath: 'libs/health/src/x.ts',
    code: "import { DatabaseClient } from '../../database/src/database.client';\nexport const used = [DatabaseClient];\n",
    rules: ['boundaries/dependencies'],
    message: /Import libs\/database only through its public entry: "@app\/database"/,
  },
  {
    name: 'a relative path from test/ into libs/',
    filePath: 'test/support/x.ts',
    code: "import { AppConfig } from '../../libs/core/src/config/app-config';\nexport const used = [AppConfig];\n",
    rules: ['boundaries/dependencies'],
    message: /Import libs\/core only through its public entry: "@app\/core"/,
  },
  {
    name: "a relative path from an app to a lib's index.ts",
    filePath: 'apps/api/src/x.ts',
    code: "import { CoreModule } from '../../../libs/core/src';\nexport const used = [CoreModule];\n",
    rules: ['boundaries/dependencies'],
    message: /Import libs\/core only through its public entry: "@app\/core"/,
  },
  {
    name: 'a relative import from a lib into an app',
    filePath: 'libs/core/src/x.ts',
    code: "import { createApp } from '../../../apps/api/src/create-app';\nexport const used = [createApp];\n",
    rules: ['boundaries/dependencies'],
    message: /Libraries never import apps/,
  },
  {
    name: 'a platform lib importing a feature lib through its alias',
    filePath: 'libs/database/src/x.ts',
    code: "import { HealthModule } from '@app/health';\nexport const used = [HealthModule];\n",
    rules: ['boundaries/dependencies'],
    message: /Platform lib "database" must not import feature lib "health"/,
  },
  {
    name: 'a platform lib importing a feature lib by relative path',
    filePath: 'libs/core/src/x.ts',
    code: "import { HealthModule } from '../../health/src/health.module';\nexport const used = [HealthModule];\n",
    rules: ['boundaries/dependencies'],
    message: /Platform lib "core" must not import feature lib "health"/,
  },
  {
    name: 'a platform lib re-exporting a feature lib type',
    filePath: 'libs/database/src/x.ts',
    code: "export type { LifecycleState } from '@app/health';\n",
    rules: ['boundaries/dependencies'],
    message: /Platform lib "database" must not import feature lib "health"/,
  },
  {
    name: 'a lib importing its own alias (an import cycle through its index.ts)',
    filePath: 'libs/core/src/x.ts',
    code: "import { CoreModule } from '@app/core';\nexport const used = [CoreModule];\n",
    rules: ['boundaries/dependencies'],
    message: /Inside libs\/core import its own files by relative path/,
  },
  {
    name: 'a platform lib importing a feature lib that no list names (every unlisted lib is a feature)',
    filePath: 'libs/auth/src/x.ts',
    code: "import { OrdersModule } from '@app/orders';\nexport const used = [OrdersModule];\n",
    rules: ['boundaries/dependencies'],
    message: /Platform lib "auth" must not import feature lib "orders"/,
  },
];

const allowed: Case[] = [
  {
    name: 'a new feature lib, listed nowhere, importing platform and feature libs by alias',
    filePath: 'libs/newfeature/src/x.ts',
    code: "import { CoreModule } from '@app/core';\nimport { CatalogService } from '@app/catalog';\nexport const used = [CoreModule, CatalogService];\n",
    rules: [],
  },
  {
    name: 'a feature lib importing a platform lib through its alias',
    filePath: 'libs/health/src/x.ts',
    code: "import { DatabaseClient } from '@app/database';\nexport const used = [DatabaseClient];\n",
    rules: [],
  },
  {
    name: 'a platform lib importing another platform lib through its alias',
    filePath: 'libs/database/src/x.ts',
    code: "import { AppConfig } from '@app/core';\nexport const used = [AppConfig];\n",
    rules: [],
  },
  {
    name: 'an app importing libs through their aliases',
    filePath: 'apps/api/src/x.ts',
    code: "import { CoreModule } from '@app/core';\nimport { HealthModule } from '@app/health';\nexport const used = [CoreModule, HealthModule];\n",
    rules: [],
  },
  {
    name: 'relative imports inside one lib',
    filePath: 'libs/core/src/http/x.ts',
    code: "import { AppConfig } from '../config/app-config';\nimport { generateRequestId } from './request-id';\nexport const used = [AppConfig, generateRequestId];\n",
    rules: [],
  },
  {
    name: 'test/ importing an app by relative path, a lib by alias and its own support files',
    filePath: 'test/e2e/x.ts',
    code: "import { createApp } from '../../apps/api/src/create-app';\nimport { CoreModule } from '@app/core';\nimport { testConfig } from '../support/test-config';\nexport const used = [createApp, CoreModule, testConfig];\n",
    rules: [],
  },
];

describe('module boundaries (eslint.config.mjs)', () => {
  let eslint: ESLint;

  beforeAll(() => {
    eslint = new ESLint({ cwd: root });
  });

  const lint = async ({ filePath, code }: Case) => {
    const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
    return result.messages;
  };

  it.each(violations)('rejects $name', async (c) => {
    const messages = await lint(c);
    expect(messages.map((m) => m.ruleId)).toEqual(c.rules);
    expect(messages.every((m) => m.severity === 2)).toBe(true);
    expect(messages[0].message).toMatch(c.message!);
  });

  it.each(allowed)('allows $name', async (c) => {
    const messages = await lint(c);
    expect(messages.map((m) => `${m.ruleId}: ${m.message}`)).toEqual([]);
  });
});
