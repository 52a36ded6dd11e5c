import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { TransactionHost, keysetAfter } from '@app/database';
import { type UserRow, users } from './users.schema';

export interface UserListFilter {
  role?: 'user' | 'admin';
  email?: string;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export type UserChanges = Partial<Pick<UserRow, 'name' | 'passwordHash' | 'role' | 'disabled'>>;

/** All SQL of the users feature, on the ambient transaction when one is open. */
@Injectable()
export class UsersRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(row: { email: string; name: string; passwordHash: string; role?: 'user' | 'admin' }): Promise<UserRow> {
    const [created] = await this.txHost.tx.insert(users).values(row).returning();
    return created as UserRow;
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.txHost.tx.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`)
      .limit(1);
    return row;
  }

  /** Keyset page on (created_at desc, id desc); fetches `limit + 1` so the caller knows if more exist. */
  async list(filter: UserListFilter): Promise<UserRow[]> {
    const conditions: SQL[] = [];
    if (filter.role) conditions.push(eq(users.role, filter.role));
    if (filter.email) conditions.push(sql`lower(${users.email}) = lower(${filter.email})`);
    if (filter.after) {
      conditions.push(keysetAfter(users.createdAt, users.id, filter.after));
    }
    return this.txHost.tx
      .select()
      .from(users)
      .where(and(...conditions))
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(filter.limit + 1);
  }

  async update(id: string, changes: UserChanges & { bumpSessionVersion?: boolean }): Promise<UserRow | undefined> {
    const { bumpSessionVersion, ...columns } = changes;
    const [row] = await this.txHost.tx
      .update(users)
      .set({
        ...columns,
        ...(bumpSessionVersion ? { sessionVersion: sql`${users.sessionVersion} + 1` } : {}),
        version: sql`${users.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(users.id, id))
      .returning();
    return row;
  }

  /** Locks every enabled admin row, in id order, for the rest of the transaction. */
  async lockActiveAdmins(): Promise<string[]> {
    const rows = await this.txHost.tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
      .orderBy(asc(users.id))
      .for('update');
    return rows.map((row) => row.id);
  }

  /** Inserts the account unless the email exists; returns the row either way. */
  async insertIfAbsent(row: { email: string; name: string; passwordHash: string; role: 'admin' }): Promise<UserRow> {
    await this.txHost.tx.insert(users).values(row).onConflictDoNothing();
    return (await this.findByEmail(row.email)) as UserRow;
  }
}
