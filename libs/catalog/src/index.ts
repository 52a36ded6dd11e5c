export { PRODUCTS_CACHE_TAG, productCacheTag } from './catalog.cache';
export { CatalogModule } from './catalog.module';
export { CatalogProducts } from './catalog-products';
export { CatalogStock, type ReservedLine, type StockRequest } from './catalog-stock';
export { CatalogSeed } from './catalog-seed';
export { ProductRatingResponse, ProductResponse } from './dto/product.response';
export { CURRENCY_PATTERN, SKU_PATTERN } from './dto/create-product.dto';
