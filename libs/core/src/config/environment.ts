import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ToBoolean, ToInt, ToList, Trimmed } from './env-transforms';
import { IsDatabaseUrl, IsRedisUrl, IsTrustedProxyList } from './env-validators';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The process environment as the application reads it. Every variable is documented in `.env.example`;
 * keep the two in step (a test checks it). Defaults live here and nowhere else.
 */
export class Environment {
  // Every property has an initializer (optional ones `= undefined`): the list of variables the app reads
  // is taken from an instance's own keys.
  @Trimmed()
  @IsIn(NODE_ENVS, { message: `NODE_ENV must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @ToInt()
  @IsInt({ message: 'PORT must be an integer' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Trimmed()
  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @Trimmed()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  // --- database -----------------------------------------------------------------------------------
  @Trimmed()
  @IsOptional()
  @IsDatabaseUrl()
  DATABASE_URL?: string = undefined;

  @Trimmed()
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @ToInt()
  @IsInt({ message: 'DB_POOL_MAX must be an integer' })
  @Min(1)
  @Max(200)
  DB_POOL_MAX = 10;

  @ToInt()
  @IsInt({ message: 'DB_CONNECT_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(60_000)
  DB_CONNECT_TIMEOUT_MS = 2_000;

  @ToInt()
  @IsInt({ message: 'DB_STATEMENT_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(600_000)
  DB_STATEMENT_TIMEOUT_MS = 3_000;

  @ToBoolean()
  @IsBoolean({ message: 'DB_MIGRATE_ON_START must be true or false' })
  DB_MIGRATE_ON_START = true;

  // --- cache and rate limits ------------------------------------------------------------------------
  @Trimmed()
  @IsOptional()
  @IsRedisUrl()
  REDIS_URL?: string = undefined;

  // --- HTTP -----------------------------------------------------------------------------------------
  @ToList()
  @IsTrustedProxyList()
  TRUST_PROXY: string[] = [];

  @ToInt()
  @IsInt({ message: 'BODY_LIMIT must be an integer number of bytes' })
  @Min(1024)
  @Max(100 * 1024 * 1024)
  BODY_LIMIT = 1024 * 1024;

  @ToInt()
  @IsInt({ message: 'REQUEST_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 10_000;

  // --- auth -----------------------------------------------------------------------------------------
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string = undefined;

  @Trimmed()
  @IsOptional()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string = undefined;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  @MaxLength(128)
  ADMIN_PASSWORD?: string = undefined;

  // --- shutdown -------------------------------------------------------------------------------------
  @ToInt()
  @IsInt({ message: 'SHUTDOWN_DRAIN_MS must be an integer' })
  @Min(0)
  @Max(300_000)
  SHUTDOWN_DRAIN_MS = 5_000;

  @ToInt()
  @IsInt({ message: 'SHUTDOWN_TIMEOUT_MS must be an integer' })
  @Min(0)
  @Max(300_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}
