/**
 * The response-cache tag of every cached product answer. Whatever changes a product or its stock (here, or
 * an order reserving or releasing stock) invalidates it.
 */
export const PRODUCTS_CACHE_TAG = 'products';
