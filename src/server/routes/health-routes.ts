import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/database.js';
import { OverloadedError } from '../../core/errors.js';
import { currentMigrationId, latestMigrationId } from '../../db/migrate.js';

const readinessTimeoutMs = 2_000;

function withTimeout<T>(promise: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${milliseconds} ms`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Probes for orchestrators: /healthz says the process is up (liveness: never touches the
 * database, so a database outage does not get healthy pods restarted); /readyz says this instance
 * can serve (database reachable, schema up to date), so load balancers route around it otherwise.
 */
export function registerHealthRoutes(app: FastifyInstance, database: Database): void {
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true } }, async (request, reply) => {
    const expected = latestMigrationId();
    try {
      const current = await withTimeout(currentMigrationId(database), readinessTimeoutMs);
      if (current < expected) {
        return reply.status(503).send({
          status: 'unavailable',
          reason: 'migrations_pending',
          migrations: { current, expected },
        });
      }
      return { status: 'ready', database: database.driver, migrations: { current, expected } };
    } catch (error) {
      // Every connection busy (requests queue for one) says this instance is loaded, not that the
      // database is gone: stay in rotation; requests over the limit get 503 overloaded themselves.
      const pool = database.poolStatistics().primary;
      if (error instanceof OverloadedError || (pool.idle === 0 && pool.waiting > 0 && pool.total > 0)) {
        return { status: 'ready', database: database.driver, saturated: true, migrations: { expected } };
      }
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'unavailable', reason: 'database_unavailable' });
    }
  });
}
