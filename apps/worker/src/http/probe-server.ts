import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, Metrics } from '@app/core';
import { DatabaseClient } from '@app/database';
import { NatsConnection } from '@app/nats';
import { JobRunner } from '../consumers/job-runner';

const PING_TIMEOUT_MS = 1_000;

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The worker's probes and metrics on WORKER_PORT, a bare `node:http` server (the worker serves no API):
 * `/health/live` (the process answers), `/health/ready` (database and NATS answer, consumers pulling; 503
 * otherwise and while shutting down) and `/metrics` (bearer METRICS_TOKEN when set).
 */
@Injectable()
export class ProbeServer {
  private readonly logger = new Logger('ProbeServer');
  private server: Server | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly database: DatabaseClient,
    private readonly nats: NatsConnection,
    private readonly runner: JobRunner,
  ) {}

  async listen(port = this.config.worker.port, host = this.config.http.host): Promise<number> {
    const server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.logger.error({ err: error }, 'Probe failed');
        if (!response.headersSent) this.send(response, 500, { status: 'error' });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    this.logger.log(`Probes and metrics on http://${host}:${bound}`);
    return bound;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return this.send(response, 405, { status: 'error' });
    if (path === '/health/live') return this.send(response, 200, { status: 'ok' });
    if (path === '/health/ready') return this.ready(response);
    if (path === '/metrics') {
      const token = this.config.metricsToken;
      if (token !== undefined && !sameToken(request.headers.authorization ?? '', `Bearer ${token}`)) {
        return this.send(response, 401, { status: 'unauthorized' });
      }
      const text = await this.metrics.scrape();
      response.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(text);
      return;
    }
    this.send(response, 404, { status: 'not found' });
  }

  private async ready(response: ServerResponse): Promise<void> {
    const [database, nats] = await Promise.all([
      this.database.ping(PING_TIMEOUT_MS).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      this.nats.ping(PING_TIMEOUT_MS).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    const consumers = this.runner.ready ? 'up' : 'down';
    const up = database === 'up' && nats === 'up' && consumers === 'up';
    const body = this.config.healthDetails
      ? { status: up ? 'ok' : 'error', details: { database, nats, consumers } }
      : { status: up ? 'ok' : 'error' };
    this.send(response, up ? 200 : 503, body);
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache, no-store, must-revalidate',
    });
    response.end(JSON.stringify(body));
  }
}
