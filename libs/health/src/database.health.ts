import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DatabaseClient, Migrator } from '@app/database';

const PING_TIMEOUT_MS = 1_000;

/** PostgreSQL answers within a second and every committed migration is applied. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly client: DatabaseClient,
    private readonly migrator: Migrator,
  ) {}

  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    try {
      await this.client.ping(PING_TIMEOUT_MS);
      const { pending } = await this.migrator.status();
      if (pending > 0) return session.down({ driver: this.client.kind, message: `${pending} migration(s) pending` });
      return session.up({ driver: this.client.kind });
    } catch (error) {
      return session.down({
        driver: this.client.kind,
        message: error instanceof Error ? error.message : 'unreachable',
      });
    }
  }
}
