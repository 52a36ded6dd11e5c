import { IsEmail, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { defineEvent } from '@app/events';

export class UserRegisteredPayload {
  @IsUUID()
  userId!: string;

  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @Length(1, 100)
  name!: string;
}

/** Someone created an account (`POST /v1/auth/register`). */
export const UserRegistered = defineEvent({
  name: 'user.registered',
  version: 1,
  aggregateType: 'user',
  payload: UserRegisteredPayload,
  aggregateIdOf: (payload) => payload.userId,
  description: 'An account was registered.',
});
