import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { defaultMigrationsFolder, Migrator } from '@app/database';
import { PgliteTemplate } from './pglite-template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
  }
}

function migrationsHash(folder: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(folder);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Creating a PGlite database takes seconds; opening a copy of one takes well under one. So the suite
 * builds one migrated PGlite data directory per migrations version and every test copies it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const folder = defaultMigrationsFolder();
  const cacheRoot = resolve(__dirname, '..', '..', '.tmp');
  const dir = join(cacheRoot, `pglite-template-${migrationsHash(folder)}`);
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    mkdirSync(cacheRoot, { recursive: true });
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    await PgliteTemplate.build(building, (client) => new Migrator(client, folder).migrate());
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  }
  project.provide('pgliteTemplateDir', dir);
}
