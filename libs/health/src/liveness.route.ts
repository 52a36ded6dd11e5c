import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** The liveness probe's path (test/support/repo-files.ts reads it for the deployment checks). */
export const LIVENESS_PATH = '/health/live';

/** Liveness checks nothing but the process, so there are no details to show. */
const ALIVE = JSON.stringify({ status: 'ok' });

/**
 * `GET /health/live` as a plain Fastify route: liveness is "the process answers", so it needs none of the
 * business pipeline (guards, rate limits, interceptors, terminus), and a kubelet probing every few seconds per pod
 * should cost next to nothing. Fastify's hooks still run: security headers, request id, metrics and the log line.
 */
@Injectable()
export class LivenessRoute implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // No HTTP adapter in an application context without a server (the seed and migrate scripts).
    const adapter = this.adapterHost.httpAdapter as typeof this.adapterHost.httpAdapter | null | undefined;
    if (!adapter) return;
    const fastify = adapter.getInstance<FastifyInstance>();
    // Fifteen bytes are never worth compressing: no compression hooks on this route at all.
    fastify.get(LIVENESS_PATH, { compress: false }, (_request, reply) => {
      void reply
        .header('cache-control', 'no-cache, no-store, must-revalidate')
        .type('application/json; charset=utf-8')
        .send(ALIVE);
    });
  }
}
