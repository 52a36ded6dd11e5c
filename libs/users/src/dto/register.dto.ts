import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@app/auth';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ name: 'RegisterRequest' })
export class RegisterDto {
  @ApiProperty({ type: 'string', format: 'email', maxLength: 254, example: 'ada@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({
    type: 'string',
    format: 'password',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: 'Unicode characters (code points); a common password (or one dressed up) is refused',
    example: 'correct horse battery',
  })
  @IsAcceptablePassword()
  password: string;

  @ApiProperty({ type: 'string', minLength: 1, maxLength: 100, description: 'Trimmed', example: 'Ada Lovelace' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}
