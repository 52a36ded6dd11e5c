export { NatsConnection, type NatsState } from './nats.connection';
export { NatsModule } from './nats.module';
