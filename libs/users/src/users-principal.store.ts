import { Injectable } from '@nestjs/common';
import { PrincipalStore, type PrincipalRecord } from '@app/auth';
import { type DbExecutor, TransactionRunner } from '@app/database';
import { UsersRepository } from './users.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accounts as authentication sees them. */
@Injectable()
export class UsersPrincipalStore extends PrincipalStore {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly users: UsersRepository,
  ) {
    super();
  }

  async findPrincipal(id: string, db: DbExecutor = this.tx.db): Promise<PrincipalRecord | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.users.findById(db, id);
    return row && { id: row.id, role: row.role, disabled: row.disabled, sessionVersion: row.sessionVersion };
  }
}
