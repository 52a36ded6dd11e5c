export { ReviewsModule } from './reviews.module';
export { ReviewResponse } from './dto/review.response';
