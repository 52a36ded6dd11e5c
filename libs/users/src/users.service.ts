import { Injectable } from '@nestjs/common';
import { CallerCache, CredentialThrottle, PasswordHasher, type Principal, SessionTokens } from '@app/auth';
import { CursorCodec, type Page, ProblemException, ProblemType, toPage } from '@app/core';
import { TransactionHost } from '@app/database';
import type { ListUsersQuery } from './dto/list-users.query';
import type { UpdateMeDto } from './dto/update-me.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import type { UserRow } from './users.schema';
import { UsersRepository } from './users.repository';

const notFound = () => new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such user' });

/** Profiles and account administration. */
@Injectable()
export class UsersService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionTokens,
    private readonly cursors: CursorCodec,
    private readonly throttle: CredentialThrottle,
    private readonly callers: CallerCache,
  ) {}

  async get(id: string): Promise<UserRow> {
    const user = await this.users.findById(id);
    if (!user) throw notFound();
    return user;
  }

  /**
   * Name changes need nothing more; a password change needs the current password and ends other sessions.
   * Checking the current password is throttled with the account's logins (`source`: the client IP), without the
   * trusted-network exemption: a stolen token must not get unlimited guesses from the user's own network.
   */
  async updateMe(principal: Principal, dto: UpdateMeDto, source: string): Promise<UserRow> {
    const user = await this.get(principal.id);
    let passwordHash: string | undefined;
    if (dto.password !== undefined) {
      if (
        dto.currentPassword === undefined ||
        !(await this.currentPasswordMatches(user, dto.currentPassword, source))
      ) {
        throw new ProblemException({
          status: 400,
          type: ProblemType.validation,
          detail: '1 field is invalid',
          errors: [{ field: 'currentPassword', message: 'is incorrect' }],
        });
      }
      passwordHash = await this.hasher.hash(dto.password);
    }
    const updated = await this.txHost.withTransaction(async () => {
      const row = await this.users.update(principal.id, {
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(passwordHash ? { passwordHash } : {}),
      });
      if (passwordHash) await this.sessions.endAll(principal.id, principal.sessionId);
      return row ?? user;
    });
    if (passwordHash) this.callers.forget(principal.id);
    return updated;
  }

  /** Checks the current password under the account's credential throttle (429 while it must wait). */
  private async currentPasswordMatches(user: UserRow, currentPassword: string, source: string): Promise<boolean> {
    const account = user.email.toLowerCase();
    await this.throttle.assertAllowed(account, source, { exemptTrustedSource: false });
    const matches = await this.hasher.verify(user.passwordHash, currentPassword);
    await (matches ? this.throttle.recordSuccess(account, source) : this.throttle.recordFailure(account, source));
    return matches;
  }

  async list(query: ListUsersQuery): Promise<Page<UserRow>> {
    const scope = `users?role=${query.role ?? ''}&email=${query.email?.toLowerCase() ?? ''}`;
    const limit = query.limit ?? 20;
    const after = query.cursor ? this.cursors.decode(query.cursor, scope) : undefined;
    const rows = await this.users.list({ role: query.role, email: query.email, after, limit });
    return toPage(rows, limit, (row) => ({ createdAt: row.createdAt, id: row.id }), this.cursors, scope);
  }

  /**
   * Role and disabled changes. The enabled admins are locked first, so two admins demoting each other
   * at once cannot leave the system without one. Disabling ends the account's sessions.
   */
  async update(id: string, dto: UpdateUserDto): Promise<UserRow> {
    const updated = await this.txHost.withTransaction(async () => {
      const admins = await this.users.lockActiveAdmins();
      const user = await this.users.findById(id);
      if (!user) throw notFound();
      const losesAdmin = admins.includes(id) && (dto.role === 'user' || dto.disabled === true);
      if (losesAdmin && admins.length <= 1) {
        throw new ProblemException({
          status: 409,
          type: ProblemType.conflict,
          detail: 'The last enabled admin cannot be demoted or disabled',
        });
      }
      const disabling = dto.disabled === true && !user.disabled;
      const row = await this.users.update(id, {
        ...(dto.role !== undefined ? { role: dto.role } : {}),
        ...(dto.disabled !== undefined ? { disabled: dto.disabled } : {}),
        bumpSessionVersion: disabling,
      });
      if (disabling) await this.sessions.endAll(id);
      return row ?? user;
    });
    // Role and disabled take effect on this replica's next request, not up to a second later.
    this.callers.forget(id);
    return updated;
  }
}
