export { IdempotencyModule } from './idempotency.module';
export { Idempotent } from './idempotent.decorator';
export { idempotencyKeys, IDEMPOTENCY_STATES, type IdempotencyState } from './idempotency.schema';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_TTL_MS, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.constants';
export { IdempotencyProblemType } from './idempotency-problems';
export { IdempotencyService } from './idempotency.service';
