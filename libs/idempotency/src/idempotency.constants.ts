/** How long a key is remembered (and its response replayed): 24 h, as docs/api-conventions.md promises. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** Expired rows are purged at startup and then at most this often, piggybacking on a claim. */
export const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/** Response headers stored with a successful outcome and sent again on replay. */
export const REPLAYED_RESPONSE_HEADERS = ['location', 'etag'] as const;
