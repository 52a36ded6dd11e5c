import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import '@app/contracts';
import { buildAsyncApiDocument } from './asyncapi-document';

/** `npm run asyncapi`: writes the event document to asyncapi.json (or the path given), formatted by prettier. */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'asyncapi.json');
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(target)) ?? {};
  const json = JSON.stringify(buildAsyncApiDocument(), null, 2);
  writeFileSync(target, await prettier.format(json, { ...options, filepath: target }));
  process.stdout.write(`asyncapi: wrote ${target}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
