import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/**
 * A probe's answer (terminus' result). Which dependency is in what state (`info`, `error`, `details`) is shown only
 * with HEALTH_DETAILS (default: not in production).
 */
@ApiSchema({ name: 'ProbeStatus' })
export class ProbeStatusResponse {
  @ApiProperty({
    type: 'string',
    enum: ['ok', 'degraded'],
    description: '`degraded`: serving, but a dependency it can do without (Redis) is down',
    example: 'ok',
  })
  status: 'ok' | 'degraded';

  @ApiProperty({
    type: Object,
    required: false,
    additionalProperties: true,
    description: 'The checks that are up (HEALTH_DETAILS only)',
    example: { database: { status: 'up', driver: 'postgres' } },
  })
  info?: Record<string, unknown>;

  @ApiProperty({
    type: Object,
    required: false,
    additionalProperties: true,
    description: 'The checks that are down (HEALTH_DETAILS only)',
  })
  error?: Record<string, unknown>;

  @ApiProperty({
    type: Object,
    required: false,
    additionalProperties: true,
    description: 'Every check (HEALTH_DETAILS only)',
  })
  details?: Record<string, unknown>;
}
