import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { GracefulShutdown } from './graceful-shutdown';
import { HealthController } from './health.controller';
import { LifecycleState } from './lifecycle.state';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, LifecycleState, GracefulShutdown],
  exports: [LifecycleState],
})
export class HealthModule {}
