import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { PrincipalStore, type PrincipalRecord } from '@app/auth';
import { UsersRepository } from './users.repository';

/** Accounts as authentication sees them. */
@Injectable()
export class UsersPrincipalStore extends PrincipalStore {
  constructor(private readonly users: UsersRepository) {
    super();
  }

  async findPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    if (!isUUID(id)) return undefined; // a forged or foreign `sub` must not reach SQL
    const row = await this.users.findById(id);
    return row && { id: row.id, role: row.role, disabled: row.disabled, sessionVersion: row.sessionVersion };
  }
}
