import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventStream } from '@app/core';
import type { DomainEvent, ReplayFilter } from '@app/events';
import { OrderEventFeed, REPLAY_MAX, REPLAY_PAGE, type Replay } from './order-event-feed';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

let counter = 0;
const event = (userId: string, status = 'pending', name = 'order.placed'): DomainEvent => ({
  id: `e${++counter}`,
  name,
  version: 1,
  aggregateType: 'order',
  aggregateId: `o${counter}`,
  occurredAt: new Date('2026-11-29T10:00:00Z'),
  payload: { orderId: `o${counter}`, userId, status },
});

/** A feed writing to an in-memory stream; `frames()` parses what it wrote. */
/** `userId: null`: an admin's unfiltered stream. */
function feedOf(replay: Replay, userId: string | null = ALICE) {
  let text = '';
  const res = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as unknown as ServerResponse;
  const stream = new EventStream(res, 60_000, () => undefined);
  const feed = new OrderEventFeed(stream, replay, userId ?? undefined);
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
    const { feed, frames, stream } = feedOf(() => Promise.resolve([]));
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

  it('replays what was missed first, holds live events meanwhile, and sends each once, in order', async () => {
    const missed = [event(ALICE), event(ALICE, 'paid', 'order.status-changed')];
    const live = event(ALICE);
    let release!: () => void;
    const filters: ReplayFilter[] = [];
    const replay: Replay = async (afterId, filter) => {
      filters.push(filter);
      expect(afterId).toBe('e0');
      await new Promise<void>((resolve) => (release = resolve));
      return [...missed, live]; // the live one was recorded before the replay read
    };
    const { feed, frames, stream } = feedOf(replay);
    const done = feed.catchUp('e0');
    await Promise.resolve();
    feed.push(live);
    feed.push(missed[1]!); // a late live copy of a replayed event
    expect(frames()).toEqual([]);
    release();
    await done;
    expect(frames().map((f) => f.id)).toEqual([missed[0]!.id, missed[1]!.id, live.id]);
    expect(filters).toEqual([{ aggregateType: 'order', payload: { field: 'userId', value: ALICE } }]);
    stream.close();
  });

  it('answers an unknown starting point with a gap that resets the id, then goes on live', async () => {
    const { feed, frames, stream } = feedOf(() => Promise.resolve(undefined), null);
    await feed.catchUp('gone');
    feed.push(event(BOB));
    const [gap, next] = frames();
    expect(gap).toMatchObject({ id: '', event: 'gap' });
    expect(JSON.parse(gap!.data!)).toMatchObject({ lastEventId: 'gone', reason: 'unknown' });
    expect(next!.event).toBe('order.placed');
    stream.close();
  });

  it('reads page after page, and sends a gap when the client is too far behind', async () => {
    let pages = 0;
    const replay: Replay = (_afterId, _filter, limit) => {
      pages++;
      return Promise.resolve(Array.from({ length: limit }, () => event(ALICE)));
    };
    const { feed, frames, stream } = feedOf(replay);
    await feed.catchUp('e0');
    expect(pages).toBe(REPLAY_MAX / REPLAY_PAGE);
    expect(frames().at(-1)).toMatchObject({ event: 'gap' });
    expect(JSON.parse(frames().at(-1)!.data!)).toMatchObject({ reason: 'too-far-behind' });
    stream.close();
  });

  it('ends the stream when the replay fails (the client resumes from its last id)', async () => {
    const { feed, stream } = feedOf(() => Promise.reject(new Error('database down')));
    const reasons: string[] = [];
    stream.onClose((why) => reasons.push(why));
    await feed.catchUp('e0');
    expect(reasons).toEqual(['server']);
  });
});
