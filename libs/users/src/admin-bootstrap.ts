import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PasswordHasher } from '@app/auth';
import { AppConfig } from '@app/core';
import { TransactionHost } from '@app/database';
import { UsersRepository } from './users.repository';

/**
 * With ADMIN_EMAIL and ADMIN_PASSWORD set, an enabled admin with those credentials exists once startup
 * has finished (the startup probe waits for it). Safe when replicas start together: the insert ignores
 * a concurrent one, and the fix-up is an idempotent update.
 */
@Injectable()
export class AdminBootstrap implements OnModuleInit {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly txHost: TransactionHost,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async onModuleInit(): Promise<void> {
    const admin = this.config.auth.admin;
    if (!admin) return;
    const passwordHash = await this.hasher.hash(admin.password);
    const row = await this.users.insertIfAbsent({
      email: admin.email,
      name: 'Administrator',
      passwordHash,
      role: 'admin',
    });
    const passwordMatches =
      row.passwordHash === passwordHash || (await this.hasher.verify(row.passwordHash, admin.password));
    if (row.role !== 'admin' || row.disabled || !passwordMatches) {
      await this.users.update(row.id, {
        role: 'admin',
        disabled: false,
        ...(passwordMatches ? {} : { passwordHash }),
      });
    }
    this.logger.log(`admin account ${admin.email} is ready`);
  }
}
