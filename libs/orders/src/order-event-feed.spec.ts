import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventStream } from '@app/core';
import type { LiveEvent } from '@app/events';
import { type FeedSource, OrderEventFeed, REPLAY_MAX, REPLAY_PAGE } from './order-event-feed';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

let counter = 0;
const event = (userId: string, status = 'pending', name = 'order.placed'): LiveEvent => ({
  position: ++counter,
  id: `e${counter}`,
  name,
  version: 1,
  aggregateType: 'order',
  aggregateId: `o${counter}`,
  occurredAt: new Date('2026-11-29T10:00:00Z'),
  payload: { orderId: `o${counter}`, userId, status },
});

/** An outbox of `events` (in position order) whose live horizon is `horizon`. */
function sourceOf(events: LiveEvent[], horizon = events.at(-1)?.position ?? 0): FeedSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    positionOf: (afterId) => Promise.resolve(events.find((e) => e.id === afterId)?.position),
    horizon: () => Promise.resolve(horizon),
    replay: (after, upTo, filter, limit) => {
      reads.push(`(${after}, ${upTo}] ${JSON.stringify(filter.payload ?? null)}`);
      return Promise.resolve(
        events
          .filter((e) => e.position > after && e.position <= upTo)
          .filter((e) => !filter.payload || (e.payload as Record<string, unknown>).userId === filter.payload.value)
          .slice(0, limit),
      );
    },
  };
}

/** A feed writing to an in-memory stream; `frames()` parses what it wrote. */
/** `userId: null`: an admin's unfiltered stream. */
function feedOf(source: FeedSource, userId: string | null = ALICE) {
  let text = '';
  const res = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as unknown as ServerResponse;
  const stream = new EventStream(res, 60_000, () => undefined);
  const feed = new OrderEventFeed(stream, source, userId ?? undefined);
  const frames = () =>
    text
      .split('\n\n')
      .filter(Boolean)
      .map((frame) =>
        Object.fromEntries(
          frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        ),
      );
  return { feed, stream, frames };
}

describe('OrderEventFeed', () => {
  it("passes on live events of the user's own orders only, each once", () => {
    const { feed, frames, stream } = feedOf(sourceOf([]));
    const mine = event(ALICE);
    feed.push(mine);
    feed.push(event(BOB));
    feed.push(mine);
    feed.push({ ...event(ALICE), aggregateType: 'product' });
    expect(frames().map((f) => f.id)).toEqual([mine.id]);
    expect(JSON.parse(frames()[0]!.data!)).toEqual({
      orderId: mine.aggregateId,
      userId: ALICE,
      status: 'pending',
      occurredAt: '2026-11-29T10:00:00.000Z',
    });
    stream.close();
  });

  it('replays what was missed up to the horizon first, holds live events meanwhile, and sends each once, in order', async () => {
    const seen = event(ALICE);
    const missed = [event(ALICE), event(BOB), event(ALICE, 'paid', 'order.status-changed')];
    const live = event(ALICE);
    const source = sourceOf([seen, ...missed, live], missed[2]!.position);
    let release!: () => void;
    const horizon = source.horizon;
    source.horizon = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return horizon();
    };
    const { feed, frames, stream } = feedOf(source);
    const done = feed.resume(seen.id);
    await new Promise((resolve) => setImmediate(resolve));
    feed.push(missed[2]!); // handed out live while the replay had not read yet: the replay sends it
    feed.push(live);
    expect(frames()).toEqual([]);
    release();
    await done;
    expect(frames().map((f) => f.id)).toEqual([missed[0]!.id, missed[2]!.id, live.id]);
    expect(source.reads).toEqual([
      `(${seen.position}, ${missed[2]!.position}] ${JSON.stringify({ field: 'userId', value: ALICE })}`,
    ]);
    stream.close();
  });

  it('sends nothing the client had when its replica is behind it: live events at or before its id are dropped', async () => {
    const had = [event(ALICE), event(ALICE)];
    const source = sourceOf(had, had[0]!.position); // this replica's live events have not reached had[1] yet
    const { feed, frames, stream } = feedOf(source);
    await feed.resume(had[1]!.id);
    expect(source.reads).toEqual([]);
    feed.push(had[1]!);
    const next = event(ALICE);
    feed.push(next);
    expect(frames().map((f) => f.id)).toEqual([next.id]);
    stream.close();
  });

  it('answers an unknown starting point with a gap that resets the id, then goes on live', async () => {
    const { feed, frames, stream } = feedOf(sourceOf([]), null);
    await feed.resume('gone');
    feed.push(event(BOB));
    const [gap, next] = frames();
    expect(gap).toMatchObject({ id: '', event: 'gap' });
    expect(JSON.parse(gap!.data!)).toMatchObject({ lastEventId: 'gone', reason: 'unknown' });
    expect(next!.event).toBe('order.placed');
    stream.close();
  });

  it('reads page after page, and sends a gap when the client is too far behind', async () => {
    const start = event(ALICE);
    const backlog = Array.from({ length: REPLAY_MAX + REPLAY_PAGE }, () => event(ALICE));
    const source = sourceOf([start, ...backlog]);
    const { feed, frames, stream } = feedOf(source);
    await feed.resume(start.id);
    expect(source.reads).toHaveLength(REPLAY_MAX / REPLAY_PAGE);
    expect(frames()).toHaveLength(REPLAY_MAX + 1);
    expect(frames().at(-1)).toMatchObject({ event: 'gap' });
    expect(JSON.parse(frames().at(-1)!.data!)).toMatchObject({ reason: 'too-far-behind' });
    stream.close();
  });

  it('ends the stream when the replay fails (the client resumes from its last id)', async () => {
    const source = sourceOf([event(ALICE), event(ALICE)]);
    source.replay = () => Promise.reject(new Error('database down'));
    const { feed, stream } = feedOf(source);
    const reasons: string[] = [];
    stream.onClose((why) => reasons.push(why));
    await feed.resume('e' + (counter - 1));
    expect(reasons).toEqual(['server']);
  });
});
