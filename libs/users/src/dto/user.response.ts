import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ROLES, type Role } from '@app/auth';
import type { UserRow } from '../users.schema';

/** What clients see of an account: never the password hash or internal counters. */
@ApiSchema({ name: 'User' })
export class UserResponse {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '7d3f1c9a-2b4e-4f6a-8c1d-9e0f2a3b4c5d' })
  id: string;

  @ApiProperty({ type: 'string', format: 'email', maxLength: 254, example: 'ada@example.com' })
  email: string;

  @ApiProperty({ type: 'string', maxLength: 100, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ type: 'string', enum: ROLES, example: 'user' })
  role: Role;

  @ApiProperty({ type: 'boolean', example: false })
  disabled: boolean;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
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
