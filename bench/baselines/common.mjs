// Shared by the hand-written baselines: environment, one Fastify instance, the JWT check, the pg pool.
// Each baseline is its own process, started by bench/lib/processes.mjs with the same settings as the API.
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** The API's `/health/live` body, as the bench read it from the running API (LIVE_BODY). */
export const liveBody = JSON.parse(process.env.LIVE_BODY || '{"status":"ok"}');

/** A plain Fastify 5 server, no logger, answering `/health/live` with the API's body. */
export function createServer() {
  const app = Fastify({ logger: false });
  app.get('/health/live', async () => liveBody);
  return app;
}

/**
 * The API's access-token check (HS256, issuer, audience, required claims), with the HMAC key imported once
 * as a CryptoKey. Returns the verified claims or `undefined`.
 */
export async function createTokenVerifier() {
  const secret = new TextEncoder().encode(requireEnv('JWT_SECRET'));
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const options = {
    algorithms: ['HS256'],
    issuer: process.env.JWT_ISSUER || 'nest-enterprise-backend',
    audience: process.env.JWT_AUDIENCE || 'nest-enterprise-backend-api',
    requiredClaims: ['sub', 'iat', 'exp', 'jti'],
  };
  return async (authorization) => {
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return undefined;
    try {
      const { payload } = await jwtVerify(authorization.slice(7), key, options);
      return typeof payload.sub === 'string' ? payload : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Registers a hook that answers 401 unless the bearer token verifies; the claims go to `request.claims`. */
export async function requireToken(app) {
  const verify = await createTokenVerifier();
  app.decorateRequest('claims', null);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/health/live') return;
    const claims = await verify(request.headers.authorization);
    if (!claims) return reply.code(401).send({ status: 401, title: 'Unauthorized' });
    request.claims = claims;
  });
}

/** node-postgres pool sized like the API's (DB_POOL_MAX, default 10). */
export function createPool() {
  return new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: Number(process.env.DB_POOL_MAX || 10) });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listen(app) {
  await app.listen({ host: process.env.HOST || '127.0.0.1', port: Number(requireEnv('PORT')) });
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => app.close().then(() => process.exit(0)));
}
