import type { CacheTagContext } from '@app/cache';

/** The tag of the admins' cached lists, which show every owner's __title__: any change drops them. */
export const ALL___NAME___CACHE_TAG = '__name__';

/** The tag of one owner's cached lists: only a change to one of that owner's __title__ drops them. */
export const owner__Name__CacheTag = (ownerId: string): string => `__name__:owner:${ownerId.toLowerCase()}`;

/**
 * Also on every owner's cached lists: dropped only when an admin deletes, since a delete answers 204 without a
 * body and the request does not say whose __singularTitle__ it was.
 */
export const OWNERS___NAME___CACHE_TAG = '__name__:owners';

/** The tag of one __singularTitle__'s cached answers (to its owner and to admins). */
export const __singularCamel__CacheTag = (id: string): string => `__name__:item:${id.toLowerCase()}`;

/** What a cached list depends on: every owner's __title__ for an admin, else the caller's own. */
export const __nameCamel__VisibleToCaller = ({ principal }: CacheTagContext): string[] =>
  principal?.role === 'admin'
    ? [ALL___NAME___CACHE_TAG]
    : [owner__Name__CacheTag(principal?.id ?? 'anonymous'), OWNERS___NAME___CACHE_TAG];

/** The __singularTitle__ named by the route's `:id`. Who may read it is decided before the cache (per caller). */
export const __singularCamel__OfRoute = ({ params }: CacheTagContext): string | undefined =>
  params.id === undefined ? undefined : __singularCamel__CacheTag(params.id);

interface Changed__Singular__ {
  id?: unknown;
  ownerId?: unknown;
}

/** What a creation or a change did, read from the __singularTitle__ it answers with: it, its owner's lists, the admins'. */
export const changedBy__Singular__Write = ({ body }: CacheTagContext): string[] => {
  const changed = (body ?? {}) as Changed__Singular__;
  return [
    ...(typeof changed.id === 'string' ? [__singularCamel__CacheTag(changed.id)] : []),
    ALL___NAME___CACHE_TAG,
    ...(typeof changed.ownerId === 'string' ? [owner__Name__CacheTag(changed.ownerId)] : []),
  ];
};

/**
 * What a delete did (204, no body): the __singularTitle__ of the route, the admins' lists, and the caller's own
 * lists; an admin may delete anyone's, so then every owner's lists.
 */
export const changedBy__Singular__Delete = ({ principal, params }: CacheTagContext): string[] => [
  ...(params.id === undefined ? [] : [__singularCamel__CacheTag(params.id)]),
  ALL___NAME___CACHE_TAG,
  principal?.role === 'admin' ? OWNERS___NAME___CACHE_TAG : owner__Name__CacheTag(principal?.id ?? 'anonymous'),
];
