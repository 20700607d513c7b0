import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../core/database.js';
import { integerTypes } from './integer-types.js';
import { PoolDatabase } from './pool-database.js';

export interface PostgresDriverOptions {
  readonly url: string;
  readonly readUrl?: string | undefined;
  readonly poolMax: number;
  readonly connectTimeoutMs: number;
  readonly applicationName?: string;
  readonly logger: Logger;
}

function createPool(url: string, options: PostgresDriverOptions, purpose: 'primary' | 'replica'): pg.Pool {
  let warnedAboutAge = false;
  const configuration: pg.PoolConfig & { onConnect: (client: pg.PoolClient) => Promise<void> } = {
    connectionString: url,
    max: options.poolMax,
    // Fail fast when the server is gone, so requests answer 503 instead of hanging.
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'rhizome',
    keepAlive: true,
    types: integerTypes,
    // AGE needs its library loaded in each session unless the server preloads it
    // (shared_preload_libraries or session_preload_libraries); LOAD is a no-op when preloaded.
    // Runs before the connection is handed out, so no query can overtake it.
    onConnect: async (client) => {
      try {
        await client.query("LOAD 'age'");
      } catch (error) {
        if (!warnedAboutAge) {
          warnedAboutAge = true;
          options.logger.warn(
            { err: error },
            "LOAD 'age' failed; preload AGE on the server (shared_preload_libraries) for graph features",
          );
        }
      }
    },
  };
  const pool = new pg.Pool(configuration);
  // An idle client losing its connection emits here; without a listener Node would crash.
  pool.on('error', (error) => options.logger.warn({ err: error, pool: purpose }, 'database connection lost'));
  return pool;
}

/** Server driver: a connection pool to PostgreSQL, and a second pool for read replicas. */
export function openPostgresDatabase(options: PostgresDriverOptions): Database {
  return new PoolDatabase({
    driver: 'postgres',
    primary: createPool(options.url, options, 'primary'),
    ...(options.readUrl ? { replica: createPool(options.readUrl, options, 'replica') } : {}),
    onCancelFailure: (error) => options.logger.warn({ err: error }, 'could not cancel a statement of an aborted transaction'),
  });
}
