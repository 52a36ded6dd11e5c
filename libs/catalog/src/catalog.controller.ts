import { Body, Controller, Get, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '@app/auth';
import { CacheFor, InvalidatesCache } from '@app/cache';
import {
  ApiCreated,
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
import { PRODUCTS_CACHE_TAG, productOfRoute } from './catalog.cache';
import { CatalogService } from './catalog.service';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductResponse } from './dto/product.response';
import { UpdateProductDto } from './dto/update-product.dto';

@ApiTags('catalog')
@Controller({ path: 'products', version: '1' })
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @CacheFor(30, { tags: [PRODUCTS_CACHE_TAG], scope: 'shared' })
  @ApiOperation({
    operationId: 'listProducts',
    summary: 'List products',
    description:
      "Every authenticated caller, inactive products included unless `active` filters them. Cursor-paginated, newest first: pass the previous page's `nextCursor` as `cursor`, with the same filters. Shared cache of up to 30 s.",
  })
  @ApiPage(ProductResponse, { description: 'A page of products, newest first (cached up to 30 s)', cached: true })
  @ApiProblems(400, 401, 429, 500, 503)
  async list(@Query() query: ListProductsQuery): Promise<Page<ProductResponse>> {
    const page = await this.catalog.list(query);
    return { data: page.data.map((row) => ProductResponse.from(row)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @CacheFor(30, { tags: [productOfRoute], scope: 'shared' })
  @WithETag()
  @ApiOperation({
    operationId: 'getProduct',
    summary: 'Read a product',
    description:
      'Answers with an `ETag`: send it as `If-None-Match` for a 304, or as `If-Match` to `updateProduct`. Shared cache of up to 30 s.',
  })
  @ApiUuidParam('id', 'The product id')
  @ApiOk(ProductResponse, {
    description: 'The product (cached up to 30 s)',
    etag: true,
    cached: true,
    notModified: true,
  })
  @ApiProblems(400, 401, { status: 404, description: 'No such product.' }, 429, 500, 503)
  async get(@UuidParam('id') id: string): Promise<ProductResponse> {
    return ProductResponse.from(await this.catalog.get(id));
  }

  @Post()
  @JsonBody({ maxBytes: 16 * 1024 })
  @Roles('admin')
  @InvalidatesCache(PRODUCTS_CACHE_TAG)
  @WithETag()
  @ApiOperation({
    operationId: 'createProduct',
    summary: 'Create a product (admin)',
    description:
      "Admins only. The SKU must be unique (409 otherwise); SKU and currency never change afterwards. The answer carries the product's `ETag` and its `Location`.",
  })
  @ApiBody({ type: CreateProductDto })
  @ApiCreated(ProductResponse, { description: 'The product', etag: true })
  @ApiProblems(400, 401, 403, { status: 409, description: 'A product with this SKU exists.' }, 413, 415, 429, 500, 503)
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
  @ApiOperation({
    operationId: 'updateProduct',
    summary: 'Change a product (admin; `If-Match` required)',
    description:
      "Admins only. Needs `If-Match` with the product's current ETag (428 without it, 412 when the product changed since); only the fields sent are changed.",
  })
  @ApiUuidParam('id', 'The product id')
  @ApiIfMatch({ required: true })
  @ApiBody({ type: UpdateProductDto })
  @ApiOk(ProductResponse, { description: 'The product as changed', etag: true })
  @ApiProblems(400, 401, 403, { status: 404, description: 'No such product.' }, 412, 413, 415, 428, 429, 500, 503)
  async update(
    @UuidParam('id') id: string,
    @Body() dto: UpdateProductDto,
    @IfMatch({ required: true }) expectedVersion: number | undefined,
  ): Promise<ProductResponse> {
    return ProductResponse.from(await this.catalog.update(id, dto, expectedVersion));
  }
}
