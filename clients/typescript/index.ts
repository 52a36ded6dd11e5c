/**
 * A typed client for the API: openapi-fetch over the types openapi-typescript generated from openapi.json
 * (schema.d.ts). Paths, parameters, bodies and answers are checked by the compiler; see README.md.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

/** A problem details body (RFC 9457), as every error of the API is. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: Array<{ field: string; message: string }>;
};

export interface ApiClientOptions {
  /** Where the API is served, e.g. `https://api.example.com` (no trailing `/v1`: the paths carry it). */
  baseUrl: string;
  /**
   * The current access token, asked before every request (so a refreshed token is used at once); `undefined` sends
   * no Authorization header (the public routes: register, login, refresh, probes).
   */
  accessToken?: () => string | undefined | Promise<string | undefined>;
  /** A fetch of your own (tests, instrumentation); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** Adds `Authorization: Bearer <token>` to each request when `token()` returns one. */
export function bearerAuth(token: () => string | undefined | Promise<string | undefined>): Middleware {
  return {
    async onRequest({ request }) {
      const value = await token();
      if (value) request.headers.set('Authorization', `Bearer ${value}`);
      return request;
    },
  };
}

/** A client for every route of the document, with bearer authentication when `accessToken` is given. */
export function createApiClient(options: ApiClientOptions): Client<paths> {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  if (options.accessToken) client.use(bearerAuth(options.accessToken));
  return client;
}
