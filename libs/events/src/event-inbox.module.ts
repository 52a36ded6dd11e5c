import { Module } from '@nestjs/common';
import { EventInbox } from './event-inbox';
import { OutboxRepository } from './outbox.repository';

/**
 * The inbox alone (`EventInbox`, table `processed_events`): for a process that applies events once but runs
 * neither the in-process dispatcher nor the relay (the worker, whose events come from JetStream). `EventsModule`
 * includes it.
 */
@Module({
  providers: [OutboxRepository, EventInbox],
  exports: [EventInbox, OutboxRepository],
})
export class EventInboxModule {}
