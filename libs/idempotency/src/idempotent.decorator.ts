import { SetMetadata } from '@nestjs/common';

export const IDEMPOTENT = 'idempotency:enabled';

/**
 * Honours an optional `Idempotency-Key` header on this route (POST creations): same key + same body
 * replays the first response, same key + another body → 422, same key while the first runs → 409.
 * Keys are per authenticated user; without a principal the header is ignored.
 */
export const Idempotent = (): MethodDecorator => SetMetadata(IDEMPOTENT, true);
