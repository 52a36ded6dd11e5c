/** The response-cache tag of every cached order answer (each caller's own lists and orders). */
export const ORDERS_CACHE_TAG = 'orders';
