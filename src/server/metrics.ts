import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AuthenticationError } from '../core/errors.js';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../core/database.js';

/**
 * Prometheus metrics for one server instance. A registry per instance (not prom-client's global
 * one) so several apps in one process — tests, `--role all` — never clash.
 */
export function registerMetrics(app: FastifyInstance, database: Database, metricsToken?: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  new Gauge({
    name: 'rhizome_database_pool_connections',
    help: 'Database pool connections by pool and state',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      const statistics = database.poolStatistics();
      for (const [pool, values] of Object.entries(statistics)) {
        if (!values) continue;
        this.set({ pool, state: 'total' }, values.total);
        this.set({ pool, state: 'idle' }, values.idle);
        this.set({ pool, state: 'waiting' }, values.waiting);
      }
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    requestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { config: { public: true } }, async (request, reply) => {
    // Public on a private port by default; with a token set, scrapers must present it.
    if (metricsToken !== undefined && !bearerMatches(request.headers.authorization, metricsToken)) {
      throw new AuthenticationError('invalid_credentials', 'The metrics endpoint needs Authorization: Bearer <RHIZOME_METRICS_TOKEN>');
    }
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  const expected = createHash('sha256').update(token).digest();
  // Hash both sides: equal lengths for the constant-time comparison, whatever was sent.
  return timingSafeEqual(createHash('sha256').update(presented).digest(), expected);
}
