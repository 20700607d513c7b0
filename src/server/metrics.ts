import { createHash, timingSafeEqual } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError } from '../core/errors.js';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../core/database.js';
import { telemetryRegistry } from '../core/telemetry.js';
import { ingestionQueueName } from '../jobs/ingestion-queue.js';

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

  new Gauge({
    name: 'rhizome_ingestion_queue_depth',
    help: 'Ingestion jobs waiting (queued, retry) or running (active), read from the job table at scrape time',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const state of ['created', 'retry', 'active']) this.set({ state: state === 'created' ? 'queued' : state }, 0);
      try {
        const result = await database.query<{ state: string; jobs: number }>(
          `SELECT state::text AS state, count(*)::int AS jobs FROM pgboss.job
           WHERE name = $1 AND state IN ('created', 'retry', 'active') GROUP BY state`,
          [ingestionQueueName],
        );
        for (const row of result.rows) this.set({ state: row.state === 'created' ? 'queued' : row.state }, row.jobs);
      } catch {
        // No queue yet (the worker never started on this database) or the database is away:
        // /readyz reports the latter; the metric stays at zero.
      }
    },
  });

  // A server span per request, continuing the caller's trace (W3C traceparent) and active for the
  // handler, so database, retrieval and model spans nest under it and logs carry its trace id.
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const span = trace.getTracer('rhizome.http').startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': request.routeOptions.url ?? 'unmatched',
          'url.path': request.url.split('?')[0] ?? '/',
        },
      },
      parent,
    );
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  });

  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    // The route pattern, not the URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    requestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // This server's metrics and the process's domain metrics (retrieval, ingestion, models).
  const served = Registry.merge([registry, telemetryRegistry]);
  app.get('/metrics', { config: { public: true } }, async (request, reply) => {
    // Public on a private port by default; with a token set, scrapers must present it.
    if (metricsToken !== undefined && !bearerMatches(request.headers.authorization, metricsToken)) {
      throw new AuthenticationError('invalid_credentials', 'The metrics endpoint needs Authorization: Bearer <RHIZOME_METRICS_TOKEN>');
    }
    reply.header('content-type', served.contentType);
    return served.metrics();
  });
  return registry;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  const expected = createHash('sha256').update(token).digest();
  // Hash both sides: equal lengths for the constant-time comparison, whatever was sent.
  return timingSafeEqual(createHash('sha256').update(presented).digest(), expected);
}
