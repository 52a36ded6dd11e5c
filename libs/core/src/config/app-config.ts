import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ConfigValidationError } from './config-validation.error';
import { Environment } from './environment';
import type { JsonLimits } from '../http/json-body/json-limits';
import { isPlaceholderSecret } from './secrets';

export type DatabaseTarget =
  { kind: 'pglite'; dataDir: string } | { kind: 'pglite-memory' } | { kind: 'postgres'; url: string };

/**
 * The validated, typed configuration. Inject it by class (`constructor(private readonly config: AppConfig)`);
 * it is built once at boot by {@link loadConfig} and never changes.
 */
export class AppConfig {
  readonly env!: Environment['NODE_ENV'];
  readonly isProduction!: boolean;
  readonly http!: {
    port: number;
    host: string;
    bodyLimit: number;
    trustProxy: readonly string[];
    requestTimeoutMs: number;
    /** Default shape limits of JSON bodies and query strings. */
    jsonLimits: JsonLimits;
    headersTimeoutMs: number;
    /** Head and body together (Node's `requestTimeout`). */
    bodyTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Smallest answer that is compressed; 0 when compression is off. */
    compressionThresholdBytes: number;
    /** Browser origins allowed by CORS (exact matches); empty: none. */
    corsOrigins: readonly string[];
    /** Whether the OpenAPI document and Swagger UI are served. */
    docsEnabled: boolean;
  };
  /** Worker processes (node:cluster); 1 runs the app in the launching process. */
  readonly clusterWorkers!: number;
  readonly log!: { level: Environment['LOG_LEVEL']; pretty: boolean };
  readonly database!: {
    target: DatabaseTarget;
    poolMax: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    migrateOnStart: boolean;
  };
  readonly redis!: {
    url: string | undefined;
    keyPrefix: string;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
  };
  readonly cache!: { memoryMaxEntries: number };
  readonly events!: { pollIntervalMs: number; maxAttempts: number; retryBaseMs: number; retentionHours: number };
  readonly nats!: { url: string | undefined; subjectPrefix: string; publishTimeoutMs: number };
  /** Server-sent event streams: heartbeat and reconnect delay, and how many may be open. */
  readonly sse!: { heartbeatMs: number; retryMs: number; maxStreamsPerUser: number; maxStreams: number };
  /** The worker app (apps/worker): its probe port, retries, redelivery and shutdown bounds, and its mail transport. */
  readonly worker!: {
    port: number;
    maxAttempts: number;
    retryBaseMs: number;
    ackWaitMs: number;
    shutdownTimeoutMs: number;
    mailer: { transport: 'file' | 'log'; outboxDir: string; smtpUrl: string | undefined; from: string };
  };
  /** Invoice PDFs (libs/invoices): the threads of the rendering pool. */
  readonly invoices!: { renderThreads: number };
  readonly auth!: {
    jwtSecret: string;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlDays: number;
    argon2: { memoryKib: number; timeCost: number; parallelism: number };
    /** Password hashes computed at once (resolved: at least 1). */
    passwordHashConcurrency: number;
    /** True when no JWT_SECRET was given and one was generated for this process (development only). */
    jwtSecretGenerated: boolean;
    admin: { email: string; password: string } | undefined;
  };
  readonly rateLimits!: { perMinute: number; authPerMinute: number };
  /** Failed password checks per account (see libs/auth credential-throttle). */
  readonly credentialThrottle!: { failuresBeforeDelay: number; maxDelaySeconds: number; windowSeconds: number };
  readonly metricsToken!: string | undefined;
  /** Whether /health/ready shows each dependency's state (else only the overall status). */
  readonly healthDetails!: boolean;
  readonly shutdown!: { drainMs: number; timeoutMs: number };

  constructor(values: AppConfig) {
    Object.assign(this, values);
    Object.freeze(this);
  }
}

const CONFIG_VARIABLES = Object.keys(new Environment());

/** Range checks only make sense once the type is right: report the type problem first. */
const RANGE_CONSTRAINTS = new Set(['min', 'max', 'minLength', 'maxLength']);

