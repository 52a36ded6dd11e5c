import type { CursorCodec, KeysetPosition } from './cursor-codec';

/** The body of every list response: `{ data: [...], nextCursor: 'opaque' | null }`. */
export interface Page<T> {
  data: T[];
  /** Pass it back as `?cursor=` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Builds a page from a query that fetched `limit + 1` rows in the order `createdAt desc, id desc`: the extra row
 * only tells that there is more. The cursor names the last row returned, and is bound to `scope` (the same scope
 * the next request's cursor is decoded with).
 */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  positionOf: (row: T) => KeysetPosition,
  codec: CursorCodec,
  scope: string,
): Page<T> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`toPage: limit must be a positive integer`);
  if (rows.length <= limit) return { data: [...rows], nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: codec.encode(positionOf(data[limit - 1]), scope) };
}
