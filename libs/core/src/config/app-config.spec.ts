import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.http).toMatchObject({ port: 3000, host: '0.0.0.0', bodyLimit: 1_048_576, trustProxy: [] });
    expect(config.database.target).toEqual({ kind: 'pglite', dataDir: expect.stringMatching(/\/data$/) });
    expect(config.database.migrateOnStart).toBe(true);
    expect(config.shutdown).toEqual({ drainMs: 5_000, timeoutMs: 10_000 });
    expect(config.auth.jwtSecretGenerated).toBe(true);
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads typed values from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      BODY_LIMIT: '2048',
      DB_MIGRATE_ON_START: 'false',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1',
    });
    expect(config.http.port).toBe(8080);
    expect(config.http.bodyLimit).toBe(2048);
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
  });

  it('selects the database driver from DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database.target).toEqual({ kind: 'pglite-memory' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/app' }).database.target).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/app',
    });
    expect(loadConfig({ DATA_DIR: '/var/lib/api' }).database.target).toEqual({
      kind: 'pglite',
      dataDir: '/var/lib/api',
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer \(got "abc"\)/],
    [{ PORT: '70000' }, /PORT must not be greater than 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be memory:\/\/ or a postgres:\/\//],
    [{ DATABASE_URL: 'postgres//nohost' }, /DATABASE_URL/],
    [{ REDIS_URL: 'http://cache' }, /REDIS_URL must be a redis:\/\//],
    [{ TRUST_PROXY: '10.0.0.0/99' }, /TRUST_PROXY must be a comma-separated list/],
    [{ TRUST_PROXY: 'everyone' }, /TRUST_PROXY/],
    [{ BODY_LIMIT: '1mb' }, /BODY_LIMIT must be an integer number of bytes/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of development, production, test/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ DB_MIGRATE_ON_START: 'maybe' }, /DB_MIGRATE_ON_START must be true or false/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [{ ADMIN_EMAIL: 'admin@example.com' }, /ADMIN_EMAIL and ADMIN_PASSWORD must be set together/],
    [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'a-long-enough-password' }, /ADMIN_EMAIL must be an email address/],
  ])('rejects %o with a message naming the variable', (env, expected) => {
    const message = problemsOf(env as Record<string, string>);
    expect(message).toMatch(expected);
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).not.toContain('\n');
  });

  it('CORS_ORIGINS: exact origins only; none by default', () => {
    expect(loadConfig({}).http.corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).http.corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    for (const bad of [
      '*',
      'https://app.example.com/',
      'app.example.com',
      'https://app.example.com/path',
      'ftp://x.y',
    ]) {
      expect(problemsOf({ CORS_ORIGINS: bad })).toContain('CORS_ORIGINS must be a comma-separated list of origins');
    }
  });

  it('DOCS_ENABLED: served by default outside production only, unless set', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'kR7vQ2mZ9xW4pL8nT3yB6cF1hJ5sD0gAe',
      METRICS_PUBLIC: 'true',
    };
    expect(loadConfig({}).http.docsEnabled).toBe(true);
    expect(loadConfig(production).http.docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: 'true' }).http.docsEnabled).toBe(true);
    expect(loadConfig({ DOCS_ENABLED: 'false' }).http.docsEnabled).toBe(false);
  });

  it('never echoes a secret value in the error', () => {
    expect(problemsOf({ JWT_SECRET: 'tiny-secret-value' })).not.toContain('tiny-secret-value');
  });

  it('reports every bad variable at once', () => {
    const message = problemsOf({ PORT: 'x', LOG_LEVEL: 'y' });
    expect(message).toContain('PORT');
    expect(message).toContain('LOG_LEVEL');
  });

  describe('in production', () => {
    const strongSecret = 'q7V2mXk9LpR4tW8zN3bY6cF1hJ5sD0gA';

    it('refuses to start without JWT_SECRET', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toMatch(/JWT_SECRET is required when NODE_ENV=production/);
    });

    it.each(['change-me-change-me-change-me-change-me', 'my-super-secret-jwt-signing-key-123456', 'a'.repeat(40)])(
      'refuses the placeholder secret %s',
      (secret) => {
        expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: secret })).toMatch(
          /JWT_SECRET looks like a placeholder/,
        );
      },
    );

    it('refuses a placeholder admin password', () => {
      expect(
        problemsOf({
          NODE_ENV: 'production',
          JWT_SECRET: strongSecret,
          ADMIN_EMAIL: 'a@b.co',
          ADMIN_PASSWORD: 'change-me-please',
        }),
      ).toMatch(/ADMIN_PASSWORD looks like a placeholder/);
    });

    it('starts with a strong secret, never generating one', () => {
      const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: strongSecret, METRICS_TOKEN: strongSecret });
      expect(config.isProduction).toBe(true);
      expect(config.auth).toMatchObject({ jwtSecret: strongSecret, jwtSecretGenerated: false });
      expect(config.log.pretty).toBe(false);
      expect(config.healthDetails).toBe(false);
    });

    it('refuses an open /metrics unless METRICS_PUBLIC says so, and a placeholder token', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: strongSecret })).toMatch(
        /METRICS_TOKEN is required when NODE_ENV=production; or set METRICS_PUBLIC=true/,
      );
      expect(
        problemsOf({ NODE_ENV: 'production', JWT_SECRET: strongSecret, METRICS_TOKEN: 'change-me-metrics-token' }),
      ).toMatch(/METRICS_TOKEN looks like a placeholder/);
      const open = loadConfig({ NODE_ENV: 'production', JWT_SECRET: strongSecret, METRICS_PUBLIC: 'true' });
      expect(open.metricsToken).toBeUndefined();
    });

    it('shows readiness details only when HEALTH_DETAILS asks for them', () => {
      const base = { NODE_ENV: 'production', JWT_SECRET: strongSecret, METRICS_PUBLIC: 'true' };
      expect(loadConfig(base).healthDetails).toBe(false);
      expect(loadConfig({ ...base, HEALTH_DETAILS: 'true' }).healthDetails).toBe(true);
      expect(loadConfig({}).healthDetails).toBe(true);
    });
  });
});
