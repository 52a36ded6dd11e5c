import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '@app/core';
import { createApp } from '../create-app';
import { buildOpenApiDocument, serializeOpenApiDocument } from './openapi-document';

/**
 * The committed file's formatting: prettier's JSON style (2 spaces, short arrays on one line, trailing newline), so
 * that `npm run format:check` passes right after a regeneration. Prettier is a dev dependency, as this script is.
 */
async function formatted(json: string, target: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(target)) ?? {};
  return prettier.format(json, { ...options, filepath: target });
}

/**
 * `npm run openapi`: writes the document the app serves to openapi.json at the repository root (or the path given
 * as the first argument). The app is created as production creates it, on a throw-away in-memory database, and
 * never listens.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'memory://',
    LOG_LEVEL: 'silent',
    DOCS_ENABLED: 'false',
  });
  const app = await createApp(config);
  try {
    writeFileSync(target, await formatted(serializeOpenApiDocument(buildOpenApiDocument(app)), target));
    process.stdout.write(`openapi: wrote ${target}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
