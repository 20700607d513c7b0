import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * All settings in one schema. Values come from environment variables, optionally layered over a
 * JSON config file named by RHIZOME_CONFIG (the environment wins). Keys below are the environment
 * variable names, so an error can name exactly what the operator has to fix.
 */
const booleanFromString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const profileSchema = z.enum(['development', 'test', 'production']);
export type Profile = z.infer<typeof profileSchema>;

const settingsSchema = z.object({
  RHIZOME_PROFILE: profileSchema.optional(),
  RHIZOME_DATA_DIR: z.string().min(1).default('./.rhizome'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_READ_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  RHIZOME_HOST: z.string().min(1).optional(),
  RHIZOME_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  RHIZOME_MIGRATE_ON_START: booleanFromString.default(true),
  RHIZOME_BOOTSTRAP_ADMIN_KEY: z
    .string()
    .regex(/^rhz_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{32,}$/, 'must be a key in the rhz_<id>_<secret> format')
    .optional(),
  RHIZOME_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  RHIZOME_TRUST_PROXY: booleanFromString.default(false),
  /** The built web UI to serve at `/`: `auto` (web/dist of this checkout or image, when built), a folder, or `off`. */
  RHIZOME_WEB_DIR: z.string().min(1).default('auto'),
  /** Origins allowed to call the API from a browser (a UI hosted on a CDN), comma-separated; `*` for any. */
  RHIZOME_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0))
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  EMBEDDING_PROVIDER: z.enum(['offline', 'openai']).default('offline'),
  EMBEDDING_MODEL: z.string().min(1).optional(),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(16_000).default(384),
  EMBEDDING_BASE_URL: z.url().optional(),
  EMBEDDING_API_KEY: z.string().min(1).optional(),
  EMBEDDING_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(2_048).default(64),
  EMBEDDING_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  EMBEDDING_SEND_DIMENSIONS: booleanFromString.default(false),
  CHAT_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  RERANK_PROVIDER: z.enum(['none', 'openai']).default('none'),
  RERANK_BASE_URL: z.url().optional(),
  RERANK_API_KEY: z.string().min(1).optional(),
  RERANK_MODEL: z.string().min(1).default('rerank'),
  RERANK_PATH: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/rerank'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  RHIZOME_SEARCH_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
  RHIZOME_API_KEY_CACHE_SECONDS: z.coerce.number().min(0).max(60).default(5),
  MODEL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  RHIZOME_STORAGE: z.enum(['local', 's3']).default('local'),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: booleanFromString.default(false),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PREFIX: z.string().max(200).default(''),
  RHIZOME_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // Documents a worker takes from the queue at once; their index writes share one transaction.
  RHIZOME_WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(256).default(16),
  // How often an idle worker looks for new jobs (a busy one takes the next job at once).
  // Unset: 0.5 s in the test profile, 2 s otherwise.
  RHIZOME_WORKER_POLLING_SECONDS: z.coerce.number().min(0.5).max(3_600).optional(),
  RHIZOME_JOB_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  RHIZOME_JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).max(3_600).default(5),
  // A job whose worker stops sending heartbeats for this long is retried (pg-boss needs ≥ 10).
  RHIZOME_JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3_600).default(30),
  // Upper bound on one job however alive its worker is; heartbeats, not this, catch dead workers.
  RHIZOME_JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(86_400).default(86_400),
  // How often the queue looks for jobs whose heartbeat stopped.
  RHIZOME_JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  // A community rebuild starts this long after the last document of a burst was indexed.
  RHIZOME_COMMUNITY_DEBOUNCE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(5),
  RHIZOME_CHUNK_TOKENS: z.coerce.number().int().min(32).max(8_192).default(512),
  RHIZOME_CHUNK_OVERLAP_TOKENS: z.coerce.number().int().min(0).max(2_048).default(64),
  RHIZOME_MAX_UNCOMPRESSED_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(512 * 1024 * 1024),
  RHIZOME_MAX_DOCUMENT_CHARACTERS: z.coerce.number().int().min(1).default(20_000_000),
  // Defaults depend on the profile (off under test, where suites poll hard); see below.
  RHIZOME_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).max(1_000_000).optional(),
  RHIZOME_RATE_LIMIT_PER_TENANT: z.coerce.number().int().min(0).max(10_000_000).optional(),
  RHIZOME_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  RHIZOME_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RHIZOME_PARSE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(120),
  RHIZOME_PARSE_MEMORY_MB: z.coerce.number().int().min(64).max(65_536).default(1_024),
  CHAT_PROVIDER: z.enum(['none', 'openai']).default('none'),
  CHAT_BASE_URL: z.url().optional(),
  CHAT_API_KEY: z.string().min(1).optional(),
  CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  RHIZOME_EXTRACTION: z.enum(['auto', 'offline', 'llm']).default('auto'),
  RHIZOME_AGENT_MAX_STEPS: z.coerce.number().int().min(4).max(20).default(12),
  RHIZOME_AGENT_MAX_TOKENS: z.coerce.number().int().min(1).max(200_000).default(16_000),
  RHIZOME_AGENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  // Per-tenant agent quotas over a sliding hour; 0 leaves them unlimited (tenants may set lower ones).
  RHIZOME_AGENT_QUESTIONS_PER_HOUR: z.coerce.number().int().min(0).max(100_000_000).default(0),
  RHIZOME_AGENT_TOKENS_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000_000_000).default(0),
  RHIZOME_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  RHIZOME_BREAKER_RESET_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  RHIZOME_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(100 * 1024 * 1024),
  // OpenTelemetry, by the names OpenTelemetry's SDKs use: traces are exported over OTLP/HTTP when an
  // endpoint is set (e.g. http://otel-collector:4318), and recorded nowhere otherwise.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('rhizome'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

