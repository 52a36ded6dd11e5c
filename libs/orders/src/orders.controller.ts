import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal, Roles } from '@app/auth';
import { CacheFor, InvalidatesCache } from '@app/cache';
import { IfMatch, type Page, WithETag, UuidParam, JsonBody } from '@app/core';
import { Idempotent } from '@app/idempotency';
import { ChangeStatusDto } from './dto/change-status.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQuery } from './dto/list-orders.query';
import { OrderResponse } from './dto/order.response';
import { changedByOrderWrite, orderOfRoute, ordersVisibleToCaller } from './orders.cache';
import { OrdersService } from './orders.service';

@Controller({ path: 'orders', version: '1' })
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @JsonBody({ maxBytes: 16 * 1024 })
  @Idempotent()
  @InvalidatesCache(changedByOrderWrite)
  @WithETag()
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
  async list(@CurrentUser() principal: Principal, @Query() query: ListOrdersQuery): Promise<Page<OrderResponse>> {
    const page = await this.orders.list(principal, query);
    return { data: page.data.map((order) => OrderResponse.from(order)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @CacheFor(10, { tags: [orderOfRoute] })
  @WithETag()
  async get(@CurrentUser() principal: Principal, @UuidParam('id') id: string): Promise<OrderResponse> {
    return OrderResponse.from(await this.orders.get(principal, id));
  }

  @Post(':id/cancel')
  @JsonBody({ maxBytes: 1024 })
  @HttpCode(200)
  @InvalidatesCache(changedByOrderWrite)
  @WithETag()
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
  async changeStatus(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ChangeStatusDto,
    @IfMatch({ required: true }) expectedVersion: number | undefined,
  ): Promise<OrderResponse> {
    return OrderResponse.from(await this.orders.changeStatus(principal, id, dto.status, expectedVersion));
  }
}
