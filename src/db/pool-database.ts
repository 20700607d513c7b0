import type pg from 'pg';
import type {
  Database,
  DriverName,
  PoolStatistics,
  QueryResult,
  Queryable,
  TransactionOptions,
} from '../core/database.js';
import { OverloadedError } from '../core/errors.js';
import { translateConnectionError } from './connection-errors.js';

type Client = pg.PoolClient;

/**
 * Text with several statements and no parameters (pg-boss's maintenance runs such) yields one
 * result per statement from node-postgres: their rows are concatenated, as pg-boss's own adapter does.
 */
function adaptResult<Row>(result: pg.QueryResult | pg.QueryResult[]): QueryResult<Row> {
  if (Array.isArray(result)) {
    return {
      rows: result.flatMap((part) => (part.rows ?? []) as Row[]),
      rowCount: result.reduce((sum, part) => sum + (part.rowCount ?? 0), 0),
    };
  }
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}

/**
 * A connection that could not be had because every one of the pool's connections is checked out
 * is saturation, not an outage: the same acquire timeout reports both, so the pool's state decides.
 */
function translateAcquireError(error: unknown, pool: pg.Pool): unknown {
  const saturated = pool.totalCount >= (pool.options.max ?? 10) && pool.idleCount === 0;
  if (saturated && error instanceof Error && error.message.includes('timeout exceeded when trying to connect')) {
    return new OverloadedError('Every database connection of this instance is busy; retry shortly', { cause: error });
  }
  return translateConnectionError(error);
}

function statistics(pool: pg.Pool): PoolStatistics {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

class ClientQueryable implements Queryable {
  constructor(private readonly client: Client) {}

  async query<Row>(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Row>> {
    try {
      return adaptResult<Row>(await this.client.query(sql, parameters as unknown[] | undefined));
    } catch (error) {
      throw translateConnectionError(error);
    }
  }
}

export interface PoolDatabaseOptions {
  readonly driver: DriverName;
  readonly primary: pg.Pool;
  /** Optional replica pool for read-only transactions. */
  readonly replica?: pg.Pool;
  /** Called after both pools have ended, e.g. to close the embedded engine. */
  readonly onClose?: () => Promise<void>;
}

/**
 * The Database port over node-postgres pools. Both drivers use it: the server driver with real
 * pools, the embedded driver with PGlite's node-postgres adapter (a pool of one in-process
 * connection, which also serialises transactions as PGlite requires).
 */
export class PoolDatabase implements Database {
  readonly driver: DriverName;
  private readonly primary: pg.Pool;
  private readonly replica: pg.Pool | undefined;
  private readonly onClose: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(options: PoolDatabaseOptions) {
    this.driver = options.driver;
    this.primary = options.primary;
    this.replica = options.replica;
    this.onClose = options.onClose;
    for (const pool of [options.primary, options.replica]) {
      // A connection can fail while checked out and between queries (the server restarting, a
      // protocol error); without a listener Node treats that 'error' event as fatal. The failure
      // still reaches whoever uses the connection next, through its query.
      pool?.on('connect', (client) => client.on('error', () => undefined));
    }
  }

  async query<Row = Record<string, unknown>>(
    sql: string,
    parameters?: readonly unknown[],
  ): Promise<QueryResult<Row>> {
    try {
      return adaptResult<Row>(await this.primary.query(sql, parameters as unknown[] | undefined));
    } catch (error) {
      throw translateAcquireError(error, this.primary);
    }
  }

  async transaction<T>(work: (transaction: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const pool = options.readOnly && this.replica ? this.replica : this.primary;
    let client: Client;
    try {
      client = await pool.connect();
    } catch (error) {
      throw translateAcquireError(error, pool);
    }
    let broken = false;
    try {
      await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      const result = await work(new ClientQueryable(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection itself failed; it must not go back to the pool.
        broken = true;
      }
      throw translateConnectionError(error);
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  poolStatistics(): { primary: PoolStatistics; replica?: PoolStatistics } {
    return this.replica
      ? { primary: statistics(this.primary), replica: statistics(this.replica) }
      : { primary: statistics(this.primary) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.primary.end(), this.replica?.end()]);
    await this.onClose?.();
  }
}
