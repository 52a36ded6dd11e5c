export { PRODUCTS_CACHE_TAG, productCacheTag } from './catalog.cache';
export { CatalogModule } from './catalog.module';
export { CatalogService, type ReservedLine, type StockRequest } from './catalog.service';
export { ProductResponse } from './dto/product.response';
export { CURRENCY_PATTERN, SKU_PATTERN } from './dto/create-product.dto';
