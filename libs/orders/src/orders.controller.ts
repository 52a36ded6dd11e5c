import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal, Roles } from '@app/auth';
import { CacheFor, InvalidatesCache } from '@app/cache';
import {
  ApiCreated,
  ApiIdempotencyKey,
  ApiIfMatch,
  ApiOk,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  IfMatch,
  type Page,
  WithETag,
  UuidParam,
  JsonBody,
} from '@app/core';
import { Idempotent } from '@app/idempotency';
import { ChangeStatusDto } from './dto/change-status.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQuery } from './dto/list-orders.query';
import { OrderResponse } from './dto/order.response';
import { changedByOrderWrite, orderOfRoute, ordersVisibleToCaller } from './orders.cache';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller({ path: 'orders', version: '1' })
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @JsonBody({ maxBytes: 16 * 1024 })
  @Idempotent()
  @InvalidatesCache(changedByOrderWrite)
  @WithETag()
  @ApiOperation({
    operationId: 'createOrder',
    summary: 'Place an order',
    description:
      'Stock is reserved in the same transaction that records the order (all lines or none). Prices, names and ' +
      'totals come from the catalog. With an `Idempotency-Key`, a retry replays the first answer.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateOrderDto })
  @ApiCreated(OrderResponse, { description: 'The order, `pending`', etag: true, idempotent: true })
  @ApiProblems(
    { status: 400, description: 'Also a malformed `Idempotency-Key`.' },
    401,
    {
      status: 409,
      description:
        'Not enough stock for a line (`insufficient-stock`), or a request with this `Idempotency-Key` is still running (`idempotency-key-in-use`, with `Retry-After`).',
      headers: ['Retry-After'],
    },
    413,
    415,
    {
      status: 422,
      description:
        'A product does not exist or is not for sale, or the `Idempotency-Key` was used with another request (`idempotency-key-reused`).',
    },
    429,
    500,
    503,
  )
  async create(
    @CurrentUser() principal: Principal,
    @Body() dto: CreateOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const order = await this.orders.create(principal, dto);
    void reply.status(201).header('location', `/v1/orders/${order.id}`);
    return OrderResponse.from(order);
  }

  @Get()
  @CacheFor(10, { tags: [ordersVisibleToCaller] })
  @ApiOperation({
    operationId: 'listOrders',
    summary: "List the caller's orders (admins: every order)",
    description:
      "Cursor-paginated, newest first: pass the previous page's `nextCursor` as `cursor`, with the same filters. Callers see only their own orders; admins see every order, or one user's with `userId`.",
  })
  @ApiPage(OrderResponse, {
    description: 'A page of orders, newest first (cached up to 10 s per caller)',
    cached: true,
  })
  @ApiProblems(400, 401, 429, 500, 503)
  async list(@CurrentUser() principal: Principal, @Query() query: ListOrdersQuery): Promise<Page<OrderResponse>> {
    const page = await this.orders.list(principal, query);
    return { data: page.data.map((order) => OrderResponse.from(order)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @CacheFor(10, { tags: [orderOfRoute] })
  @WithETag()
  @ApiOperation({
    operationId: 'getOrder',
    summary: 'Read an order',
    description:
      "Answers with an `ETag`: send it as `If-None-Match` for a 304, or as `If-Match` to a change. Another user's order answers 404, as a missing one does (admins see every order).",
  })
  @ApiUuidParam('id', 'The order id')
  @ApiOk(OrderResponse, {
    description: 'The order (cached up to 10 s per caller)',
    etag: true,
    cached: true,
    notModified: true,
  })
  @ApiProblems(400, 401, { status: 404, description: "No such order, or another user's." }, 429, 500, 503)
  async get(@CurrentUser() principal: Principal, @UuidParam('id') id: string): Promise<OrderResponse> {
    return OrderResponse.from(await this.orders.get(principal, id));
  }

  @Post(':id/cancel')
  @JsonBody({ maxBytes: 1024 })
  @HttpCode(200)
  @InvalidatesCache(changedByOrderWrite)
  @WithETag()
  @ApiOperation({
    operationId: 'cancelOrder',
    summary: 'Cancel an order (its stock is returned)',
    description:
      "A `pending` or `paid` order of the caller (admins: any order) becomes `cancelled` and its units go back to stock. With `If-Match`, only if the order is still at that version (412 otherwise). Another user's order answers 404.",
  })
  @ApiUuidParam('id', 'The order id')
  @ApiIfMatch({ required: false })
  @ApiOk(OrderResponse, { description: 'The order, `cancelled`', etag: true })
  @ApiProblems(
    400,
    401,
    { status: 404, description: "No such order, or another user's." },
    { status: 409, description: 'The order can no longer be cancelled (`invalid-transition`).' },
    412,
    413,
    415,
    429,
    500,
    503,
  )
  async cancel(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<OrderResponse> {
    return OrderResponse.from(await this.orders.cancel(principal, id, expectedVersion));
  }

  @Patch(':id/status')
  @JsonBody({ maxBytes: 1024 })
  @Roles('admin')
  @InvalidatesCache(changedByOrderWrite)
  @WithETag()
  @ApiOperation({
    operationId: 'changeOrderStatus',
    summary: 'Move an order along (admin; `If-Match` required)',
    description:
      "Admins only. Needs `If-Match` with the order's current ETag (428 without it, 412 when the order changed since). Only the allowed transitions are made (409 otherwise).",
  })
  @ApiUuidParam('id', 'The order id')
  @ApiIfMatch({ required: true })
  @ApiBody({ type: ChangeStatusDto })
  @ApiOk(OrderResponse, { description: 'The order as changed', etag: true })
  @ApiProblems(
    400,
    401,
    403,
    { status: 404, description: 'No such order.' },
    { status: 409, description: 'The order cannot move to this status (`invalid-transition`).' },
    412,
    413,
    415,
    428,
    429,
    500,
    503,
  )
  async changeStatus(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ChangeStatusDto,
    @IfMatch({ required: true }) expectedVersion: number | undefined,
  ): Promise<OrderResponse> {
    return OrderResponse.from(await this.orders.changeStatus(principal, id, dto.status, expectedVersion));
  }
}