function collectMessages(errors: readonly ValidationError[], raw: Record<string, string>): string[] {
  return errors.map((error) => {
    const entries = Object.entries(error.constraints ?? {});
    const [, message] = entries.find(([name]) => !RANGE_CONSTRAINTS.has(name)) ??
      entries[0] ?? ['', `${error.property} is invalid`];
    const secret = /SECRET|PASSWORD|TOKEN/.test(error.property);
    const given = raw[error.property];
    // One clear sentence per variable, with the value as given (never for secrets).
    return secret || given === undefined ? message : `${message} (got ${JSON.stringify(given)})`;
  });
}

function productionProblems(env: Environment): string[] {
  const problems: string[] = [];
  if (env.JWT_SECRET === undefined) problems.push('JWT_SECRET is required when NODE_ENV=production');
  else if (isPlaceholderSecret(env.JWT_SECRET))
    problems.push('JWT_SECRET looks like a placeholder; set a random value of at least 32 characters');
  if (env.METRICS_TOKEN === undefined && env.METRICS_PUBLIC !== true) {
    problems.push(
      'METRICS_TOKEN is required when NODE_ENV=production; or set METRICS_PUBLIC=true to serve /metrics without one (only where no public route reaches it)',
    );
  } else if (env.METRICS_TOKEN !== undefined && isPlaceholderSecret(env.METRICS_TOKEN)) {
    problems.push('METRICS_TOKEN looks like a placeholder; set a random value');
  }
  if (env.ADMIN_PASSWORD !== undefined && isPlaceholderSecret(env.ADMIN_PASSWORD)) {
    problems.push('ADMIN_PASSWORD looks like a placeholder; set a strong password');
  }
  return problems;
}

/** Workers share nothing but the port: state must live in servers every worker reaches. */
function clusterProblems(env: Environment): string[] {
  const problems: string[] = [];
  if (env.DATABASE_URL === undefined || env.DATABASE_URL === 'memory://') {
    problems.push(
      'CLUSTER_WORKERS > 1 needs DATABASE_URL=postgres://…: the embedded PGlite database cannot be shared between processes',
    );
  }
  if (env.JWT_SECRET === undefined) {
    problems.push('CLUSTER_WORKERS > 1 needs JWT_SECRET: without it each worker would sign tokens with its own secret');
  }
  if (env.REDIS_URL === undefined) {
    problems.push(
      'CLUSTER_WORKERS > 1 needs REDIS_URL: without it each worker would keep its own rate limits, failed-password counters and response cache (N times the limits, and answers made stale by a write on another worker)',
    );
  }
  return problems;
}

/**
 * Validates raw environment variables (strings) and builds the typed configuration.
 * Unknown variables are ignored; a bad value throws a {@link ConfigValidationError} whose one-line message
 * names every offending variable and why.
 */
