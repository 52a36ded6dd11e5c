import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/api/src/create-app';
import { testConfig } from './test-config';

export interface TestApp {
  app: NestFastifyApplication;
  /** Base URL when started with `listen: true`. */
  url?: string;
  close(): Promise<void>;
}

/** Boots the real application (same factory as main.ts) on the given database env. */
export async function bootTestApp(
  env: Record<string, string>,
  options: { imports?: NonNullable<ModuleMetadata['imports']>; listen?: boolean } = {},
): Promise<TestApp> {
  const app = await createApp(testConfig(env), { imports: options.imports });
  let url: string | undefined;
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = await app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  return { app, url, close: () => app.close() };
}
