import { Controller, Get, Header, Headers, VERSION_NEUTRAL } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { timingSafeEqual } from 'node:crypto';
import { Public, unauthorized } from '@app/auth';
import { AppConfig, Metrics } from '@app/core';

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Prometheus scrape endpoint, unversioned, outside rate limits; bearer-protected when METRICS_TOKEN is set.
 * In cluster mode it answers for every worker (see `Metrics.scrape`).
 */
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  async scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const token = this.config.metricsToken;
    if (token !== undefined && !sameToken(authorization ?? '', `Bearer ${token}`)) throw unauthorized();
    return this.metrics.scrape();
  }
}
