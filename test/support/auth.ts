import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeJwt, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { expect } from 'vitest';

export type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;
export type InjectOptions = Exclude<Parameters<NestFastifyApplication['inject']>[0], string>;

/** The values `test-config.ts` and the config defaults give the app under test. */
export const TEST_JWT_SECRET = 'test-only-jwt-signing-key-0123456789abcdef';
export const JWT_ISSUER = 'nest-enterprise-backend';
export const JWT_AUDIENCE = 'nest-enterprise-backend-api';
export const ACCESS_TTL_SECONDS = 900;

/** The account the app creates on boot from ADMIN_EMAIL / ADMIN_PASSWORD (see {@link adminEnv}). */
export const ADMIN = { email: 'bootstrap-admin@example.test', password: 'Bootstrap-Admin-Pass-9431' } as const;
export const adminEnv = (): Record<string, string> => ({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export interface UserBody {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  requestId: string;
  errors?: Array<{ field: string; message: string }>;
}

/** A registered account, with its password and one login session. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  tokens: TokenPair;
}

let emailCounter = 0;
/** Unique per call and per run, so tests never see each other's accounts. */
export const uniqueEmail = (label = 'user'): string =>
  `${label}-${++emailCounter}-${randomBytes(4).toString('hex')}@example.test`;

/** A random 18-character password: long enough, never on a common-password list. */
export const strongPassword = (): string => `Pw-${randomBytes(12).toString('base64url')}`;

export const authHeader = (accessToken: string): Record<string, string> => ({ authorization: `Bearer ${accessToken}` });

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Every response the suite received, and every refresh token handed out, so that one test can check that
 * no response ever carried a password hash or a refresh-token hash.
 */
export class ResponseLog {
  readonly texts: string[] = [];
  readonly refreshTokens = new Set<string>();

  record(res: Injected): void {
    this.texts.push(res.body, JSON.stringify(res.headers));
    if (res.body.includes('refreshToken')) {
      try {
        const body = JSON.parse(res.body) as { refreshToken?: unknown };
        if (typeof body.refreshToken === 'string') this.refreshTokens.add(body.refreshToken);
      } catch {
        // not JSON: nothing to learn
      }
    }
  }

  leaks(): string[] {
    return findHashLeaks(this.texts, this.refreshTokens);
  }
}

/** Argon2 PHC strings and SHA-256 hex digests of known refresh tokens found in `texts`. */
export function findHashLeaks(texts: readonly string[], refreshTokens: Iterable<string>): string[] {
  const tokenHashes = new Set([...refreshTokens].map(sha256Hex));
  const leaks: string[] = [];
  for (const text of texts) {
    if (text.includes('$argon2')) leaks.push(`argon2 hash in ${text.slice(0, 200)}`);
    for (const hex of text.match(/[0-9a-fA-F]{64}/g) ?? []) {
      if (tokenHashes.has(hex.toLowerCase())) leaks.push(`refresh-token hash ${hex}`);
    }
    // Also inside a longer hex run, which the 64-character match above could have cut elsewhere.
    const lower = text.toLowerCase();
    for (const hash of tokenHashes) if (lower.includes(hash)) leaks.push(`refresh-token hash ${hash}`);
  }
  return leaks;
}

/** Asserts a problem+json error response with this status and returns its body. */
export function expectProblem(res: Injected, status: number): ProblemBody {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<ProblemBody>();
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

/** A 401 problem with a `WWW-Authenticate: Bearer…` challenge. */
export function expectUnauthorized(res: Injected): ProblemBody {
  const body = expectProblem(res, 401);
  expect(String(res.headers['www-authenticate'])).toMatch(/^Bearer\b/);
  return body;
}

/** The fields a 400 validation problem names. */
export function invalidFields(res: Injected): string[] {
  const body = expectProblem(res, 400);
  expect(body.type).toBe('https://errors.example.dev/validation');
  return [...new Set((body.errors ?? []).map((e) => e.field))].sort();
}

/** The app under test, with every response recorded in `log`. */
export class AuthApi {
  constructor(
    readonly app: NestFastifyApplication,
    readonly log = new ResponseLog(),
  ) {}

  async inject(options: InjectOptions): Promise<Injected> {
    const res = await this.app.inject(options);
    this.log.record(res);
    return res;
  }

  registerRaw(payload: Record<string, unknown>, extra: Partial<InjectOptions> = {}): Promise<Injected> {
    return this.inject({ method: 'POST', url: '/v1/auth/register', payload, ...extra });
  }

  /** Registers a new account (unique email, strong password unless given) and expects 201. */
  async register(
    input: { email?: string; password?: string; name?: string } = {},
  ): Promise<{ user: UserBody; email: string; password: string; res: Injected }> {
    const email = input.email ?? uniqueEmail();
    const password = input.password ?? strongPassword();
    const res = await this.registerRaw({ email, password, name: input.name ?? 'Test User' });
    expect(res.statusCode, res.body).toBe(201);
    return { user: res.json<UserBody>(), email, password, res };
  }

  loginRaw(email: string, password: string, extra: Partial<InjectOptions> = {}): Promise<Injected> {
    return this.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, ...extra });
  }

  /** Logs in and expects 200 with a token pair. */
  async login(email: string, password: string): Promise<TokenPair> {
    const res = await this.loginRaw(email, password);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<TokenPair>();
  }

  refresh(refreshToken: string): Promise<Injected> {
    return this.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
  }

  me(accessToken?: string, headers: Record<string, string> = {}): Promise<Injected> {
    return this.inject({
      method: 'GET',
      url: '/v1/users/me',
      headers: { ...(accessToken === undefined ? {} : authHeader(accessToken)), ...headers },
    });
  }

  /** A fresh account, logged in once. */
  async newUser(name = 'Test User'): Promise<TestUser> {
    const { user, email, password } = await this.register({ name });
    return { id: user.id, email, password, tokens: await this.login(email, password) };
  }

  /** The bootstrap admin (the app must have been booted with {@link adminEnv}), logged in. */
  async admin(): Promise<TestUser> {
    const tokens = await this.login(ADMIN.email, ADMIN.password);
    return { id: decodeJwt(tokens.accessToken).sub as string, ...ADMIN, tokens };
  }

  /** As the given admin: `PATCH /v1/users/:id`. */
  patchUser(adminToken: string, id: string, payload: Record<string, unknown>): Promise<Injected> {
    return this.inject({ method: 'PATCH', url: `/v1/users/${id}`, headers: authHeader(adminToken), payload });
  }
}

// --- forging JWTs (the tampering matrix) --------------------------------------------------------------

const secretKey = (secret: string): Uint8Array => new TextEncoder().encode(secret);
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * The claims of a real access token with a fresh `jti`, `iat` and `exp`, then `overrides`; a key set to
 * `undefined` is dropped. Signed with the right secret and algorithm this is a token the app accepts.
 */
export function claimsFrom(accessToken: string, overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    ...decodeJwt(accessToken),
    jti: randomUUID(),
    iat: now,
    exp: now + 600,
    ...overrides,
  };
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
  return claims as JWTPayload;
}

/** A JWT signed with `jose` by an HMAC algorithm, by default with the app's own secret. */
export function signHmac(
  claims: JWTPayload,
  options: { alg?: 'HS256' | 'HS384' | 'HS512'; secret?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(secretKey(options.secret ?? TEST_JWT_SECRET));
}

/** `alg: none`, no signature (`header.payload.`). */
export const unsecuredToken = (claims: JWTPayload): string => new UnsecuredJWT(claims).encode();

/** A genuine RS256 signature, from a key pair the app has never seen. */
export async function signRs256(claims: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(privateKey);
}

/**
 * Algorithm confusion: any header (e.g. `{alg: 'RS256'}` or `{alg: 'none'}`) with an HMAC-SHA256 signature
 * made with the app's secret — a verifier that trusts the header's `alg` would be fooled one way or another.
 */
export function hmacUnderHeader(claims: JWTPayload, header: Record<string, unknown>): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
}

/** The same token with one signature character changed (in the middle, where every bit counts). */
export function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  const i = Math.floor(signature.length / 2);
  const swapped = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${swapped}${signature.slice(i + 1)}`;
}
