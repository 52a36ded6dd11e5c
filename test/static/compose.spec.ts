import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig } from '@app/core';
import { documentedVariables, probeRoutes, readRepoFile as read } from '../support/repo-files';

const composeText = read('docker-compose.yml');
const document = parseDocument(composeText);

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number | { target?: number; published?: string | number }>;
  stop_grace_period?: string;
  read_only?: boolean;
  tmpfs?: string | string[];
}
const compose = (document.toJS() ?? {}) as { version?: unknown; services?: Record<string, Service> };
const services = compose.services ?? {};
const api = services.api ?? {};

const documented = documentedVariables();

/** A service's environment as a map, whether written as a map or as a `KEY=value` list. */
function environmentOf(service: Service): Record<string, string | undefined> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((item) => {
        const [key, ...rest] = item.split('=');
        return [key, rest.length > 0 ? rest.join('=') : undefined];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === null ? undefined : String(value)]),
  );
}
const apiEnv = environmentOf(api);

/** Names used in `${VAR...}` / `$VAR` interpolations (`$$` is an escaped dollar). */
const interpolated = [
  ...composeText.replace(/\$\$/g, '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g),
].map((match) => match[1] ?? match[2]);

const healthcheckCommand = (service: Service): string => {
  const test = service.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
};

/** Compose durations: `20s`, `1m30s`, `1.5s`, `500ms`. */
function durationMs(value: string | undefined): number {
  if (value === undefined) return 10_000; // compose's default grace period
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  expect(parts.map((part) => part[0]).join(''), `unparsable duration ${value}`).toBe(value);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit], 0);
}

