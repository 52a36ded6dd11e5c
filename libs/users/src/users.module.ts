import { Module } from '@nestjs/common';
import { PrincipalStore } from '@app/auth';
import { AdminBootstrap } from './admin-bootstrap';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { UsersController } from './users.controller';
import { UsersPrincipalStore } from './users-principal.store';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { UserDirectory } from './user-directory';

/** Accounts: registration, login, profiles, administration. Provides `PrincipalStore` to auth and `UserDirectory` (contacts) to the worker. */
@Module({
  controllers: [AuthController, UsersController],
  providers: [
    UsersRepository,
    AuthService,
    UsersService,
    AdminBootstrap,
    UserDirectory,
    { provide: PrincipalStore, useClass: UsersPrincipalStore },
  ],
  exports: [PrincipalStore, UserDirectory],
})
export class UsersModule {}
