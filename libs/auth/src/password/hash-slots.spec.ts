import { describe, expect, it } from 'vitest';
import { HashSlots } from './hash-slots';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HashSlots', () => {
  it('runs at most `size` at once, the others in arrival order, and frees slots on failure too', async () => {
    const slots = new HashSlots(2);
    const started: number[] = [];
    const finish: Array<() => void> = [];
    const jobs = Array.from({ length: 5 }, (_, i) =>
      slots.run(
        () =>
          new Promise<number>((resolve, reject) => {
            started.push(i);
            finish[i] = () => (i === 1 ? reject(new Error('boom')) : resolve(i));
          }),
      ),
    );
    // Observed from the start: the failing job's rejection is part of the test, not an unhandled one.
    const settled = Promise.allSettled(jobs);
    await tick();
    expect(started).toEqual([0, 1]);
    expect(slots.queued).toBe(3);
    finish[1]?.();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]?.();
    finish[2]?.();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish[3]?.();
    finish[4]?.();
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(slots.queued).toBe(0);
    // Every slot is free again: two run at once straight away.
    let concurrent = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        slots.run(async () => {
          peak = Math.max(peak, ++concurrent);
          await tick();
          concurrent--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