/** Every setting's name (= its environment variable): deployment files may set only these. */
export const settingNames: readonly string[] = Object.keys(settingsSchema.shape);

export type Settings = z.infer<typeof settingsSchema>;

export interface Config {
  readonly profile: Profile;
  readonly dataDirectory: string;
  readonly database:
    | { readonly driver: 'pglite'; readonly dataDirectory: string }
    | {
        readonly driver: 'postgres';
        readonly url: string;
        readonly readUrl: string | undefined;
        readonly poolMax: number;
        readonly connectTimeoutMs: number;
      };
  readonly statementTimeoutMs: number;
  readonly migrateOnStart: boolean;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly trustProxy: boolean;
    readonly shutdownTimeoutMs: number;
    readonly maxUploadBytes: number;
    /** Requests per minute per key and per tenant, failed authentications per address; 0 disables. */
    readonly rateLimits: {
      readonly perKeyPerMinute: number;
      readonly perTenantPerMinute: number;
      readonly authenticationFailuresPerMinute: number;
    };
    /** When set, /metrics needs `Authorization: Bearer <token>`; otherwise it is public. */
    readonly metricsToken: string | undefined;
    /** `auto`, `off`, or the folder of a built web UI. */
    readonly webDirectory: string;
    readonly corsOrigins: readonly string[];
  };
  readonly storage:
    | { readonly kind: 'local'; readonly directory: string }
    | {
        readonly kind: 's3';
        readonly bucket: string;
        readonly region: string;
        readonly endpoint: string | undefined;
        readonly forcePathStyle: boolean;
        readonly accessKeyId: string | undefined;
        readonly secretAccessKey: string | undefined;
        readonly keyPrefix: string;
      };
  readonly ingestion: {
    readonly workerConcurrency: number;
    readonly workerBatchSize: number;
    readonly workerPollingSeconds: number;
    readonly jobRetries: number;
    readonly jobRetryDelaySeconds: number;
    readonly jobTimeoutSeconds: number;
    readonly jobMaintenanceSeconds: number;
    readonly jobHeartbeatSeconds: number;
    readonly communityDebounceSeconds: number;
    readonly chunkTokens: number;
    readonly chunkOverlapTokens: number;
    readonly maxUncompressedBytes: number;
    readonly maxDocumentCharacters: number;
    /** Per-document limits of the parser threads; beyond them a document is `document_too_complex`. */
    readonly parseTimeoutSeconds: number;
    readonly parseMemoryMb: number;
    readonly extraction: 'offline' | 'llm';
  };
  readonly chat:
    | { readonly provider: 'none' }
    | {
        readonly provider: 'openai';
        readonly baseUrl: string;
        readonly apiKey: string | undefined;
        readonly model: string;
        readonly maxConcurrency: number;
      };
  readonly logLevel: NonNullable<Settings['LOG_LEVEL']>;
  readonly bootstrapAdminKey: string | undefined;
  readonly embedding: {
    readonly provider: Settings['EMBEDDING_PROVIDER'];
    readonly model: string;
    readonly dimensions: number;
    readonly baseUrl: string | undefined;
    readonly apiKey: string | undefined;
    readonly maxBatchSize: number;
    readonly maxConcurrency: number;
    readonly sendDimensions: boolean;
  };
  readonly rerank:
    | { readonly provider: 'none' }
    | {
        readonly provider: 'openai';
        readonly baseUrl: string;
        readonly apiKey: string | undefined;
        readonly model: string;
        readonly path: string;
      };
  /** In-process LRU size for search results; 0 disables the cache. */
  readonly searchCacheEntries: number;
  /**
   * How long a verified API key is trusted without reading it again; 0 checks every request
   * against the database. A key revoked through another instance stops working after at most this.
   */
  readonly apiKeyCacheSeconds: number;
  /** Shared search cache for several replicas; the in-process LRU is used without it. */
  readonly redisUrl: string | undefined;
  /** Per-attempt timeout and retries for every remote model call. */
  readonly modelTimeoutMs: number;
  /** The agent's default budgets per request (tenants may lower them) and its provider circuit breaker. */
  readonly agent: {
    readonly maxSteps: number;
    readonly maxTokens: number;
    readonly timeoutMs: number;
    readonly breakerFailures: number;
    readonly breakerResetMs: number;
    /** Questions and tokens per tenant per sliding hour; 0 is unlimited. */
    readonly questionsPerHour: number;
    readonly tokensPerHour: number;
  };
  readonly modelMaxRetries: number;
  /** Trace export: none without an OTLP endpoint; sampleRatio is the share of traces kept. */
  readonly telemetry: {
    readonly otlpEndpoint: string | undefined;
    readonly serviceName: string;
    readonly sampleRatio: number;
  };
}

