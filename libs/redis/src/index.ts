export { RedisModule } from './redis.module';
export { RedisConnection, type RedisClient, type RedisState } from './redis.connection';
export { RedisUnavailableError, type RedisUnavailableReason } from './redis-unavailable.error';
