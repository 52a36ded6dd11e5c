import type { CacheTagContext } from '@app/cache';

/**
 * The response-cache tag of every cached product list. Whatever changes a product or its stock (here, or an order
 * reserving or releasing stock) invalidates it: a list shows every product's stock.
 */
export const PRODUCTS_CACHE_TAG = 'products';

/** The tag of one product's cached answers: only a change to that product (or its stock) drops them. */
export const productCacheTag = (productId: string): string => `product:${productId.toLowerCase()}`;

/** The product named by the route's `:id`. */
export const productOfRoute = ({ params }: CacheTagContext): string | undefined =>
  params.id === undefined ? undefined : productCacheTag(params.id);
