export { HealthModule } from './health.module';
export { LifecycleState } from './lifecycle.state';
