import { describe, expect, it } from 'vitest';
import { CANCELLABLE, canTransition, ORDER_STATUSES, predecessorsOf } from './order-status';

describe('order state machine', () => {
  it('allows exactly pending→paid→shipped→delivered and pending|paid→cancelled', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual([
      'paid→cancelled',
      'paid→shipped',
      'pending→cancelled',
      'pending→paid',
      'shipped→delivered',
    ]);
  });

  it('cancels only before shipping, and nothing leaves a final state', () => {
    expect([...CANCELLABLE].sort()).toEqual(['paid', 'pending']);
    expect(predecessorsOf('pending')).toEqual([]);
    for (const to of ORDER_STATUSES) {
      expect(canTransition('delivered', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
  });
});
