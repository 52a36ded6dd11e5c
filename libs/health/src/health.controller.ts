import { Controller, Get, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@app/auth';
import { ApiOk, ApiProblems, ApiPublic, AppConfig, ProblemException, ProblemType } from '@app/core';
import { DatabaseHealthIndicator } from './database.health';
import { LifecycleState } from './lifecycle.state';
import { ProbeStatusResponse } from './probe.response';
import { NatsHealthIndicator } from './nats.health';
import { RedisHealthIndicator } from './redis.health';

/** The whole terminus result, or only its status when details are hidden. */
type ProbeAnswer = HealthCheckResult | Pick<HealthCheckResult, 'status'>;

/**
 * Kubernetes probes, unversioned, public and outside rate limits. Liveness (`/health/live`, served by
 * {@link LivenessRoute} outside the Nest pipeline) is the process alone (never a dependency: a database hiccup
 * must not restart every pod); readiness is "can serve traffic" (PostgreSQL and migrations; Redis, when configured, is reported
 * but can only make it `degraded`, since the app serves without it); startup is "bootstrap finished".
 * Which dependency is in what state is shown only with HEALTH_DETAILS (default: not in production), since the
 * probes are public.
 */
@ApiTags('health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
@ApiPublic()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly lifecycle: LifecycleState,
    private readonly redis: RedisHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness probe',
    description:
      'The database answers and every migration is applied (Redis and NATS, when configured, are reported but never fail it).',
  })
  @ApiOk(ProbeStatusResponse, { description: 'Ready to serve traffic' })
  @ApiProblems({ status: 503, description: 'Not ready (or shutting down).' }, 500)
  ready(): Promise<ProbeAnswer> {
    const checks = [() => this.lifecycleCheck('lifecycle'), () => this.database.check()];
    if (this.redis.configured) checks.push(() => this.redis.check());
    if (this.nats.configured) checks.push(() => this.nats.check());
    return this.probe(checks);
  }

  @Get('startup')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getStartup',
    summary: 'Startup probe',
    description: 'Bootstrap (migrations included) has finished.',
  })
  @ApiOk(ProbeStatusResponse, { description: 'Started' })
  @ApiProblems({ status: 503, description: 'Still starting (or shutting down).' }, 500)
  startup(): Promise<ProbeAnswer> {
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
  ): Promise<ProbeAnswer> {
    const details = this.config.healthDetails;
    try {
      const result = await this.health.check(checks);
      return details ? result : { status: result.status };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as Partial<HealthCheckResult>;
      throw new ProblemException({
        status: 503,
        type: ProblemType.unavailable,
        detail: details ? 'Not ready: ' + Object.keys(result.error ?? {}).join(', ') : 'Not ready',
        headers: { 'retry-after': '1' },
        extensions: details ? { checks: result.details ?? {} } : {},
      });
    }
  }
}
