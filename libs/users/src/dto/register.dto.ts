import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { IsAcceptablePassword } from '@app/auth';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RegisterDto {
  @Transform(trim)
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email: string;

  @IsAcceptablePassword()
  password: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}
