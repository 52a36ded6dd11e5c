export { UsersModule } from './users.module';
export { UserResponse } from './dto/user.response';
export { UserDirectory, type UserContact } from './user-directory';
