import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { NatsConnection } from '@app/nats';

const PING_TIMEOUT_MS = 1_000;

/**
 * NATS, reported but never failing readiness: without it requests are served as before and events wait in the
 * outbox, so an outage marks the check `degraded` and the probe stays 200. Nothing is reported when NATS_URL is unset.
 */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly nats: NatsConnection,
  ) {}

  get configured(): boolean {
    return this.nats.configured;
  }

  async check(key = 'nats'): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    try {
      return session.up({ latencyMs: await this.nats.ping(PING_TIMEOUT_MS) });
    } catch {
      return session.degraded({ message: 'unreachable', impact: 'events wait in the outbox until NATS is back' });
    }
  }
}
