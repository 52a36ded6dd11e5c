import { IsString, Length } from 'class-validator';

/** No password rules here: a login only compares (rules would leak which passwords can exist). */
export class LoginDto {
  @IsString()
  @Length(1, 254)
  email: string;

  @IsString()
  @Length(1, 1024)
  password: string;
}
