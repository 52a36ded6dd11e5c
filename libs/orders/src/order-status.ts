export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The state machine: which statuses may move to which. Pure data, used by the service and tests. */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

/** The statuses from which `to` can be reached in one step. */
export const predecessorsOf = (to: OrderStatus): OrderStatus[] =>
  ORDER_STATUSES.filter((from) => TRANSITIONS[from].includes(to));

/** Cancelling returns the reserved stock; possible only before shipping. */
export const CANCELLABLE: readonly OrderStatus[] = predecessorsOf('cancelled');

/** An order in one of these statuses counts as a purchase of its products (paid for, and not cancelled). */
export const PURCHASED: readonly OrderStatus[] = ['paid', 'shipped', 'delivered'];
