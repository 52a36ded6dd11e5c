import { type AppConfig, loadConfig } from '@app/core';

/** Configuration for tests: quiet logs, test mode, a fixed secret; anything can be overridden. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-only-jwt-signing-key-0123456789abcdef',
    SHUTDOWN_DRAIN_MS: '0',
    // Tests log in far more often than a person; the rate-limit tests set their own low limits.
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    ...env,
  });
}
