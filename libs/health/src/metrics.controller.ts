import { Controller, Get, Header, Headers, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { timingSafeEqual } from 'node:crypto';
import { Public, unauthorized } from '@app/auth';
import { ApiProblems, AppConfig, Metrics } from '@app/core';

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Prometheus scrape endpoint, unversioned, outside rate limits; bearer-protected when METRICS_TOKEN is set.
 * In cluster mode it answers for every worker (see `Metrics.scrape`).
 */
@ApiTags('metrics')
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description:
      'The Prometheus text exposition format. Needs `Authorization: Bearer <METRICS_TOKEN>` when the server sets ' +
      'METRICS_TOKEN (a static token, not an access token); open otherwise.',
    security: [{ metricsToken: [] }, {}],
  })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The metrics, `text/plain; version=0.0.4`',
    schema: { type: 'string', example: '# HELP http_requests_total …\n# TYPE http_requests_total counter\n' },
  })
  @ApiProblems({ status: 401, description: 'METRICS_TOKEN is set and the bearer token is not it.' }, 500, 503)
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  async scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const token = this.config.metricsToken;
    if (token !== undefined && !sameToken(authorization ?? '', `Bearer ${token}`)) throw unauthorized();
    return this.metrics.scrape();
  }
}
