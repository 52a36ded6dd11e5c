import { Injectable, Module } from '@nestjs/common';
import { IsInt, IsUUID, Min } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { OrderPlaced, type OrderPlacedPayload } from '@app/contracts';
import { DatabaseClient, rowsOf, TransactionHost } from '@app/database';
import {
  defineEvent,
  type DomainEvent,
  EventBus,
  type EventDelivery,
  EventDispatcher,
  HandlesEvent,
  InvalidEventPayloadError,
} from '@app/events';
import { adminEnv, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

class CounterBumpedPayload {
  @IsUUID()
  counterId!: string;

  @IsInt()
  @Min(1)
  step!: number;
}

const CounterBumped = defineEvent({
  name: 'test-counter.bumped',
  version: 1,
  aggregateType: 'test-counter',
  payload: CounterBumpedPayload,
  aggregateIdOf: (payload) => payload.counterId,
  description: 'Test only.',
});

/** Handlers whose behaviour each test sets: what they saw, when they fail, how long they take. */
@Injectable()
class Recorder {
  seen: Array<{ step: number; attempt: number; counterId: string }> = [];
  applied = 0;
  failTimes = new Map<number, number>(); // step → how many attempts fail
  slowStep: number | undefined;
  ordersSeen: string[] = [];

  @HandlesEvent(CounterBumped)
  async onBumped(event: DomainEvent<CounterBumpedPayload>, delivery: EventDelivery): Promise<void> {
    const { step, counterId } = event.payload;
    if (step === this.slowStep) await new Promise((resolve) => setTimeout(resolve, 150));
    this.seen.push({ step, attempt: delivery.attempt, counterId });
    const failures = this.failTimes.get(step) ?? 0;
    if (delivery.attempt <= failures) throw new Error(`step ${step} fails on attempt ${delivery.attempt}`);
    await delivery.once(async () => {
      this.applied += step;
    });
  }

  /** A subscriber to a real event that always fails: it must never fail the order that published it. */
  @HandlesEvent(OrderPlaced, { subscriber: 'test.always-fails' })
  async onOrderPlaced(event: DomainEvent<OrderPlacedPayload>): Promise<void> {
    this.ordersSeen.push(event.payload.orderId);
    throw new Error('this subscriber is broken');
  }
}

@Module({ providers: [Recorder], exports: [Recorder] })
class RecorderModule {}

describeEachDatabase('domain events (outbox, in-process delivery)', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let bus: EventBus;
  let host: TransactionHost;
  let dispatcher: EventDispatcher;
  let recorder: Recorder;
  let api: ShopApi;
  let alice: TestUser;

  const query = async <T>(statement: ReturnType<typeof sql>): Promise<T[]> =>
    rowsOf<T>(await t.app.get(DatabaseClient).db.execute(statement));
  const bump = (counterId: string, step: number) =>
    host.withTransaction(() => bus.publish(CounterBumped, { counterId, step }));
  const until = async (check: () => boolean | Promise<boolean>, ms = 4000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const metric = async (pattern: RegExp): Promise<number> => {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    return text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp(
      { ...db.env, ...adminEnv(), EVENTS_RETRY_BASE_MS: '20', EVENTS_MAX_ATTEMPTS: '3', EVENTS_POLL_INTERVAL_MS: '50' },
      { imports: [RecorderModule] },
    );
    bus = t.app.get(EventBus);
    host = t.app.get(TransactionHost);
    dispatcher = t.app.get(EventDispatcher);
    recorder = t.app.get(Recorder);
    api = await new ShopApi(t.app).init();
    [alice] = await api.newUsers(1);
  });
  beforeEach(() => {
    Object.assign(recorder, { seen: [], applied: 0, failTimes: new Map(), slowStep: undefined, ordersSeen: [] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('records the event in the transaction and delivers it after the commit, not before', async () => {
    const counterId = randomUUID();
    await host.withTransaction(async () => {
      const event = await bus.publish(CounterBumped, { counterId, step: 1 });
      const [row] = await rowsOf<{ name: string; payload: unknown }>(
        await host.tx.execute(sql`select name, payload from outbox_events where id = ${event.id}`),
      );
      expect(row).toEqual({ name: 'test-counter.bumped', payload: { counterId, step: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(recorder.seen).toEqual([]);
    });
    await until(() => recorder.applied === 1);
    expect(recorder.seen).toEqual([{ step: 1, attempt: 1, counterId }]);
  });

  it('a rolled-back transaction leaves no event', async () => {
    const counterId = randomUUID();
    await expect(
      host.withTransaction(async () => {
        await bus.publish(CounterBumped, { counterId, step: 5 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recorder.seen).toEqual([]);
    expect(await query(sql`select 1 from outbox_events where aggregate_id = ${counterId}`)).toEqual([]);
  });

  it('refuses a payload that breaks the schema, and a publish outside a transaction', async () => {
    await expect(
      host.withTransaction(() => bus.publish(CounterBumped, { counterId: 'nope', step: 0 })),
    ).rejects.toBeInstanceOf(InvalidEventPayloadError);
    await expect(
      host.withTransaction(() => bus.publish(CounterBumped, { counterId: randomUUID(), step: 1, extra: 1 } as never)),
    ).rejects.toThrow(/extra/);
    await expect(bus.publish(CounterBumped, { counterId: randomUUID(), step: 1 })).rejects.toThrow(/transaction/);
  });

  it('retries a failing handler with backoff until it succeeds, and counts the retries', async () => {
    const retriesBefore = await metric(/^event_deliveries_total\{.*test-counter.bumped.*outcome="retry"/);
    const counterId = randomUUID();
    recorder.failTimes.set(2, 2);
    await bump(counterId, 2);
    await until(() => recorder.applied === 2);
    expect(recorder.seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(await metric(/^event_deliveries_total\{.*test-counter.bumped.*outcome="retry"/)).toBe(retriesBefore + 2);
  });

  it('delivers one aggregate in order, even when an earlier event is retried; others do not wait', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    recorder.failTimes.set(10, 1);
    // One commit for the three, so that the dispatcher sees them together whatever the timing.
    await host.withTransaction(async () => {
      await bus.publish(CounterBumped, { counterId: a, step: 10 });
      await bus.publish(CounterBumped, { counterId: a, step: 11 });
      await bus.publish(CounterBumped, { counterId: b, step: 12 });
    });
    await until(() => recorder.applied === 33);
    const ofA = recorder.seen.filter((s) => s.counterId === a).map((s) => s.step);
    expect(ofA).toEqual([10, 10, 11]);
    // b was not held back by a's retry.
    expect(recorder.seen.findIndex((s) => s.step === 12)).toBeLessThan(recorder.seen.findIndex((s) => s.step === 11));
  });

  it('gives up after the last attempt (dead, in /metrics) and goes on with the aggregate', async () => {
    const counterId = randomUUID();
    recorder.failTimes.set(20, 99);
    await bump(counterId, 20);
    await bump(counterId, 21);
    await until(() => recorder.applied === 21);
    expect(recorder.seen.filter((s) => s.step === 20)).toHaveLength(3);
    const [row] = await query<{ state: string; attempts: number; last_error: string }>(sql`
      select d.state, d.attempts, d.last_error from event_deliveries d join outbox_events o on o.position = d.event_position
      where o.aggregate_id = ${counterId} and (o.payload->>'step')::int = 20`);
    expect(row).toEqual({ state: 'dead', attempts: 3, last_error: 'step 20 fails on attempt 3' });
    await until(async () => (await metric(/^event_deliveries_waiting\{state="dead"\}/)) >= 1);
  });

  it("never takes a delivery for a handler this process does not have (another process's, or another version's)", async () => {
    const counterId = randomUUID();
    const event = await bump(counterId, 3);
    await until(() => recorder.applied === 3);
    await query(sql`
      insert into event_deliveries (subscriber, event_position, aggregate_key)
      select 'other-process.handler', position, 'test-counter:' || aggregate_id from outbox_events where id = ${event.id}`);
    dispatcher.poke();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await dispatcher.idle();
    const [row] = await query<{ state: string; attempts: number }>(sql`
      select d.state, d.attempts from event_deliveries d join outbox_events o on o.position = d.event_position
      where o.id = ${event.id} and d.subscriber = 'other-process.handler'`);
    expect(row).toEqual({ state: 'pending', attempts: 0 });
  });

  it('applies a redelivered event once (the inbox), e.g. after a crash between the effect and the ack', async () => {
    const counterId = randomUUID();
    const event = await bump(counterId, 7);
    await until(() => recorder.applied === 7);
    await dispatcher.idle(); // the delivery is marked done, not only applied
    // As if the process had died before marking the delivery done: it is pending again.
    await query(sql`
      update event_deliveries d set state = 'pending', finished_at = null
      from outbox_events o where o.position = d.event_position and o.id = ${event.id}`);
    dispatcher.poke();
    await until(() => recorder.seen.length === 2);
    await dispatcher.idle();
    expect(recorder.applied).toBe(7);
  });

  it('a failing subscriber never fails the request whose change published the event', async () => {
    const product = await api.createProduct({ stock: 5 });
    const order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    await until(() => recorder.ordersSeen.includes(order.id));
    const [row] = await query<{ name: string; payload: { orderId: string; userId: string; totalCents: number } }>(
      sql`select name, payload from outbox_events where aggregate_id = ${order.id}`,
    );
    expect(row?.name).toBe('order.placed');
    expect(row?.payload).toMatchObject({ orderId: order.id, userId: alice.id, totalCents: order.totalCents });
  });

  it('order, product and user changes are recorded as events', async () => {
    const product = await api.createProduct({ stock: 5 });
    await api.changeProduct(product.id, { priceCents: 999 });
    let order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    order = await api.advanceOrder(order, 'paid');
    expect((await api.cancelOrder(alice.tokens.accessToken, order.id)).statusCode).toBe(200);
    const events = await query<{ name: string; version: number; payload: Record<string, unknown> }>(sql`
      select name, version, payload from outbox_events
      where aggregate_id in (${product.id}, ${order.id}) order by position`);
    expect(events.map((e) => `${e.name}@${e.version}`)).toEqual([
      'product.changed@1',
      'product.changed@1',
      'order.placed@1',
      'order.status-changed@1',
      'order.cancelled@1',
    ]);
    expect(events[1]?.payload).toMatchObject({ change: 'updated', priceCents: 999, version: 2 });
    expect(events[3]?.payload).toMatchObject({ from: 'pending', status: 'paid', version: 2 });
    expect(events[4]?.payload).toMatchObject({ from: 'paid', status: 'cancelled', version: 3 });
    const [user] = await api.newUsers(1);
    const [registered] = await query<{ payload: Record<string, unknown> }>(
      sql`select payload from outbox_events where name = 'user.registered' and aggregate_id = ${user?.id ?? ''}`,
    );
    expect(registered?.payload).toMatchObject({ userId: user?.id, email: user?.email });
  });
});
