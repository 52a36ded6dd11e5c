import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** No password rules here: a login only compares (rules would leak which passwords can exist). */
@ApiSchema({ name: 'LoginRequest' })
export class LoginDto {
  @ApiProperty({ type: 'string', minLength: 1, maxLength: 254, example: 'ada@example.com' })
  @IsString()
  @Length(1, 254)
  email: string;

  @ApiProperty({ type: 'string', minLength: 1, maxLength: 1024, format: 'password', example: 'correct horse battery' })
  @IsString()
  @Length(1, 1024)
  password: string;
}