type Environment = Readonly<Record<string, string | undefined>>;

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`RHIZOME_CONFIG: cannot read ${path}: ${(error as Error).message}`, [
      'RHIZOME_CONFIG',
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`RHIZOME_CONFIG: ${path} is not valid JSON: ${(error as Error).message}`, [
      'RHIZOME_CONFIG',
    ]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`RHIZOME_CONFIG: ${path} must hold a JSON object of settings`, ['RHIZOME_CONFIG']);
  }
  // File values may be numbers or booleans; the schema reads strings like the environment.
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : String(value)]),
  );
}

function withoutEmptyValues(environment: Environment): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = environment[key];
    if (value !== undefined && value !== '') {
      result[key] = value;
    }
  }
  return result;
}

function resolveProfile(settings: Settings, environment: Environment): Profile {
  if (settings.RHIZOME_PROFILE) return settings.RHIZOME_PROFILE;
  if (environment.NODE_ENV === 'production') return 'production';
  if (environment.NODE_ENV === 'test' || environment.VITEST) return 'test';
  return 'development';
}

const defaultLogLevel: Record<Profile, NonNullable<Settings['LOG_LEVEL']>> = {
  development: 'info',
  test: 'silent',
  production: 'info',
};

/** Reads and validates every setting; throws ConfigError naming each offending key. */
export function loadConfig(environment: Environment = process.env): Config {
  const unknownFileKeys: string[] = [];
  let fileSettings: Record<string, unknown> = {};
  const configPath = environment.RHIZOME_CONFIG;
  if (configPath) {
    fileSettings = readConfigFile(configPath);
    for (const key of Object.keys(fileSettings)) {
      if (!(key in settingsSchema.shape)) unknownFileKeys.push(key);
    }
  }
  if (unknownFileKeys.length > 0) {
    throw new ConfigError(
      `Unknown setting(s) in ${configPath}: ${unknownFileKeys.join(', ')}`,
      unknownFileKeys,
    );
  }

  const result = settingsSchema.safeParse({ ...fileSettings, ...withoutEmptyValues(environment) });
  if (!result.success) {
    const keys = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? 'unknown')))];
    const lines = result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`, keys);
  }
  const settings = result.data;
  const profile = resolveProfile(settings, environment);

  if (settings.DATABASE_READ_URL && !settings.DATABASE_URL) {
    throw new ConfigError('DATABASE_READ_URL is set but DATABASE_URL is not: replicas need a primary', [
      'DATABASE_READ_URL',
    ]);
  }
  if (settings.RHIZOME_STORAGE === 's3' && !settings.S3_BUCKET) {
    throw new ConfigError('S3_BUCKET is required when RHIZOME_STORAGE=s3', ['S3_BUCKET']);
  }
  if (settings.CHAT_PROVIDER === 'openai' && !settings.CHAT_BASE_URL) {
    throw new ConfigError('CHAT_BASE_URL is required when CHAT_PROVIDER=openai', ['CHAT_BASE_URL']);
  }
  if (settings.RHIZOME_EXTRACTION === 'llm' && settings.CHAT_PROVIDER === 'none') {
    throw new ConfigError('RHIZOME_EXTRACTION=llm needs a chat model (CHAT_PROVIDER)', ['RHIZOME_EXTRACTION']);
  }
  if (settings.RHIZOME_CHUNK_OVERLAP_TOKENS * 2 > settings.RHIZOME_CHUNK_TOKENS) {
    throw new ConfigError('RHIZOME_CHUNK_OVERLAP_TOKENS must be at most half of RHIZOME_CHUNK_TOKENS', [
      'RHIZOME_CHUNK_OVERLAP_TOKENS',
    ]);
  }
  if (settings.RERANK_PROVIDER === 'openai' && !settings.RERANK_BASE_URL) {
    throw new ConfigError('RERANK_BASE_URL is required when RERANK_PROVIDER=openai', ['RERANK_BASE_URL']);
  }
  if (settings.EMBEDDING_PROVIDER === 'openai' && !settings.EMBEDDING_BASE_URL) {
    throw new ConfigError('EMBEDDING_BASE_URL is required when EMBEDDING_PROVIDER=openai', [
      'EMBEDDING_BASE_URL',
    ]);
  }

  return {
    profile,
    dataDirectory: settings.RHIZOME_DATA_DIR,
    database: settings.DATABASE_URL
      ? {
          driver: 'postgres',
          url: settings.DATABASE_URL,
          readUrl: settings.DATABASE_READ_URL,
          poolMax: settings.DATABASE_POOL_MAX,
          connectTimeoutMs: settings.DATABASE_CONNECT_TIMEOUT_MS,
        }
      : { driver: 'pglite', dataDirectory: `${settings.RHIZOME_DATA_DIR.replace(/\/+$/, '')}/database` },
    statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS,
    migrateOnStart: settings.RHIZOME_MIGRATE_ON_START,
    server: {
      // Containers must listen on every interface; a laptop should not expose itself by default.
      host: settings.RHIZOME_HOST ?? (profile === 'production' ? '0.0.0.0' : '127.0.0.1'),
      port: settings.RHIZOME_PORT,
      trustProxy: settings.RHIZOME_TRUST_PROXY,
      shutdownTimeoutMs: settings.RHIZOME_SHUTDOWN_TIMEOUT_MS,
      maxUploadBytes: settings.RHIZOME_MAX_UPLOAD_BYTES,
      rateLimits: {
        perKeyPerMinute: settings.RHIZOME_RATE_LIMIT_PER_KEY ?? (profile === 'test' ? 0 : 1_200),
        perTenantPerMinute: settings.RHIZOME_RATE_LIMIT_PER_TENANT ?? (profile === 'test' ? 0 : 6_000),
        authenticationFailuresPerMinute: settings.RHIZOME_AUTH_FAILURES_PER_MINUTE ?? (profile === 'test' ? 0 : 30),
      },
      metricsToken: settings.RHIZOME_METRICS_TOKEN,
      webDirectory: settings.RHIZOME_WEB_DIR,
      corsOrigins: settings.RHIZOME_CORS_ORIGINS,
    },
    storage:
      settings.RHIZOME_STORAGE === 's3'
        ? {
            kind: 's3',
            bucket: settings.S3_BUCKET!,
            region: settings.S3_REGION,
            endpoint: settings.S3_ENDPOINT,
            forcePathStyle: settings.S3_FORCE_PATH_STYLE,
            accessKeyId: settings.S3_ACCESS_KEY_ID,
            secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
            keyPrefix: settings.S3_PREFIX,
          }
        : { kind: 'local', directory: `${settings.RHIZOME_DATA_DIR.replace(/\/+$/, '')}/objects` },
    ingestion: {
      workerConcurrency: settings.RHIZOME_WORKER_CONCURRENCY,
      workerBatchSize: settings.RHIZOME_WORKER_BATCH_SIZE,
      workerPollingSeconds: settings.RHIZOME_WORKER_POLLING_SECONDS ?? (profile === 'test' ? 0.5 : 2),
      jobRetries: settings.RHIZOME_JOB_RETRIES,
      jobRetryDelaySeconds: settings.RHIZOME_JOB_RETRY_DELAY_SECONDS,
      jobTimeoutSeconds: settings.RHIZOME_JOB_TIMEOUT_SECONDS,
      jobMaintenanceSeconds: settings.RHIZOME_JOB_MAINTENANCE_SECONDS,
      jobHeartbeatSeconds: settings.RHIZOME_JOB_HEARTBEAT_SECONDS,
      communityDebounceSeconds: settings.RHIZOME_COMMUNITY_DEBOUNCE_SECONDS,
      chunkTokens: settings.RHIZOME_CHUNK_TOKENS,
      chunkOverlapTokens: settings.RHIZOME_CHUNK_OVERLAP_TOKENS,
      maxUncompressedBytes: settings.RHIZOME_MAX_UNCOMPRESSED_BYTES,
      maxDocumentCharacters: settings.RHIZOME_MAX_DOCUMENT_CHARACTERS,
      parseTimeoutSeconds: settings.RHIZOME_PARSE_TIMEOUT_SECONDS,
      parseMemoryMb: settings.RHIZOME_PARSE_MEMORY_MB,
      extraction:
        settings.RHIZOME_EXTRACTION === 'auto'
          ? settings.CHAT_PROVIDER === 'none'
            ? 'offline'
            : 'llm'
          : settings.RHIZOME_EXTRACTION,
    },
    chat:
      settings.CHAT_PROVIDER === 'openai'
        ? {
            provider: 'openai',
            baseUrl: settings.CHAT_BASE_URL!,
            apiKey: settings.CHAT_API_KEY,
            model: settings.CHAT_MODEL,
            maxConcurrency: settings.CHAT_MAX_CONCURRENCY,
          }
        : { provider: 'none' },
    rerank:
      settings.RERANK_PROVIDER === 'openai'
        ? {
            provider: 'openai',
            baseUrl: settings.RERANK_BASE_URL!,
            apiKey: settings.RERANK_API_KEY,
            model: settings.RERANK_MODEL,
            path: settings.RERANK_PATH,
          }
        : { provider: 'none' },
    searchCacheEntries: settings.RHIZOME_SEARCH_CACHE_ENTRIES,
    apiKeyCacheSeconds: settings.RHIZOME_API_KEY_CACHE_SECONDS,
    redisUrl: settings.REDIS_URL,
    modelTimeoutMs: settings.MODEL_TIMEOUT_MS,
    agent: {
      maxSteps: settings.RHIZOME_AGENT_MAX_STEPS,
      maxTokens: settings.RHIZOME_AGENT_MAX_TOKENS,
      timeoutMs: settings.RHIZOME_AGENT_TIMEOUT_MS,
      breakerFailures: settings.RHIZOME_BREAKER_FAILURES,
      breakerResetMs: settings.RHIZOME_BREAKER_RESET_MS,
      questionsPerHour: settings.RHIZOME_AGENT_QUESTIONS_PER_HOUR,
      tokensPerHour: settings.RHIZOME_AGENT_TOKENS_PER_HOUR,
    },
    modelMaxRetries: settings.MODEL_MAX_RETRIES,
    telemetry: {
      otlpEndpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: settings.OTEL_SERVICE_NAME,
      sampleRatio: settings.OTEL_TRACES_SAMPLER_ARG,
    },
    logLevel: settings.LOG_LEVEL ?? defaultLogLevel[profile],
    bootstrapAdminKey: settings.RHIZOME_BOOTSTRAP_ADMIN_KEY,
    embedding: {
      provider: settings.EMBEDDING_PROVIDER,
      model:
        settings.EMBEDDING_MODEL ??
        (settings.EMBEDDING_PROVIDER === 'offline' ? 'rhizome-hashed-v1' : 'text-embedding-3-small'),
      dimensions: settings.EMBEDDING_DIMENSIONS,
      baseUrl: settings.EMBEDDING_BASE_URL,
      apiKey: settings.EMBEDDING_API_KEY,
      maxBatchSize: settings.EMBEDDING_MAX_BATCH_SIZE,
      maxConcurrency: settings.EMBEDDING_MAX_CONCURRENCY,
      sendDimensions: settings.EMBEDDING_SEND_DIMENSIONS,
    },
  };
}
