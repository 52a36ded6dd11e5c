import type { CacheTagContext } from '@app/cache';
import { PRODUCTS_CACHE_TAG, productCacheTag } from '@app/catalog';

/** The tag of the cached order answers of admins, who see every user's orders: any order change drops them. */
export const ALL_ORDERS_CACHE_TAG = 'orders';

/** The tag of one user's own cached order answers: only a change to one of that user's orders drops them. */
export const userOrdersCacheTag = (userId: string): string => `orders:user:${userId}`;

/** The tag of one order's cached answers (to its owner and to admins): only a change to that order drops them. */
export const orderCacheTag = (orderId: string): string => `order:${orderId.toLowerCase()}`;

/** What a cached order list depends on: every order for an admin, else the caller's own. */
export const ordersVisibleToCaller = ({ principal }: CacheTagContext): string =>
  principal?.role === 'admin' ? ALL_ORDERS_CACHE_TAG : userOrdersCacheTag(principal?.id ?? 'anonymous');

/**
 * What one cached order depends on: that order alone (its lines are a snapshot; only its status and version
 * change). Who may read it is decided before the cache, and the answer is cached per caller.
 */
export const orderOfRoute = ({ params }: CacheTagContext): string | undefined =>
  params.id === undefined ? undefined : orderCacheTag(params.id);

interface ChangedOrder {
  id?: unknown;
  userId?: unknown;
  items?: Array<{ productId?: unknown }>;
}

/**
 * What a write to an order changed, read from the order it answers with: that order, its owner's order lists,
 * the admins' lists, the pages of the products whose stock moved, and the product lists (they show stock).
 */
export const changedByOrderWrite = ({ body }: CacheTagContext): string[] => {
  const order = (body ?? {}) as ChangedOrder;
  return [
    ...(typeof order.id === 'string' ? [orderCacheTag(order.id)] : []),
    ALL_ORDERS_CACHE_TAG,
    ...(typeof order.userId === 'string' ? [userOrdersCacheTag(order.userId)] : []),
    PRODUCTS_CACHE_TAG,
    ...(order.items ?? []).flatMap((item) =>
      typeof item.productId === 'string' ? [productCacheTag(item.productId)] : [],
    ),
  ];
};
