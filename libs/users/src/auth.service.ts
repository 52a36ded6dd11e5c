import { Injectable } from '@nestjs/common';
import {
  CallerCache,
  CredentialThrottle,
  PasswordHasher,
  type Principal,
  SessionTokens,
  type TokenPair,
  unauthorized,
} from '@app/auth';
import { UserRegistered } from '@app/contracts';
import { ProblemException, ProblemType } from '@app/core';
import { isUniqueViolation, TransactionHost } from '@app/database';
import { EventBus } from '@app/events';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import type { UserRow } from './users.schema';
import { UsersRepository } from './users.repository';

const INVALID_LOGIN = 'The email or password is incorrect';

/** Registration, login and session lifecycle. */
@Injectable()
export class AuthService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionTokens,
    private readonly throttle: CredentialThrottle,
    private readonly callers: CallerCache,
    private readonly events: EventBus,
  ) {}

  async register(dto: RegisterDto): Promise<UserRow> {
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      return await this.txHost.withTransaction(async () => {
        const user = await this.users.insert({ email: dto.email.toLowerCase(), name: dto.name, passwordHash });
        await this.events.publish(UserRegistered, { userId: user.id, email: user.email, name: user.name });
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ProblemException({
          status: 409,
          type: ProblemType.conflict,
          detail: 'An account with this email already exists',
        });
      }
      throw error;
    }
  }

  /**
   * Same 401, same body and comparable timing for an unknown email, a wrong password and a disabled
   * account: an unknown email still costs one argon2 verification against a dummy hash. Each of them counts
   * as a failure for the account (`source`: the client IP), and while the account must wait no password is
   * checked at all (429).
   */
  async login(dto: LoginDto, source: string): Promise<TokenPair> {
    const account = dto.email.trim().toLowerCase();
    await this.throttle.assertAllowed(account, source);
    const user = await this.users.findByEmail(dto.email.trim());
    if (!user) {
      await this.hasher.verifyDummy(dto.password);
      await this.throttle.recordFailure(account, source);
      throw unauthorized(INVALID_LOGIN);
    }
    const valid = await this.hasher.verify(user.passwordHash, dto.password);
    if (!valid || user.disabled) {
      await this.throttle.recordFailure(account, source);
      throw unauthorized(INVALID_LOGIN);
    }
    await this.throttle.recordSuccess(account, source);
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(dto.password) });
    }
    return this.sessions.start({
      id: user.id,
      role: user.role,
      disabled: user.disabled,
      sessionVersion: user.sessionVersion,
    });
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.sessions.refresh(refreshToken);
  }

  logout(principal: Principal, refreshToken: string): Promise<void> {
    return this.sessions.end(refreshToken, principal.id);
  }

  /** Ends every session and invalidates every access token issued so far. */
  async logoutAll(principal: Principal): Promise<void> {
    await this.txHost.withTransaction(async () => {
      await this.users.update(principal.id, { bumpSessionVersion: true });
      await this.sessions.endAll(principal.id);
    });
    this.callers.forget(principal.id);
  }
}
