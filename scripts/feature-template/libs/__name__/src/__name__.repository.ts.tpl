import { Injectable } from '@nestjs/common';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { keysetAfter, TransactionHost } from '@app/database';
import { type __Singular__Row, __nameCamel__ } from './__name__.schema';

/** Who may see what: an owner their own __title__, an admin every owner's. Part of every statement. */
export interface __Singular__Access {
  userId: string;
  isAdmin: boolean;
}

export interface __Singular__ListFilter {
  after?: { createdAt: Date; id: string };
  limit: number;
}

export type New__Singular__ = Pick<__Singular__Row, 'ownerId' | 'name' | 'note'>;
export type __Singular__Changes = Partial<Pick<__Singular__Row, 'name' | 'note'>>;

const visibleTo = (access: __Singular__Access): SQL | undefined =>
  access.isAdmin ? undefined : eq(__nameCamel__.ownerId, access.userId);

/** All SQL of __title__. Ownership is a WHERE condition, never a check after loading. */
@Injectable()
export class __Name__Repository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(row: New__Singular__): Promise<__Singular__Row> {
    const [created] = await this.txHost.tx.insert(__nameCamel__).values(row).returning();
    return created as __Singular__Row;
  }

  /** One __singularTitle__, if it exists and the caller may see it. */
  async find(id: string, access: __Singular__Access): Promise<__Singular__Row | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(__nameCamel__)
      .where(and(eq(__nameCamel__.id, id), visibleTo(access)))
      .limit(1);
    return row;
  }

  /** Keyset page on (created_at desc, id desc), `limit + 1` rows: the caller's own, or every owner's for an admin. */
  async list(access: __Singular__Access, filter: __Singular__ListFilter): Promise<__Singular__Row[]> {
    const conditions: SQL[] = [];
    const visible = visibleTo(access);
    if (visible) conditions.push(visible);
    if (filter.after) conditions.push(keysetAfter(__nameCamel__.createdAt, __nameCamel__.id, filter.after));
    return this.txHost.tx
      .select()
      .from(__nameCamel__)
      .where(and(...conditions))
      .orderBy(desc(__nameCamel__.createdAt), desc(__nameCamel__.id))
      .limit(filter.limit + 1);
  }

  /** Optimistic update: only a __singularTitle__ the caller may see, and only at `expectedVersion` (if given). */
  async update(
    id: string,
    access: __Singular__Access,
    changes: __Singular__Changes,
    expectedVersion?: number,
  ): Promise<__Singular__Row | undefined> {
    const [row] = await this.txHost.tx
      .update(__nameCamel__)
      .set({ ...changes, version: sql`${__nameCamel__.version} + 1`, updatedAt: sql`now()` })
      .where(
        and(
          eq(__nameCamel__.id, id),
          visibleTo(access),
          expectedVersion === undefined ? undefined : eq(__nameCamel__.version, expectedVersion),
        ),
      )
      .returning();
    return row;
  }

  /** Deletes a __singularTitle__ the caller may see, at `expectedVersion` (if given); the row deleted, if any. */
  async delete(id: string, access: __Singular__Access, expectedVersion?: number): Promise<__Singular__Row | undefined> {
    const [row] = await this.txHost.tx
      .delete(__nameCamel__)
      .where(
        and(
          eq(__nameCamel__.id, id),
          visibleTo(access),
          expectedVersion === undefined ? undefined : eq(__nameCamel__.version, expectedVersion),
        ),
      )
      .returning();
    return row;
  }
}
