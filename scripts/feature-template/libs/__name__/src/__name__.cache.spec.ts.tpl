import { describe, expect, it } from 'vitest';
import {
  ALL___NAME___CACHE_TAG,
  changedBy__Singular__Delete,
  changedBy__Singular__Write,
  owner__Name__CacheTag,
  OWNERS___NAME___CACHE_TAG,
  __nameCamel__VisibleToCaller,
  __singularCamel__CacheTag,
  __singularCamel__OfRoute,
} from './__name__.cache';
import { __Singular__Response } from './dto/__singular__.response';

const ALICE = { id: '7d3f1c9a-2b4e-4f6a-8c1d-9e0f2a3b4c5d', role: 'user' };
const BOB = { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', role: 'user' };
const ADMIN = { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', role: 'admin' };
const ITEM = '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e';

/** Whether a write that invalidates `written` drops an answer cached under `cached` (one shared tag is enough). */
const drops = (written: readonly string[], cached: readonly string[]): boolean =>
  cached.some((tag) => written.includes(tag));

describe('__name__ cache tags', () => {
  it("a user's lists depend on their own __title__ only; an admin's on every owner's", () => {
    const alice = __nameCamel__VisibleToCaller({ principal: ALICE, params: {} });
    const bob = __nameCamel__VisibleToCaller({ principal: BOB, params: {} });
    expect(alice).toContain(owner__Name__CacheTag(ALICE.id));
    expect(alice).not.toEqual(bob);
    expect(__nameCamel__VisibleToCaller({ principal: ADMIN, params: {} })).toEqual([ALL___NAME___CACHE_TAG]);
  });

  it("a change to Alice's __singularTitle__ drops it, Alice's lists and the admins', never Bob's", () => {
    const written = changedBy__Singular__Write({ principal: ADMIN, params: {}, body: { id: ITEM, ownerId: ALICE.id } });
    expect(drops(written, [__singularCamel__OfRoute({ principal: ALICE, params: { id: ITEM } }) as string])).toBe(true);
    expect(drops(written, __nameCamel__VisibleToCaller({ principal: ALICE, params: {} }))).toBe(true);
    expect(drops(written, __nameCamel__VisibleToCaller({ principal: ADMIN, params: {} }))).toBe(true);
    expect(drops(written, __nameCamel__VisibleToCaller({ principal: BOB, params: {} }))).toBe(false);
  });

  it('a delete by the owner drops only what it changed; by an admin, every owner\'s lists', () => {
    const byAlice = changedBy__Singular__Delete({ principal: ALICE, params: { id: ITEM } });
    expect(drops(byAlice, __nameCamel__VisibleToCaller({ principal: ALICE, params: {} }))).toBe(true);
    expect(drops(byAlice, __nameCamel__VisibleToCaller({ principal: BOB, params: {} }))).toBe(false);
    expect(byAlice).toContain(__singularCamel__CacheTag(ITEM));

    const byAdmin = changedBy__Singular__Delete({ principal: ADMIN, params: { id: ITEM } });
    expect(byAdmin).toContain(OWNERS___NAME___CACHE_TAG);
    expect(drops(byAdmin, __nameCamel__VisibleToCaller({ principal: BOB, params: {} }))).toBe(true);
    expect(drops(byAdmin, __nameCamel__VisibleToCaller({ principal: ADMIN, params: {} }))).toBe(true);
  });

  it('names an item the same whatever the case of the id in the URL', () => {
    expect(__singularCamel__OfRoute({ principal: ALICE, params: { id: ITEM.toUpperCase() } })).toBe(
      __singularCamel__CacheTag(ITEM),
    );
    expect(__singularCamel__OfRoute({ principal: ALICE, params: {} })).toBeUndefined();
  });
});

describe('__Singular__Response', () => {
  it('shows exactly the public fields, with ISO 8601 UTC timestamps', () => {
    const at = new Date('2025-01-15T09:30:00.123Z');
    const row = { id: ITEM, ownerId: ALICE.id, name: 'n', note: '', version: 2, createdAt: at, updatedAt: at };
    const response = __Singular__Response.from({ ...row, secret: 'x' } as typeof row);
    expect(response).toEqual({ ...row, createdAt: '2025-01-15T09:30:00.123Z', updatedAt: '2025-01-15T09:30:00.123Z' });
    expect(response).toBeInstanceOf(__Singular__Response);
  });
});
