import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseClient, openDatabaseClient } from '@app/database';
import { testConfig } from './test-config';

export const PgliteTemplate = {
  async build(dataDir: string, prepare: (client: DatabaseClient) => Promise<void>): Promise<void> {
    const client = await openDatabaseClient(testConfig({ DATA_DIR: dataDir }));
    try {
      await prepare(client);
    } finally {
      await client.close();
    }
  },

  /** A private copy of the template: its own database, removed by `cleanup`. */
  clone(templateDir: string): { dataDir: string; cleanup: () => void } {
    const root = mkdtempSync(join(tmpdir(), 'api-test-pglite-'));
    const dataDir = join(root, 'data');
    cpSync(templateDir, dataDir, { recursive: true });
    return { dataDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
  },
};
