import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventStream, MAX_BUFFERED_BYTES } from './event-stream';

/** A socket-like sink that keeps what is written; `stalled` makes it stop draining (a client that does not read). */
function sink(stalled = false): { res: ServerResponse; text: () => string } {
  const chunks: string[] = [];
  const res = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      if (!stalled) callback();
    },
  });
  return { res: res as unknown as ServerResponse, text: () => chunks.join('') };
}

describe('EventStream', () => {
  it('writes id, event and one JSON data line per message, then a blank line', () => {
    const { res, text } = sink();
    const events: string[] = [];
    const stream = new EventStream(res, 60_000, (event) => events.push(event));
    stream.send({ id: 'e1', event: 'order.placed', data: { note: 'two\nlines', n: 1 } });
    stream.send({ data: [1] });
    expect(text()).toBe('id: e1\nevent: order.placed\ndata: {"note":"two\\nlines","n":1}\n\ndata: [1]\n\n');
    expect(events).toEqual(['order.placed', 'message']);
    stream.close();
  });

  it('refuses an id or event name with a line break (it would forge fields)', () => {
    const stream = new EventStream(sink().res, 60_000, () => undefined);
    expect(() => stream.send({ id: 'a\nevent: x', data: 1 })).toThrow(/line break/);
    expect(() => stream.send({ event: 'x\rdata: y', data: 1 })).toThrow(/line break/);
    stream.close();
  });

  it('sends heartbeat comments while open and nothing after the end', async () => {
    const { res, text } = sink();
    const stream = new EventStream(res, 20, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(text().match(/: heartbeat\n\n/g)?.length).toBeGreaterThanOrEqual(2);
    let reason: string | undefined;
    stream.onClose((why) => (reason = why));
    stream.close('shutdown');
    const after = text().length;
    expect(stream.send({ data: 1 })).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(text().length).toBe(after);
    expect(reason).toBe('shutdown');
  });

  it('is ended at once when the client left before it started (its close event is past)', () => {
    const { res } = sink();
    (res as unknown as Writable).destroy();
    const stream = new EventStream(res, 60_000, () => undefined);
    const reasons: string[] = [];
    stream.onClose((why) => reasons.push(why));
    expect(stream.isOpen).toBe(false);
    expect(reasons).toEqual(['client']);
    expect(stream.send({ data: 1 })).toBe(false);
  });

  it('ends the stream of a client that stops reading rather than buffer without bound', () => {
    const stream = new EventStream(sink(true).res, 60_000, () => undefined);
    const reasons: string[] = [];
    stream.onClose((why) => reasons.push(why));
    const big = 'x'.repeat(64 * 1024);
    let sent = 0;
    while (stream.send({ data: big })) sent++;
    expect(sent * big.length).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);
    expect(reasons).toEqual(['slow']);
  });
});
