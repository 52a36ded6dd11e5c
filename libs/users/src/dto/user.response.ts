import type { Role } from '@app/auth';
import type { UserRow } from '../users.schema';

/** What clients see of an account: never the password hash or internal counters. */
export class UserResponse {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;

  static from(row: UserRow): UserResponse {
    return Object.assign(new UserResponse(), {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      disabled: row.disabled,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    });
  }
}
