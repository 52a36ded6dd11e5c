import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

@ApiSchema({ name: 'RefreshTokenRequest' })
export class RefreshTokenDto {
  @ApiProperty({
    type: 'string',
    minLength: 16,
    maxLength: 256,
    description: 'The refresh token from the last login or refresh (each is usable once)',
    example: 'q3XbV8m1fJ0kT2yW9hR4sN6cL5dP7eA0uZ1gH3iK8oM',
  })
  @IsString()
  @Length(16, 256)
  refreshToken: string;
}
