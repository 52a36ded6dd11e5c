import { Body, Controller, Get, Ip, Patch, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal, Roles } from '@app/auth';
import { ApiOk, ApiPage, ApiProblems, ApiUuidParam, type Page, UuidParam, JsonBody } from '@app/core';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateMeDto } from './dto/update-me.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({
    operationId: 'getMe',
    summary: "The caller's own account",
    description: "The account of the access token's user.",
  })
  @ApiOk(UserResponse, { description: 'The account' })
  @ApiProblems(401, 429, 500, 503)
  async me(@CurrentUser() principal: Principal): Promise<UserResponse> {
    return UserResponse.from(await this.users.get(principal.id));
  }

  @Patch('me')
  @JsonBody({ maxBytes: 4 * 1024 })
  @ApiOperation({
    operationId: 'updateMe',
    summary: "Change the caller's name or password",
    description: 'A new password needs `currentPassword` and ends every other session of the account.',
  })
  @ApiBody({ type: UpdateMeDto })
  @ApiOk(UserResponse, { description: 'The account as changed' })
  @ApiProblems(
    { status: 400, description: 'Also a missing or wrong `currentPassword`.' },
    401,
    413,
    415,
    { status: 429, description: 'Also after too many wrong `currentPassword`s.' },
    500,
    503,
  )
  async updateMe(
    @CurrentUser() principal: Principal,
    @Body() dto: UpdateMeDto,
    @Ip() ip: string,
  ): Promise<UserResponse> {
    return UserResponse.from(await this.users.updateMe(principal, dto, ip));
  }

  @Get()
  @Roles('admin')
  @ApiOperation({
    operationId: 'listUsers',
    summary: 'List accounts (admin)',
    description:
      "Admins only. Cursor-paginated, newest first: pass the previous page's `nextCursor` as `cursor`, with the same filters.",
  })
  @ApiPage(UserResponse, { description: 'A page of accounts, newest first' })
  @ApiProblems(400, 401, 403, 429, 500, 503)
  async list(@Query() query: ListUsersQuery): Promise<Page<UserResponse>> {
    const page = await this.users.list(query);
    return { data: page.data.map((row) => UserResponse.from(row)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({
    operationId: 'getUser',
    summary: 'Read an account (admin)',
    description: 'Admins only. A missing account answers 404.',
  })
  @ApiUuidParam('id', 'The account id')
  @ApiOk(UserResponse, { description: 'The account' })
  @ApiProblems(400, 401, 403, { status: 404, description: 'No such account.' }, 429, 500, 503)
  async get(@UuidParam('id') id: string): Promise<UserResponse> {
    return UserResponse.from(await this.users.get(id));
  }

  @Patch(':id')
  @JsonBody({ maxBytes: 1024 })
  @Roles('admin')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Change the role of an account or disable it (admin)',
    description:
      'Admins only. Disabling an account ends its sessions at once; the last enabled admin can be neither demoted nor disabled (409).',
  })
  @ApiUuidParam('id', 'The account id')
  @ApiBody({ type: UpdateUserDto })
  @ApiOk(UserResponse, { description: 'The account as changed' })
  @ApiProblems(
    400,
    401,
    403,
    { status: 404, description: 'No such account.' },
    { status: 409, description: 'The last enabled admin cannot be demoted or disabled.' },
    413,
    415,
    429,
    500,
    503,
  )
  async update(@UuidParam('id') id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return UserResponse.from(await this.users.update(id, dto));
  }
}
