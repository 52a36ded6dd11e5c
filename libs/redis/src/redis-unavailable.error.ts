/** Why Redis could not serve a command: the caller falls back (cache miss, in-process rate limits). */
export type RedisUnavailableReason = 'disabled' | 'connecting' | 'suspended' | 'timeout' | 'error';

export class RedisUnavailableError extends Error {
  constructor(
    readonly reason: RedisUnavailableReason,
    cause?: unknown,
  ) {
    super(`Redis unavailable (${reason})`, { cause });
    this.name = 'RedisUnavailableError';
  }
}
