import { Body, Controller, Header, HttpCode, Ip, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal, Public, RateLimit, type TokenPair } from '@app/auth';
import { ApiCreated, ApiNamedRateLimits, ApiNoContent, ApiOk, ApiProblems, ApiPublic, JsonBody } from '@app/core';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairResponse } from './dto/token-pair.response';
import { UserResponse } from './dto/user.response';

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @JsonBody({ maxBytes: 4 * 1024 })
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    operationId: 'register',
    summary: 'Create an account (role `user`)',
    description:
      'Public. The email must not be in use (compared case-insensitively: 409 otherwise); the password must not be a common one. Log in afterwards for tokens. Rate limited per client IP by the `auth` limit too.',
  })
  @ApiPublic()
  @ApiNamedRateLimits('auth')
  @ApiBody({ type: RegisterDto })
  @ApiCreated(UserResponse, { description: 'The account' })
  @ApiProblems(400, { status: 409, description: 'An account with this email exists.' }, 413, 415, 429, 500, 503)
  async register(@Body() dto: RegisterDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserResponse> {
    const user = await this.auth.register(dto);
    void reply.status(201).header('location', `/v1/users/${user.id}`);
    return UserResponse.from(user);
  }

  @Post('login')
  @JsonBody({ maxBytes: 4 * 1024 })
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'login',
    summary: 'Log in: a new session (access and refresh token)',
    description:
      'Public. Unknown email, wrong password and disabled account all answer the same 401. Rate limited per client IP (`auth`) and per IP and email (`login`); repeated wrong passwords for an account also delay its next attempts (429 with `Retry-After`).',
  })
  @ApiPublic()
  @ApiNamedRateLimits('auth', 'login')
  @ApiBody({ type: LoginDto })
  @ApiOk(TokenPairResponse, { description: 'The tokens of the new session' })
  @ApiProblems(
    400,
    { status: 401, description: 'Unknown email, wrong password or disabled account (one answer for all three).' },
    413,
    415,
    { status: 429, description: 'Also after too many failed passwords for this account.' },
    500,
    503,
  )
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenPair> {
    return this.auth.login(dto, ip);
  }

  @Post('refresh')
  @JsonBody({ maxBytes: 4 * 1024 })
  @Public()
  @RateLimit('auth')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token for a new pair',
    description: 'The refresh token presented is used up; presenting a used one again ends that whole session.',
  })
  @ApiPublic()
  @ApiNamedRateLimits('auth')
  @ApiBody({ type: RefreshTokenDto })
  @ApiOk(TokenPairResponse, { description: 'The new tokens' })
  @ApiProblems(
    400,
    { status: 401, description: 'The refresh token is invalid, expired or already used.' },
    413,
    415,
    429,
    500,
    503,
  )
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @JsonBody({ maxBytes: 4 * 1024 })
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logout',
    summary: 'End one session (the one of this refresh token)',
    description:
      "Ends the session the refresh token belongs to (its refresh tokens and the access tokens issued with them). A token that is unknown, already ended or another account's is ignored: the answer is 204 all the same.",
  })
  @ApiBody({ type: RefreshTokenDto })
  @ApiNoContent('The session has ended')
  @ApiProblems(400, 401, 413, 415, 429, 500, 503)
  async logout(@CurrentUser() principal: Principal, @Body() dto: RefreshTokenDto): Promise<void> {
    await this.auth.logout(principal, dto.refreshToken);
  }

  @Post('logout-all')
  @JsonBody({ maxBytes: 1024 })
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logoutAll',
    summary: "End every session of the caller's account",
    description:
      'Ends every session of the account: every refresh token is revoked and every access token issued so far, this one included, stops working at once.',
  })
  @ApiNoContent('Every session has ended; access tokens already issued stop working')
  @ApiProblems(400, 401, 413, 415, 429, 500, 503)
  async logoutAll(@CurrentUser() principal: Principal): Promise<void> {
    await this.auth.logoutAll(principal);
  }
}
