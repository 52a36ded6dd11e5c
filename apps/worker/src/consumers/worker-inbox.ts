import { sql } from 'drizzle-orm';
import { rowsOf, type TransactionHost } from '@app/database';
import { EventInbox } from '@app/events';

type InboxStore = ConstructorParameters<typeof EventInbox>[1];

/**
 * The events lib's `EventInbox` (table `processed_events`) without `EventsModule`: that module also starts the
 * in-process dispatcher, which in the worker would claim the API's deliveries without having their handlers.
 * The store below is the one statement `EventInbox.once` needs.
 */
export function workerInbox(txHost: TransactionHost): EventInbox {
  const store: Pick<InboxStore, 'markProcessed'> = {
    async markProcessed(subscriber: string, eventId: string): Promise<boolean> {
      const rows = rowsOf(
        await txHost.tx.execute(
          sql`insert into processed_events (subscriber, event_id) values (${subscriber}, ${eventId})
              on conflict do nothing returning event_id`,
        ),
      );
      return rows.length > 0;
    },
  };
  return new EventInbox(txHost, store as InboxStore);
}
