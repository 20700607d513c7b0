import pg from 'pg';
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
  constructor(
    private readonly client: Client,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async query<Row>(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Row>> {
    // A cancelled transaction starts no further statement (the only cancellation PGlite allows).
    this.signal?.throwIfAborted();
    try {
      return adaptResult<Row>(await this.client.query(sql, parameters as unknown[] | undefined));
    } catch (error) {
      if (this.signal?.aborted) throw this.signal.reason;
      throw translateConnectionError(error);
    }
  }
}

/** The server process behind a node-postgres client (from the connection's BackendKeyData; absent on PGlite). */
function backendProcessId(client: Client): number | undefined {
  const processId = (client as unknown as { processID?: unknown }).processID;
  return typeof processId === 'number' && processId > 0 ? processId : undefined;
}

export interface PoolDatabaseOptions {
  readonly driver: DriverName;
  readonly primary: pg.Pool;
  /** Optional replica pool for read-only transactions. */
  readonly replica?: pg.Pool;
  /** Called after both pools have ended, e.g. to close the embedded engine. */
  readonly onClose?: () => Promise<void>;
  /** Told when cancelling a statement on the server failed (the statement then runs to its end). */
  readonly onCancelFailure?: (error: unknown) => void;
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
  private readonly onCancelFailure: ((error: unknown) => void) | undefined;
  private closed = false;

  constructor(options: PoolDatabaseOptions) {
    this.driver = options.driver;
    this.primary = options.primary;
    this.replica = options.replica;
    this.onClose = options.onClose;
    this.onCancelFailure = options.onCancelFailure;
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
    const { signal } = options;
    signal?.throwIfAborted();
    const pool = options.readOnly && this.replica ? this.replica : this.primary;
    let client: Client;
    try {
      client = await pool.connect();
    } catch (error) {
      throw translateAcquireError(error, pool);
    }
    let broken = false;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      cancelling = this.cancelBackend(pool, client);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      const result = await work(new ClientQueryable(client, signal));
      signal?.throwIfAborted();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // Let a cancel in flight land first, so that it cannot interrupt the rollback.
      if (cancelling) await cancelling;
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection itself failed; it must not go back to the pool.
        broken = true;
      }
      if (signal?.aborted) throw signal.reason;
      throw translateConnectionError(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A cancel still on its way must land before the connection serves anyone else: it would
      // cancel their statement instead.
      if (cancelling) await cancelling;
      client.release(broken);
    }
  }

  /**
   * Cancels the statement the client's server process is running, from another connection
   * (`pg_cancel_backend`: the same login role may cancel its own sessions). A separate client, not
   * one of the pool's: the pool may be exhausted, and cancelling must not wait for a slot.
   * PGlite has no server process to signal; its transactions stop between statements.
   */
  private async cancelBackend(pool: pg.Pool, client: Client): Promise<void> {
    const processId = this.driver === 'postgres' ? backendProcessId(client) : undefined;
    if (processId === undefined) return;
    const canceller = new pg.Client(pool.options as pg.ClientConfig);
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [processId]);
    } catch (error) {
      this.onCancelFailure?.(error);
    } finally {
      await canceller.end().catch(() => undefined);
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
