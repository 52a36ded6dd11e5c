import { Body, Controller, Get, Ip, Patch, Query } from '@nestjs/common';
import { CurrentUser, type Principal, Roles } from '@app/auth';
import { type Page, UuidParam, JsonBody } from '@app/core';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateMeDto } from './dto/update-me.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  async me(@CurrentUser() principal: Principal): Promise<UserResponse> {
    return UserResponse.from(await this.users.get(principal.id));
  }

  @Patch('me')
  @JsonBody({ maxBytes: 4 * 1024 })
  async updateMe(
    @CurrentUser() principal: Principal,
    @Body() dto: UpdateMeDto,
    @Ip() ip: string,
  ): Promise<UserResponse> {
    return UserResponse.from(await this.users.updateMe(principal, dto, ip));
  }

  @Get()
  @Roles('admin')
  async list(@Query() query: ListUsersQuery): Promise<Page<UserResponse>> {
    const page = await this.users.list(query);
    return { data: page.data.map((row) => UserResponse.from(row)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles('admin')
  async get(@UuidParam('id') id: string): Promise<UserResponse> {
    return UserResponse.from(await this.users.get(id));
  }

  @Patch(':id')
  @JsonBody({ maxBytes: 1024 })
  @Roles('admin')
  async update(@UuidParam('id') id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return UserResponse.from(await this.users.update(id, dto));
  }
}
