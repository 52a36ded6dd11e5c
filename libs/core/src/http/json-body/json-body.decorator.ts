import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { JsonLimits } from './json-limits';

/** What a route may receive as a JSON body: its size in bytes and, optionally, tighter shape limits. */
export interface JsonBodyOptions extends Partial<JsonLimits> {
  /** Body size in bytes; above it the route answers 413 before reading further. */
  maxBytes: number;
}

/** Where the route's options travel: Fastify's route `config`, which every request can read. */
export interface JsonBodyRouteConfig {
  jsonBody?: JsonBodyOptions;
}

/**
 * Per-route body limits, tighter than the app-wide `BODY_LIMIT` and `BODY_MAX_*` defaults: a login needs a
 * few KiB, not a MiB. Enforced by Fastify while the body is read (413) and by the JSON parser (400).
 *
 * ```ts
 * @Post('login')
 * @JsonBody({ maxBytes: 4 * 1024 })
 * login(@Body() dto: LoginDto) { ... }
 * ```
 * It merges into the route's Fastify config, so it combines with `@RouteConfig()` placed below it.
 */
export const JsonBody =
  (options: JsonBodyOptions): MethodDecorator =>
  (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as object | undefined) ?? {};
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, jsonBody: options }, handler);
    return descriptor;
  };
