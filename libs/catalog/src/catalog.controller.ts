import { Body, Controller, Get, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Roles } from '@app/auth';
import { CacheFor, InvalidatesCache } from '@app/cache';
import { IfMatch, type Page, WithETag, UuidParam, JsonBody } from '@app/core';
import { PRODUCTS_CACHE_TAG, productOfRoute } from './catalog.cache';
import { CatalogService } from './catalog.service';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductResponse } from './dto/product.response';
import { UpdateProductDto } from './dto/update-product.dto';

@Controller({ path: 'products', version: '1' })
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @CacheFor(30, { tags: [PRODUCTS_CACHE_TAG], scope: 'shared' })
  async list(@Query() query: ListProductsQuery): Promise<Page<ProductResponse>> {
    const page = await this.catalog.list(query);
    return { data: page.data.map((row) => ProductResponse.from(row)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @CacheFor(30, { tags: [productOfRoute], scope: 'shared' })
  @WithETag()
  async get(@UuidParam('id') id: string): Promise<ProductResponse> {
    return ProductResponse.from(await this.catalog.get(id));
  }

  @Post()
  @JsonBody({ maxBytes: 16 * 1024 })
  @Roles('admin')
  @InvalidatesCache(PRODUCTS_CACHE_TAG)
  @WithETag()
  async create(
    @Body() dto: CreateProductDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductResponse> {
    const product = await this.catalog.create(dto);
    void reply.status(201).header('location', `/v1/products/${product.id}`);
    return ProductResponse.from(product);
  }

  @Patch(':id')
  @JsonBody({ maxBytes: 16 * 1024 })
  @Roles('admin')
  @InvalidatesCache(PRODUCTS_CACHE_TAG, productOfRoute)
  @WithETag()
  async update(
    @UuidParam('id') id: string,
    @Body() dto: UpdateProductDto,
    @IfMatch({ required: true }) expectedVersion: number | undefined,
  ): Promise<ProductResponse> {
    return ProductResponse.from(await this.catalog.update(id, dto, expectedVersion));
  }
}
