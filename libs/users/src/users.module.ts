import { Module } from '@nestjs/common';
import { PrincipalStore } from '@app/auth';
import { AdminBootstrap } from './admin-bootstrap';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { UsersController } from './users.controller';
import { UsersPrincipalStore } from './users-principal.store';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Accounts: registration, login, profiles, administration. Provides `PrincipalStore` to auth. */
@Module({
  controllers: [AuthController, UsersController],
  providers: [
    UsersRepository,
    AuthService,
    UsersService,
    AdminBootstrap,
    { provide: PrincipalStore, useClass: UsersPrincipalStore },
  ],
  exports: [PrincipalStore],
})
export class UsersModule {}
