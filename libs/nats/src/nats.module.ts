import { Global, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Metrics } from '@app/core';
import { NatsConnection } from './nats.connection';

/**
 * The shared NATS connection (NATS_URL), for the outbox relay. It starts connecting at init without waiting, so the
 * app boots and serves whether NATS is there or not, and closes in `onApplicationShutdown`, after the HTTP server
 * has drained and the relay has stopped.
 */
@Global()
@Module({ providers: [NatsConnection], exports: [NatsConnection] })
export class NatsModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly nats: NatsConnection,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    if (!this.nats.configured) return;
    this.metrics.gauge('nats_up', '1 while the NATS connection is up, else 0', [], (set) =>
      set({}, this.nats.state === 'ready' ? 1 : 0),
    );
    void this.nats.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.nats.close();
  }
}
