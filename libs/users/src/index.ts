export { UsersModule } from './users.module';
export { UserResponse } from './dto/user.response';
