import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal } from '@app/auth';
import { CacheFor, InvalidatesCache } from '@app/cache';
import {
  ApiCreated,
  ApiIfMatch,
  ApiNoContent,
  ApiOk,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  IfMatch,
  JsonBody,
  type Page,
  UuidParam,
  WithETag,
} from '@app/core';
import {
  changedBy__Singular__Delete,
  changedBy__Singular__Write,
  __nameCamel__VisibleToCaller,
  __singularCamel__OfRoute,
} from './__name__.cache';
import { __Name__Service } from './__name__.service';
import { Create__Singular__Dto } from './dto/create-__singular__.dto';
import { List__Name__Query } from './dto/list-__name__.query';
import { __Singular__Response } from './dto/__singular__.response';
import { Update__Singular__Dto } from './dto/update-__singular__.dto';

@ApiTags('__name__')
@Controller({ path: '__name__', version: '1' })
export class __Name__Controller {
  constructor(private readonly __nameCamel__: __Name__Service) {}

  @Post()
  @JsonBody({ maxBytes: 8 * 1024 })
  @InvalidatesCache(changedBy__Singular__Write)
  @WithETag()
  @ApiOperation({
    operationId: 'create__Singular__',
    summary: 'Create a __singularTitle__',
    description:
      "The caller owns it. The answer carries the __singularTitle__'s `ETag` and its `Location`.",
  })
  @ApiBody({ type: Create__Singular__Dto })
  @ApiCreated(__Singular__Response, { description: 'The __singularTitle__', etag: true })
  @ApiProblems(400, 401, 413, 415, 429, 500, 503)
  async create(
    @CurrentUser() principal: Principal,
    @Body() dto: Create__Singular__Dto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<__Singular__Response> {
    const created = await this.__nameCamel__.create(principal, dto);
    void reply.status(201).header('location', `/v1/__name__/${created.id}`);
    return __Singular__Response.from(created);
  }

  @Get()
  @CacheFor(10, { tags: [__nameCamel__VisibleToCaller], scope: 'caller' })
  @ApiOperation({
    operationId: 'list__Name__',
    summary: "List the caller's __title__ (admins: every owner's)",
    description:
      "Cursor-paginated, newest first: pass the previous page's `nextCursor` as `cursor`. Callers see only their own __title__; admins see every owner's.",
  })
  @ApiPage(__Singular__Response, {
    description: 'A page of __title__, newest first (cached up to 10 s per caller)',
    cached: true,
  })
  @ApiProblems(400, 401, 429, 500, 503)
  async list(
    @CurrentUser() principal: Principal,
    @Query() query: List__Name__Query,
  ): Promise<Page<__Singular__Response>> {
    const page = await this.__nameCamel__.list(principal, query);
    return { data: page.data.map((row) => __Singular__Response.from(row)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @CacheFor(10, { tags: [__singularCamel__OfRoute], scope: 'caller' })
  @WithETag()
  @ApiOperation({
    operationId: 'get__Singular__',
    summary: 'Read a __singularTitle__',
    description:
      "Answers with an `ETag`: send it as `If-None-Match` for a 304, or as `If-Match` to a change. Another user's __singularTitle__ answers 404, as a missing one does (admins see every owner's).",
  })
  @ApiUuidParam('id', 'The __singularTitle__ id')
  @ApiOk(__Singular__Response, {
    description: 'The __singularTitle__ (cached up to 10 s per caller)',
    etag: true,
    cached: true,
    notModified: true,
  })
  @ApiProblems(400, 401, { status: 404, description: "No such __singularTitle__, or another user's." }, 429, 500, 503)
  async get(@CurrentUser() principal: Principal, @UuidParam('id') id: string): Promise<__Singular__Response> {
    return __Singular__Response.from(await this.__nameCamel__.get(principal, id));
  }

  @Patch(':id')
  @JsonBody({ maxBytes: 8 * 1024 })
  @InvalidatesCache(changedBy__Singular__Write)
  @WithETag()
  @ApiOperation({
    operationId: 'update__Singular__',
    summary: 'Change a __singularTitle__ (`If-Match` required)',
    description:
      "The owner (or an admin). Needs `If-Match` with the __singularTitle__'s current ETag (428 without it, 412 when it changed since); only the fields sent are changed. Another user's __singularTitle__ answers 404.",
  })
  @ApiUuidParam('id', 'The __singularTitle__ id')
  @ApiIfMatch({ required: true })
  @ApiBody({ type: Update__Singular__Dto })
  @ApiOk(__Singular__Response, { description: 'The __singularTitle__ as changed', etag: true })
  @ApiProblems(
    400,
    401,
    { status: 404, description: "No such __singularTitle__, or another user's." },
    412,
    413,
    415,
    428,
    429,
    500,
    503,
  )
  async update(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: Update__Singular__Dto,
    @IfMatch({ required: true }) expectedVersion: number | undefined,
  ): Promise<__Singular__Response> {
    return __Singular__Response.from(await this.__nameCamel__.update(principal, id, dto, expectedVersion));
  }

  @Delete(':id')
  @JsonBody({ maxBytes: 1024 })
  @HttpCode(204)
  @InvalidatesCache(changedBy__Singular__Delete)
  @ApiOperation({
    operationId: 'delete__Singular__',
    summary: 'Delete a __singularTitle__',
    description:
      "The owner (or an admin). With `If-Match`, only if the __singularTitle__ is still at that version (412 otherwise). Another user's __singularTitle__ answers 404, as a missing one does.",
  })
  @ApiUuidParam('id', 'The __singularTitle__ id')
  @ApiIfMatch({ required: false })
  @ApiNoContent('Deleted')
  @ApiProblems(
    400,
    401,
    { status: 404, description: "No such __singularTitle__, or another user's." },
    412,
    413,
    415,
    429,
    500,
    503,
  )
  async delete(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<void> {
    await this.__nameCamel__.remove(principal, id, expectedVersion);
  }
}
