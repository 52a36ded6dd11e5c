import { Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { TransactionHost } from '@app/database';
import { users } from './users.schema';

/** How to reach a user: the address and the name to greet. */
export interface UserContact {
  email: string;
  name: string;
}

/**
 * The users feature's read-only directory, for neighbours that must write to a user (the worker's notifications):
 * `contactOf(userId)` is the user's address and name, or `undefined` when there is no such user. Nothing else of an
 * account (role, password hash, sessions) leaves the feature.
 *
 * It needs nothing but the database (`TransactionHost`), so a process that runs none of the users feature (the
 * worker: no auth, no event bus) can provide it on its own; `UsersModule` exports it too.
 */
@Injectable()
export class UserDirectory {
  constructor(private readonly txHost: TransactionHost) {}

  async contactOf(userId: string): Promise<UserContact | undefined> {
    const [row] = await this.txHost.tx
      .select({ email: users.email, name: users.name })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1);
    return row;
  }
}
