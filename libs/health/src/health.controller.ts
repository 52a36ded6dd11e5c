import { Controller, Get, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@app/auth';
import { ProblemException, ProblemType } from '@app/core';
import { DatabaseHealthIndicator } from './database.health';
import { LifecycleState } from './lifecycle.state';
import { RedisHealthIndicator } from './redis.health';

/**
 * Kubernetes probes, unversioned, public and outside rate limits. Liveness is the process alone (never a dependency: a database hiccup
 * must not restart every pod); readiness is "can serve traffic" (PostgreSQL and migrations; Redis, when configured, is reported
 * but can only make it `degraded`, since the app serves without it); startup is "bootstrap finished".
 */
@Controller({ path: 'health', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly lifecycle: LifecycleState,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.probe([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const checks = [() => this.lifecycleCheck('lifecycle'), () => this.database.check()];
    if (this.redis.configured) checks.push(() => this.redis.check());
    return this.probe(checks);
  }

  @Get('startup')
  @HealthCheck()
  startup(): Promise<HealthCheckResult> {
    return this.probe([() => this.lifecycleCheck('startup')]);
  }

  private lifecycleCheck(key: string): HealthIndicatorResult {
    const up = this.lifecycle.isStarted && !this.lifecycle.isShuttingDown;
    const message = !this.lifecycle.isStarted
      ? 'starting'
      : this.lifecycle.isShuttingDown
        ? 'shutting down'
        : 'started';
    return { [key]: { status: up ? 'up' : 'down', message } };
  }

  /** Runs terminus checks; a failure becomes a 503 problem that still carries terminus' check details. */
  private async probe(
    checks: Array<() => Promise<HealthIndicatorResult> | HealthIndicatorResult>,
  ): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as Partial<HealthCheckResult>;
      throw new ProblemException({
        status: 503,
        type: ProblemType.unavailable,
        detail: 'Not ready: ' + Object.keys(result.error ?? {}).join(', '),
        headers: { 'retry-after': '1' },
        extensions: { checks: result.details ?? {} },
      });
    }
  }
}