describe('docker-compose.yml', () => {
  it('is valid YAML in the compose spec format (no top-level version)', () => {
    expect(document.errors).toEqual([]);
    expect(compose).not.toHaveProperty('version');
  });

  it('defines the postgres, redis and api services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'api']));
    expect(services.postgres.image).toMatch(/^postgres:1[67]/);
    expect(services.redis.image).toMatch(/^redis:7/);
    expect(api.build).toBeDefined();
  });

  it('runs NATS with JetStream, and the API relays to it once it is healthy', () => {
    const nats = services.nats ?? {};
    expect(nats.image).toMatch(/^nats:2\./);
    expect((nats as { command?: string[] }).command).toEqual(expect.arrayContaining(['-js']));
    expect(healthcheckCommand(nats)).toContain('js-enabled-only=true');
    expect(apiEnv.NATS_URL).toBe('nats://nats:4222');
    expect((api.depends_on as Record<string, { condition?: string }>).nats?.condition).toBe('service_healthy');
  });

  it('runs the worker from the API image, after the API and NATS are healthy, with a grace period above its bound', () => {
    const worker = services.worker ?? {};
    const env = environmentOf(worker);
    expect(worker.image).toBe(api.image);
    expect((worker as { command?: string[] }).command).toEqual(['node', 'dist/apps/worker/src/main.js']);
    expect(env.NATS_URL).toBe(apiEnv.NATS_URL);
    expect(env.DATABASE_URL).toBe(apiEnv.DATABASE_URL);
    expect(healthcheckCommand(worker)).toContain(`127.0.0.1:${env.WORKER_PORT}/health/ready`);
    const dependsOn = worker.depends_on as Record<string, { condition?: string }>;
    expect(dependsOn.api?.condition).toBe('service_healthy');
    expect(dependsOn.nats?.condition).toBe('service_healthy');
    expect(durationMs(worker.stop_grace_period)).toBeGreaterThan(Number(env.WORKER_SHUTDOWN_TIMEOUT_MS));
    for (const name of Object.keys(env)) expect(documented, `worker: ${name} is documented`).toContain(name);
  });

  it.each(['postgres', 'redis', 'nats', 'api', 'worker'])('gives %s a healthcheck', (name) => {
    const service = services[name] ?? {};
    expect(service.healthcheck?.disable).not.toBe(true);
    expect(healthcheckCommand(service)).not.toMatch(/^\s*(NONE)?\s*$/);
  });

  it('checks postgres with pg_isready and redis with redis-cli ping', () => {
    expect(healthcheckCommand(services.postgres)).toMatch(/pg_isready/);
    expect(healthcheckCommand(services.redis)).toMatch(/redis-cli\s+ping/);
  });

  it('starts api only once postgres and redis are healthy', () => {
    const dependsOn = api.depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn), 'short-form depends_on cannot wait for health').toBe(false);
    const conditions = dependsOn as Record<string, { condition?: string }>;
    expect(conditions.postgres?.condition).toBe('service_healthy');
    expect(conditions.redis?.condition).toBe('service_healthy');
  });

  it('points DATABASE_URL at the postgres service, with its credentials', () => {
    const url = new URL(apiEnv.DATABASE_URL ?? 'missing://');
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('postgres');
    expect(Object.keys(services)).toContain(url.hostname);
    const postgresEnv = environmentOf(services.postgres);
    expect(decodeURIComponent(url.username)).toBe(postgresEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgresEnv.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgresEnv.POSTGRES_DB ?? postgresEnv.POSTGRES_USER}`);
  });

  it('points REDIS_URL at the redis service', () => {
    const url = new URL(apiEnv.REDIS_URL ?? 'missing://');
    expect(url.protocol).toMatch(/^rediss?:$/);
    expect(url.hostname).toBe('redis');
    expect(Object.keys(services)).toContain(url.hostname);
  });

  it('runs api in production, with the JWT secret required from the host environment', () => {
    expect(apiEnv.NODE_ENV).toBe('production');
    expect(apiEnv.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?[^}]+\}$/);
    // The admin pair is optional (both or neither) and never has a default value in the file.
    for (const name of ['ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
      expect(apiEnv[name], name).toMatch(new RegExp(`^\\$\\{${name}(:-)?\\}$`));
    }
  });

  it('uses only variables documented in .env.example, in interpolations and in api.environment', () => {
    expect(interpolated.length).toBeGreaterThan(0);
    expect(
      interpolated.filter((name) => !documented.has(name)),
      'undocumented ${VAR} interpolations',
    ).toEqual([]);
    expect(
      Object.keys(apiEnv).filter((name) => !documented.has(name)),
      'undocumented api.environment keys',
    ).toEqual([]);
  });

  it('checks api readiness on a real probe route, on the port the app listens on', () => {
    const routes = probeRoutes();
    expect(routes).toContain('/health/ready');
    const target = /https?:\/\/[^'"\s,)]+/.exec(healthcheckCommand(api))?.[0];
    expect(target, 'no URL in the api healthcheck').toBeDefined();
    const url = new URL(target as string);
    expect(routes).toContain(url.pathname);
    expect(url.port || '80').toBe(apiEnv.PORT ?? '3000');
  });

  it('publishes the api port the app listens on', () => {
    const port = apiEnv.PORT ?? '3000';
    const targets = (api.ports ?? []).map((entry) =>
      typeof entry === 'object' ? String(entry.target) : String(entry).split('/')[0].split(':').at(-1),
    );
    expect(targets).toContain(port);
  });

  it('gives api a stop grace period longer than its shutdown drain + timeout', () => {
    // `${VAR:-default}` counts as its default; unset means the app's own default.
    const resolved = (value: string | undefined): string | undefined =>
      value?.replace(/\$\{[A-Za-z_]\w*:?-([^}]*)\}/g, '$1');
    const { shutdown } = loadConfig({
      SHUTDOWN_DRAIN_MS: resolved(apiEnv.SHUTDOWN_DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: resolved(apiEnv.SHUTDOWN_TIMEOUT_MS),
    });
    expect(durationMs(api.stop_grace_period)).toBeGreaterThan(shutdown.drainMs + shutdown.timeoutMs);
  });

  it('keeps the api root filesystem read-only with a writable /tmp', () => {
    expect(api.read_only).toBe(true);
    const tmpfs = api.tmpfs === undefined ? [] : Array.isArray(api.tmpfs) ? api.tmpfs : [api.tmpfs];
    expect(tmpfs.map((entry) => entry.split(':')[0])).toContain('/tmp');
  });
});
