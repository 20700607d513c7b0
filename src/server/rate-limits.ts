import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

/**
 * Per-key and per-tenant request budgets (@fastify/rate-limit), checked once the caller is known.
 * Probes and metrics are never limited. Counters live in this process.
 */
export async function registerRateLimits(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, { global: false });
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
