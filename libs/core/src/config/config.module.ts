import { type DynamicModule, Global, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';

/**
 * Makes the validated {@link AppConfig} injectable everywhere, and mirrors it in @nestjs/config's
 * `ConfigService` (`config.get('database', { infer: true })`) for code written against that API.
 * Validation happens before the module graph is built (see `loadConfig`), so a bad value stops the
 * process with a one-line message instead of a stack trace from inside Nest.
 */
@Global()
@Module({})
export class AppConfigModule implements OnApplicationBootstrap {
  constructor(private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    if (this.config.auth.jwtSecretGenerated) {
      new Logger('AppConfig').warn('JWT_SECRET is not set: using a random secret for this process; tokens end with it');
    }
  }

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: [() => ({ ...config })],
        }),
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
