import { IsBoolean, IsEmail, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Omittable } from '../validation/omittable.decorator';
import { ToBoolean, ToInt, ToList, Trimmed } from './env-transforms';
import { IsDatabaseUrl, IsNatsUrl, IsOriginList, IsRedisUrl, IsTrustedProxyList } from './env-validators';

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
  @Omittable()
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
  @Omittable()
  @IsRedisUrl()
  REDIS_URL?: string = undefined;

  /** Prefix of every key the app writes to Redis (several apps or environments can share one server). */
  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  REDIS_KEY_PREFIX = 'nest-api:';

  @ToInt()
  @IsInt({ message: 'REDIS_CONNECT_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(60_000)
  REDIS_CONNECT_TIMEOUT_MS = 2_000;

  /** How long any Redis command may take before the app stops waiting and falls back. */
  @ToInt()
  @IsInt({ message: 'REDIS_COMMAND_TIMEOUT_MS must be an integer' })
  @Min(10)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  /** Entries the in-memory response cache keeps (least recently used go first); used when REDIS_URL is unset. */
  @ToInt()
  @IsInt({ message: 'CACHE_MEMORY_MAX_ENTRIES must be an integer' })
  @Min(1)
  @Max(10_000_000)
  CACHE_MEMORY_MAX_ENTRIES = 10_000;

  // --- Domain events (libs/events) -------------------------------------------------------------------
  /** NATS with JetStream: when set, the outbox is relayed to it (docs/events.md); unset, events stay in-process. */
  @Trimmed()
  @Omittable()
  @IsNatsUrl()
  NATS_URL?: string = undefined;

  /** Prefix of every subject and stream the relay uses, so that environments (or tests) can share one server. */
  @Trimmed()
  @IsString()
  @Matches(/^[a-z0-9-]{0,32}$/, {
    message: 'NATS_SUBJECT_PREFIX must be up to 32 lower-case letters, digits or dashes',
  })
  NATS_SUBJECT_PREFIX = '';

  /** How long a JetStream publish may wait for its acknowledgement before the relay tries again later. */
  @ToInt()
  @IsInt({ message: 'NATS_PUBLISH_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(60_000)
  NATS_PUBLISH_TIMEOUT_MS = 2_000;

  /** How often each replica looks for event deliveries that are due (retries, another replica's leftovers). */
  @ToInt()
  @IsInt({ message: 'EVENTS_POLL_INTERVAL_MS must be an integer' })
  @Min(10)
  @Max(60_000)
  EVENTS_POLL_INTERVAL_MS = 1_000;

  /** Attempts of one in-process delivery before it is given up (`dead`, counted in /metrics). */
  @ToInt()
  @IsInt({ message: 'EVENTS_MAX_ATTEMPTS must be an integer' })
  @Min(1)
  @Max(100)
  EVENTS_MAX_ATTEMPTS = 10;

  /** The first retry's delay; each further one doubles it (at most 5 minutes). */
  @ToInt()
  @IsInt({ message: 'EVENTS_RETRY_BASE_MS must be an integer' })
  @Min(1)
  @Max(600_000)
  EVENTS_RETRY_BASE_MS = 1_000;

  /** How long delivered events and inbox entries are kept before they are purged. */
  @ToInt()
  @IsInt({ message: 'EVENTS_RETENTION_HOURS must be an integer' })
  @Min(1)
  @Max(24 * 365)
  EVENTS_RETENTION_HOURS = 72;

  // --- Live updates over server-sent events (docs/events.md "Live order updates") ---------------------
  /** A comment line on every open event stream this often, so that proxies and clients see it is alive. */
  @ToInt()
  @IsInt({ message: 'SSE_HEARTBEAT_MS must be an integer' })
  @Min(100)
  @Max(300_000)
  SSE_HEARTBEAT_MS = 15_000;

  /** The `retry:` an event stream announces: how long a client waits before it reconnects. */
  @ToInt()
  @IsInt({ message: 'SSE_RETRY_MS must be an integer' })
  @Min(100)
  @Max(600_000)
  SSE_RETRY_MS = 3_000;

  /** Event streams one user may hold open at once on one replica (429 beyond). */
  @ToInt()
  @IsInt({ message: 'SSE_MAX_STREAMS_PER_USER must be an integer' })
  @Min(1)
  @Max(1_000)
  SSE_MAX_STREAMS_PER_USER = 5;

  /** Event streams one replica holds open at once, all users together (503 beyond). */
  @ToInt()
  @IsInt({ message: 'SSE_MAX_STREAMS must be an integer' })
  @Min(1)
  @Max(1_000_000)
  SSE_MAX_STREAMS = 10_000;

  // --- The worker (apps/worker, docs/events.md "Worker") ------------------------------------------------
  /** Port of the worker's probe and metrics server. */
  @ToInt()
  @IsInt({ message: 'WORKER_PORT must be an integer' })
  @Min(0)
  @Max(65535)
  WORKER_PORT = 3001;

  /** Deliveries of one message to one job before it goes to the dead-letter stream. */
  @ToInt()
  @IsInt({ message: 'WORKER_MAX_ATTEMPTS must be an integer' })
  @Min(1)
  @Max(100)
  WORKER_MAX_ATTEMPTS = 5;

  /** The first redelivery's delay after a failure; each further one doubles it (at most 5 minutes). */
  @ToInt()
  @IsInt({ message: 'WORKER_RETRY_BASE_MS must be an integer' })
  @Min(1)
  @Max(600_000)
  WORKER_RETRY_BASE_MS = 1_000;

  /** How long JetStream waits for a job's ack before it redelivers the message (a crashed worker). */
  @ToInt()
  @IsInt({ message: 'WORKER_ACK_WAIT_MS must be an integer' })
  @Min(500)
  @Max(3_600_000)
  WORKER_ACK_WAIT_MS = 30_000;

  /** After SIGTERM, how long jobs in progress may take to finish before the worker exits anyway. */
  @ToInt()
  @IsInt({ message: 'WORKER_SHUTDOWN_TIMEOUT_MS must be an integer' })
  @Min(0)
  @Max(300_000)
  WORKER_SHUTDOWN_TIMEOUT_MS = 10_000;

  /** How the worker sends mail: `file` (JSON lines under MAIL_OUTBOX_DIR, and a log line) or `log` only. */
  @Trimmed()
  @IsIn(['file', 'log'], { message: 'MAILER_TRANSPORT must be one of file, log' })
  MAILER_TRANSPORT: 'file' | 'log' = 'file';

  /** Where the `file` mail transport writes its messages (`mail.jsonl`). */
  @Trimmed()
  @IsString()
  @MinLength(1)
  MAIL_OUTBOX_DIR = '.tmp/mail';

  /** An SMTP server for the worker's mail (`smtp://user:pass@host:587`, `smtps://…:465`): when set, mail goes there. */
  @Trimmed()
  @Omittable()
  @Matches(/^smtps?:\/\/[^\s/]+(:\d+)?\/?$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string = undefined;

  /** The sender of the worker's mail. */
  @Trimmed()
  @IsEmail({}, { message: 'MAIL_FROM must be an email address' })
  MAIL_FROM = 'shop@example.com';

  /**
   * Worker threads that render invoice PDFs (a piscina pool, created at the first invoice), in whichever process makes
   * them: the worker with NATS_URL, else the API. Few: the pool takes CPU from the event loops beside it.
   */
  @ToInt()
  @IsInt({ message: 'INVOICE_RENDER_THREADS must be an integer' })
  @Min(1)
  @Max(16)
  INVOICE_RENDER_THREADS = 1;

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

  // Shape limits of every JSON body (and query string), checked in one pass before validation. Routes can
  // only tighten them (`@JsonBody()`).
  @ToInt()
  @IsInt({ message: 'BODY_MAX_DEPTH must be an integer' })
  @Min(2)
  @Max(64)
  BODY_MAX_DEPTH = 16;

  @ToInt()
  @IsInt({ message: 'BODY_MAX_KEYS must be an integer' })
  @Min(8)
  @Max(1_000)
  BODY_MAX_KEYS = 100;

  @ToInt()
  @IsInt({ message: 'BODY_MAX_ARRAY_LENGTH must be an integer' })
  @Min(1)
  @Max(10_000)
  BODY_MAX_ARRAY_LENGTH = 100;

  @ToInt()
  @IsInt({ message: 'BODY_MAX_NODES must be an integer' })
  @Min(16)
  @Max(100_000)
  BODY_MAX_NODES = 1_000;

  @ToInt()
  @IsInt({ message: 'BODY_MAX_STRING_LENGTH must be an integer' })
  @Min(256)
  @Max(10 * 1024 * 1024)
  BODY_MAX_STRING_LENGTH = 16_384;

  // Slow clients (slowloris): the whole request head, then head and body, must arrive within these; an idle
  // keep-alive connection is closed after the last.
  @ToInt()
  @IsInt({ message: 'HTTP_HEADERS_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  @ToInt()
  @IsInt({ message: 'HTTP_BODY_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(600_000)
  HTTP_BODY_TIMEOUT_MS = 15_000;

  @ToInt()
  @IsInt({ message: 'HTTP_KEEP_ALIVE_TIMEOUT_MS must be an integer' })
  @Min(100)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;

  // Response compression (br, gzip) for answers of at least this many bytes; smaller ones are not worth
  // the CPU. 0 turns compression off.
  @ToInt()
  @IsInt({ message: 'COMPRESSION_THRESHOLD_BYTES must be an integer' })
  @Min(0)
  @Max(10 * 1024 * 1024)
  COMPRESSION_THRESHOLD_BYTES = 1_024;

  /** Browser origins allowed to call the API (CORS). Empty: no cross-origin browser access. */
  @ToList()
  @IsOriginList()
  CORS_ORIGINS: string[] = [];

  /** Whether /docs (Swagger UI) and /docs/openapi.json are served. Default: true, except in production. */
  @ToBoolean()
  @Omittable()
  @IsBoolean({ message: 'DOCS_ENABLED must be true or false' })
  DOCS_ENABLED?: boolean = undefined;

  /** Worker processes sharing the port (node:cluster); 1 runs the app in this process. PostgreSQL only. */
  @ToInt()
  @IsInt({ message: 'CLUSTER_WORKERS must be an integer' })
  @Min(1)
  @Max(64)
  CLUSTER_WORKERS = 1;

  // --- auth -----------------------------------------------------------------------------------------
  @Omittable()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string = undefined;

  @Trimmed()
  @IsString()
  @MinLength(1)
  // Bounds the access token's length (TokenPair.accessToken's maxLength in the OpenAPI document).
  @MaxLength(255, { message: 'JWT_ISSUER must be at most 255 characters' })
  JWT_ISSUER = 'nest-enterprise-backend';

  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(255, { message: 'JWT_AUDIENCE must be at most 255 characters' })
  JWT_AUDIENCE = 'nest-enterprise-backend-api';

  @ToInt()
  @IsInt({ message: 'JWT_ACCESS_TTL_SECONDS must be an integer' })
  @Min(30)
  @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @ToInt()
  @IsInt({ message: 'REFRESH_TOKEN_TTL_DAYS must be an integer' })
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;

  // argon2id parameters; the defaults are OWASP's minimum (m = 19 MiB, t = 2, p = 1) and the floor.
  @ToInt()
  @IsInt({ message: 'ARGON2_MEMORY_KIB must be an integer' })
  @Min(19_456)
  @Max(1_048_576)
  ARGON2_MEMORY_KIB = 19_456;

  @ToInt()
  @IsInt({ message: 'ARGON2_TIME_COST must be an integer' })
  @Min(2)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @ToInt()
  @IsInt({ message: 'ARGON2_PARALLELISM must be an integer' })
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  /**
   * Password hashes computed at once (each on a libuv thread); more wait their turn. 0: one less than the
   * cores this process may use (at least 1), so that a burst of logins always leaves a core to the event loop.
   */
  @ToInt()
  @IsInt({ message: 'PASSWORD_HASH_CONCURRENCY must be an integer' })
  @Min(0)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = 0;

  // --- rate limits (requests per minute) -------------------------------------------------------------
  /** Every route, per client (user id when authenticated, else IP). */
  @ToInt()
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 300;

  /** login / register / refresh, per client IP (login per IP+email is half of it). */
  @ToInt()
  @IsInt({ message: 'RATE_LIMIT_AUTH_PER_MINUTE must be an integer' })
  @Min(2)
  @Max(100_000)
  RATE_LIMIT_AUTH_PER_MINUTE = 10;

  @Trimmed()
  @Omittable()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string = undefined;

  @Omittable()
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  @MaxLength(128)
  ADMIN_PASSWORD?: string = undefined;

  // --- credential throttling (failed password checks per account, across client IPs) -----------------
  /** Failed checks an account may collect before each further attempt has to wait. */
  @ToInt()
  @IsInt({ message: 'CREDENTIAL_FAILURES_BEFORE_DELAY must be an integer' })
  @Min(1)
  @Max(1_000)
  CREDENTIAL_FAILURES_BEFORE_DELAY = 10;

  /** Longest wait between attempts once the delay has doubled (from 1 s) up to it. */
  @ToInt()
  @IsInt({ message: 'CREDENTIAL_MAX_DELAY_SECONDS must be an integer' })
  @Min(1)
  @Max(86_400)
  CREDENTIAL_MAX_DELAY_SECONDS = 900;

  /** Failures are forgotten after this long without another one (counted from the end of the current wait). */
  @ToInt()
  @IsInt({ message: 'CREDENTIAL_WINDOW_SECONDS must be an integer' })
  @Min(60)
  @Max(604_800)
  CREDENTIAL_WINDOW_SECONDS = 900;

  // --- observability --------------------------------------------------------------------------------
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  @Omittable()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string = undefined;

  /**
   * Production refuses an open /metrics unless this says so explicitly (e.g. the port is reachable only from
   * inside the cluster). Ignored when METRICS_TOKEN is set.
   */
  @ToBoolean()
  @Omittable()
  @IsBoolean({ message: 'METRICS_PUBLIC must be true or false' })
  METRICS_PUBLIC?: boolean = undefined;

  /** Whether /health/ready names each dependency and its state. Default: true, except in production. */
  @ToBoolean()
  @Omittable()
  @IsBoolean({ message: 'HEALTH_DETAILS must be true or false' })
  HEALTH_DETAILS?: boolean = undefined;

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
