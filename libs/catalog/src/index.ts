export { PRODUCTS_CACHE_TAG, productCacheTag } from './catalog.cache';
export { CatalogModule } from './catalog.module';
export { CatalogService, type ReservedLine, type StockRequest } from './catalog.service';
export { ProductResponse } from './dto/product.response';
