import rateLimit from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { AuthenticationError, RateLimitedError } from '../core/errors.js';

export interface RateLimitOptions {
  /** Requests per minute per API key (unauthenticated requests: per address); 0 disables. */
  readonly perKeyPerMinute: number;
  /** Requests per minute across all keys of one tenant; 0 disables. */
  readonly perTenantPerMinute: number;
  /** Failed authentications per minute per client address before it is refused outright; 0 disables. */
  readonly authenticationFailuresPerMinute: number;
}

const windowMs = 60_000;

function isProbe(request: FastifyRequest): boolean {
  return request.routeOptions.config.public === true;
}

/**
 * Guessing keys: failed authentications are counted per client address, and an address past the
 * limit is refused before its key is even looked at. Register before authentication.
 */
export function registerAuthenticationThrottle(app: FastifyInstance, options: RateLimitOptions): void {
  if (options.authenticationFailuresPerMinute <= 0) return;
  const failures = new LRUCache<string, { count: number; resetAt: number }>({ max: 100_000 });
  app.addHook('onRequest', async (request, reply) => {
    if (isProbe(request)) return;
    const entry = failures.get(request.ip);
    if (entry && entry.resetAt > Date.now() && entry.count >= options.authenticationFailuresPerMinute) {
      const seconds = Math.max(1, Math.ceil((entry.resetAt - Date.now()) / 1000));
      reply.header('retry-after', String(seconds));
      throw new RateLimitedError(`Too many failed authentications from this address; retry in ${seconds} s`, seconds);
    }
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof AuthenticationError) || error.code !== 'invalid_credentials') return;
    const now = Date.now();
    const entry = failures.get(request.ip);
    if (!entry || entry.resetAt <= now) failures.set(request.ip, { count: 1, resetAt: now + windowMs });
    else entry.count += 1;
  });
}

export interface RateLimitStoreOptions {
  /** Counters in this Redis (shared by every replica) instead of in this process. */
  readonly redisUrl?: string | undefined;
  readonly logger: FastifyBaseLogger;
}

/** Redis keys of the counters: one namespace for every replica of every role. */
export const rateLimitNamespace = 'rhizome:rate-limit:';

/**
 * The counters' Redis connection (ioredis, the client @fastify/rate-limit's Redis store is built
 * for). It fails fast while Redis is unreachable instead of queueing commands, and the limiter then
 * lets requests through (`skipOnError`): losing the shared counters for a while must not take the
 * API down with it. The app closes the connection when it closes.
 */
function connectRateLimitRedis(app: FastifyInstance, url: string, logger: FastifyBaseLogger): Redis {
  const redis = new Redis(url, {
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let reported = false;
  redis.on('error', (error: unknown) => {
    if (!reported) logger.warn({ err: error }, 'rate-limit counters unavailable (Redis); requests are not limited until it is back');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.info('rate-limit counters available again (Redis)');
    reported = false;
  });
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  return redis;
}

/**
 * Per-key and per-tenant request budgets (@fastify/rate-limit), checked once the caller is known.
 * Probes and metrics are never limited. Counters live in Redis when `REDIS_URL` is configured (so
 * the budget holds across replicas), otherwise in this process.
 */
export async function registerRateLimits(app: FastifyInstance, options: RateLimitOptions, store: RateLimitStoreOptions): Promise<void> {
  if (options.perKeyPerMinute <= 0 && options.perTenantPerMinute <= 0) return;
  const redis = store.redisUrl ? connectRateLimitRedis(app, store.redisUrl, store.logger) : undefined;
  await app.register(rateLimit, { global: false, ...(redis ? { redis, nameSpace: rateLimitNamespace, skipOnError: true } : {}) });
  // One hook checks both budgets (the plugin's own hooks run at most one limiter per request).
  const limiters: { scope: string; check: ReturnType<FastifyInstance['createRateLimit']> }[] = [];
  if (options.perKeyPerMinute > 0) {
    limiters.push({
      scope: 'API key',
      check: app.createRateLimit({
        max: options.perKeyPerMinute,
        timeWindow: windowMs,
        keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `address:${request.ip}`),
      }),
    });
  }
  if (options.perTenantPerMinute > 0) {
    limiters.push({
      scope: 'tenant',
      check: app.createRateLimit({
        max: options.perTenantPerMinute,
        timeWindow: windowMs,
        keyGenerator: (request) => `tenant:${request.principal?.tenantId ?? ''}`,
        allowList: (request) => !request.principal?.tenantId,
      }),
    });
  }
  if (limiters.length === 0) return;
  app.addHook('preHandler', async (request) => {
    if (isProbe(request)) return;
    for (const limiter of limiters) {
      const result = await limiter.check(request);
      if (!result.isAllowed && result.isExceeded) {
        const seconds = Math.max(1, result.ttlInSeconds);
        throw new RateLimitedError(`Too many requests for this ${limiter.scope}; retry in ${seconds} s`, seconds);
      }
    }
  });
}
