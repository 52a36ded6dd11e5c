import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DatabaseClient, Migrator } from '@app/database';

const PING_TIMEOUT_MS = 1_000;

/** PostgreSQL answers within a second and every committed migration is applied. */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('DatabaseHealth');

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
      // The cause goes to the log only: a driver's or the file system's message can name hosts and paths.
      this.logger.warn({ err: error }, 'Database readiness check failed');
      const timedOut = error instanceof Error && /timed out|timeout/i.test(error.message);
      return session.down({ driver: this.client.kind, message: timedOut ? 'no answer in time' : 'unreachable' });
    }
  }
}
