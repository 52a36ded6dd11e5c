import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from '@app/core';
import { defaultMigrationsFolder, Migrator, openDatabaseClient } from '@app/database';

/** `npm run db:migrate`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const client = await openDatabaseClient(config);
  try {
    const migrator = new Migrator(client, defaultMigrationsFolder());
    const before = await migrator.status();
    await migrator.migrate();
    const after = await migrator.status();
    process.stdout.write(
      `migrations: ${after.applied - before.applied} applied now, ${after.applied} in total, ${after.pending} pending (${client.kind})\n`,
    );
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigValidationError
      ? `${error.message}\n`
      : `Migration failed: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
