import type { CacheTagContext } from '@app/cache';
import { PRODUCTS_CACHE_TAG, productCacheTag } from '@app/catalog';

/** The tag of the cached order answers of admins, who see every user's orders: any order change drops them. */
export const ALL_ORDERS_CACHE_TAG = 'orders';

/** The tag of one user's own cached order answers: only a change to one of that user's orders drops them. */
export const userOrdersCacheTag = (userId: string): string => `orders:user:${userId}`;

/** What a cached order answer depends on: every order for an admin, else the caller's own. */
export const ordersVisibleToCaller = ({ principal }: CacheTagContext): string =>
  principal?.role === 'admin' ? ALL_ORDERS_CACHE_TAG : userOrdersCacheTag(principal?.id ?? 'anonymous');

interface ChangedOrder {
  userId?: unknown;
  items?: Array<{ productId?: unknown }>;
}

/**
 * What a write to an order changed, read from the order it answers with: its owner's order answers, the admins'
 * views, the pages of the products whose stock moved, and the product lists (they show stock).
 */
export const changedByOrderWrite = ({ body }: CacheTagContext): string[] => {
  const order = (body ?? {}) as ChangedOrder;
  return [
    ALL_ORDERS_CACHE_TAG,
    ...(typeof order.userId === 'string' ? [userOrdersCacheTag(order.userId)] : []),
    PRODUCTS_CACHE_TAG,
    ...(order.items ?? []).flatMap((item) =>
      typeof item.productId === 'string' ? [productCacheTag(item.productId)] : [],
    ),
  ];
};
