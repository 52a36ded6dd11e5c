/**
 * Generated requests name what only exists at run time (tokens, ids, ETags, cursors) through placeholders such as
 * `⟦product:3:upper⟧`, so the arbitraries stay pure and a seed replays the same decisions; {@link FuzzWorld}
 * resolves them just before a request is sent. Resolved values are plain ASCII safe in JSON strings, paths and headers.
 */

export type Principal = 'user' | 'admin';
export const PRINCIPALS: readonly Principal[] = ['user', 'admin'];

export type EntityKind = 'product' | 'order' | 'user' | 'victim';
export type VersionedKind = 'product' | 'order';
export type ListName = 'products' | 'orders' | 'users';

export const PLACEHOLDER = /⟦([^⟦⟧]*)⟧/g;

const placeholder = (...parts: Array<string | number>): string => `⟦${parts.join(':')}⟧`;

export const ref = {
  /** `Bearer <access token>`: the one form that authenticates. */
  bearer: (who: Principal): string => placeholder('bearer', who),
  accessToken: (who: Principal): string => placeholder('token', who),
  refreshToken: (who: Principal): string => placeholder('refresh', who),
  email: (who: Principal): string => placeholder('email', who),
  password: (who: Principal): string => placeholder('password', who),
  /** The id of the `index`-th known entity (modulo how many exist), optionally upper-cased. */
  id: (kind: EntityKind, index: number, upper = false): string =>
    upper ? placeholder(kind, index, 'upper') : placeholder(kind, index),
  /** The current ETag of a known entity, or the one before it. */
  etag: (kind: VersionedKind, index: number, stale = false): string =>
    placeholder(stale ? 'staleEtag' : 'etag', kind, index),
  /** The last `nextCursor` a list returned, or that cursor with one character changed. */
  cursor: (list: ListName, tampered = false): string =>
    tampered ? placeholder('cursor', list, 'tampered') : placeholder('cursor', list),
  /** An Idempotency-Key sent before (or a fixed one when none was). */
  idempotencyKey: (index: number): string => placeholder('idem', index),
};