export function loadConfig(raw: Record<string, string | undefined>): AppConfig {
  const picked: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = raw[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  const env = plainToInstance(Environment, picked, { exposeDefaultValues: true });
  const problems = collectMessages(validateSync(env, { forbidUnknownValues: true }), picked);
  if ((env.ADMIN_EMAIL === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (env.CLUSTER_WORKERS > 1) problems.push(...clusterProblems(env));
  const isProduction = env.NODE_ENV === 'production';
  if (isProduction) problems.push(...productionProblems(env));
  if (problems.length > 0) throw new ConfigValidationError(problems);

  const dataDir = isAbsolute(env.DATA_DIR) ? env.DATA_DIR : resolve(process.cwd(), env.DATA_DIR);
  const target: DatabaseTarget =
    env.DATABASE_URL === undefined
      ? { kind: 'pglite', dataDir }
      : env.DATABASE_URL === 'memory://'
        ? { kind: 'pglite-memory' }
        : { kind: 'postgres', url: env.DATABASE_URL };

  return new AppConfig({
    env: env.NODE_ENV,
    isProduction,
    http: {
      port: env.PORT,
      host: env.HOST,
      bodyLimit: env.BODY_LIMIT,
      trustProxy: Object.freeze([...env.TRUST_PROXY]),
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      jsonLimits: {
        maxDepth: env.BODY_MAX_DEPTH,
        maxKeys: env.BODY_MAX_KEYS,
        maxArrayLength: env.BODY_MAX_ARRAY_LENGTH,
        maxNodes: env.BODY_MAX_NODES,
        maxStringLength: env.BODY_MAX_STRING_LENGTH,
      },
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: Math.max(env.HTTP_BODY_TIMEOUT_MS, env.HTTP_HEADERS_TIMEOUT_MS),
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      compressionThresholdBytes: env.COMPRESSION_THRESHOLD_BYTES,
      corsOrigins: env.CORS_ORIGINS,
      docsEnabled: env.DOCS_ENABLED ?? !isProduction,
    },
    clusterWorkers: env.CLUSTER_WORKERS,
    log: { level: env.LOG_LEVEL, pretty: env.NODE_ENV === 'development' },
    database: {
      target,
      poolMax: env.DB_POOL_MAX,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      migrateOnStart: env.DB_MIGRATE_ON_START,
    },
    redis: {
      url: env.REDIS_URL,
      keyPrefix: env.REDIS_KEY_PREFIX,
      connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    },
    cache: { memoryMaxEntries: env.CACHE_MEMORY_MAX_ENTRIES },
    nats: {
      url: env.NATS_URL,
      subjectPrefix: env.NATS_SUBJECT_PREFIX,
      publishTimeoutMs: env.NATS_PUBLISH_TIMEOUT_MS,
    },
    sse: {
      heartbeatMs: env.SSE_HEARTBEAT_MS,
      retryMs: env.SSE_RETRY_MS,
      maxStreamsPerUser: env.SSE_MAX_STREAMS_PER_USER,
      maxStreams: env.SSE_MAX_STREAMS,
    },
    worker: {
      port: env.WORKER_PORT,
      maxAttempts: env.WORKER_MAX_ATTEMPTS,
      retryBaseMs: env.WORKER_RETRY_BASE_MS,
      ackWaitMs: env.WORKER_ACK_WAIT_MS,
      shutdownTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
      mailer: {
        transport: env.MAILER_TRANSPORT,
        outboxDir: env.MAIL_OUTBOX_DIR,
        smtpUrl: env.SMTP_URL,
        from: env.MAIL_FROM,
      },
    },
    invoices: { renderThreads: env.INVOICE_RENDER_THREADS },
    events: {
      pollIntervalMs: env.EVENTS_POLL_INTERVAL_MS,
      maxAttempts: env.EVENTS_MAX_ATTEMPTS,
      retryBaseMs: env.EVENTS_RETRY_BASE_MS,
      retentionHours: env.EVENTS_RETENTION_HOURS,
    },
    auth: {
      // Outside production a missing secret is replaced by a random one for this process only:
      // tokens do not survive a restart, and no secret is ever written in code.
      jwtSecret: env.JWT_SECRET ?? randomBytes(48).toString('base64url'),
      jwtSecretGenerated: env.JWT_SECRET === undefined,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      argon2: { memoryKib: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST, parallelism: env.ARGON2_PARALLELISM },
      passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY || Math.max(1, availableParallelism() - 1),
      admin:
        env.ADMIN_EMAIL !== undefined && env.ADMIN_PASSWORD !== undefined
          ? { email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD }
          : undefined,
    },
    rateLimits: { perMinute: env.RATE_LIMIT_PER_MINUTE, authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE },
    credentialThrottle: {
      failuresBeforeDelay: env.CREDENTIAL_FAILURES_BEFORE_DELAY,
      maxDelaySeconds: env.CREDENTIAL_MAX_DELAY_SECONDS,
      windowSeconds: env.CREDENTIAL_WINDOW_SECONDS,
    },
    metricsToken: env.METRICS_TOKEN,
    healthDetails: env.HEALTH_DETAILS ?? !isProduction,
    shutdown: { drainMs: env.SHUTDOWN_DRAIN_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
  } as AppConfig);
}

/** The names of every variable the configuration reads (for documentation checks). */
export const configVariableNames = (): readonly string[] => CONFIG_VARIABLES;
