/**
 * The database port. Two drivers implement it — embedded PGlite and a PostgreSQL server — and
 * the same SQL runs on both. It is deliberately small: everything above it speaks SQL.
 */
export interface QueryResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Row>>;
}

export interface TransactionOptions {
  /** Run as `BEGIN READ ONLY`; on the server driver this may go to a read replica. */
  readonly readOnly?: boolean;
  /**
   * Cancels the transaction: once aborted no further statement starts, a statement running on a
   * PostgreSQL server is cancelled there (PGlite runs a statement to its end: it is in-process and
   * cannot be interrupted), and the transaction rolls back and rejects with the signal's reason.
   */
  readonly signal?: AbortSignal | undefined;
}

export interface PoolStatistics {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export type DriverName = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly driver: DriverName;
  /**
   * Runs `work` inside one transaction on one connection; commits when it resolves and rolls
   * back when it throws. Keep the work short: parse, chunk and embed before calling this.
   */
  transaction<T>(work: (transaction: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Cheap round trip used by readiness checks. */
  ping(signal?: AbortSignal): Promise<void>;
  poolStatistics(): { readonly primary: PoolStatistics; readonly replica?: PoolStatistics };
  close(): Promise<void>;
}
