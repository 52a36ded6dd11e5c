import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The answer to a login or a refresh (the shape of `TokenPair` from @app/auth). */
@ApiSchema({ name: 'TokenPair' })
export class TokenPairResponse {
  @ApiProperty({
    type: 'string',
    // header.payload.signature, base64url (RFC 7515 compact serialization).
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    // HS256 header (36) + claims at their longest (JWT_ISSUER and JWT_AUDIENCE are at most 255 characters each,
    // JSON-escaped at worst 6 bytes each: 4375) + signature (43) + the two dots.
    maxLength: 4456,
    description: 'A JWT for `Authorization: Bearer …`',
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3ZDNmMWM5YSJ9.c2lnbmF0dXJl',
  })
  accessToken: string;

  @ApiProperty({
    type: 'string',
    // 256 random bits in base64url (SessionTokens).
    minLength: 43,
    maxLength: 43,
    pattern: '^[A-Za-z0-9_-]{43}$',
    description: 'Opaque, single use: exchange it at `refreshTokens` for a new pair',
    example: 'q3XbV8m1fJ0kT2yW9hR4sN6cL5dP7eA0uZ1gH3iK8oM',
  })
  refreshToken: string;

  @ApiProperty({ type: 'string', enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 30,
    maximum: 86_400,
    description: 'Seconds until the access token expires (JWT_ACCESS_TTL_SECONDS)',
    example: 900,
  })
  expiresIn: number;
}
