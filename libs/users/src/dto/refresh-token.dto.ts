import { IsString, Length } from 'class-validator';

export class RefreshTokenDto {
  @IsString()
  @Length(16, 256)
  refreshToken: string;
}
