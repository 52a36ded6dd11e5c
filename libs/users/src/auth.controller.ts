import { Body, Controller, Header, HttpCode, Ip, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal, Public, RateLimit, type TokenPair } from '@app/auth';
import { JsonBody } from '@app/core';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { UserResponse } from './dto/user.response';

@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @JsonBody({ maxBytes: 4 * 1024 })
  @Public()
  @RateLimit('auth')
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
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenPair> {
    return this.auth.login(dto, ip);
  }

  @Post('refresh')
  @JsonBody({ maxBytes: 4 * 1024 })
  @Public()
  @RateLimit('auth')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @JsonBody({ maxBytes: 4 * 1024 })
  @HttpCode(204)
  async logout(@CurrentUser() principal: Principal, @Body() dto: RefreshTokenDto): Promise<void> {
    await this.auth.logout(principal, dto.refreshToken);
  }

  @Post('logout-all')
  @JsonBody({ maxBytes: 1024 })
  @HttpCode(204)
  async logoutAll(@CurrentUser() principal: Principal): Promise<void> {
    await this.auth.logoutAll(principal);
  }
}
