import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { GracefulShutdown } from './graceful-shutdown';
import { HealthController } from './health.controller';
import { LifecycleState } from './lifecycle.state';
import { LivenessRoute } from './liveness.route';
import { MetricsController } from './metrics.controller';
import { NatsHealthIndicator } from './nats.health';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [
    DatabaseHealthIndicator,
    RedisHealthIndicator,
    NatsHealthIndicator,
    LifecycleState,
    GracefulShutdown,
    LivenessRoute,
  ],
  exports: [LifecycleState],
})
export class HealthModule {}
