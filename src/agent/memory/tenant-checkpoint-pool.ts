import type { Database, Queryable, QueryResult } from '../../core/database.js';
import { withTenant } from '../../db/tenant-scope.js';

/**
 * The slice of `pg.Pool` that LangGraph's `PostgresSaver` uses (`query`, `connect` → client with
 * `query`/`release`, `end`), over our database port and bound to one tenant.
 *
 * Every statement runs inside `withTenant`, so the saver's rows are read and written under
 * row-level security as the application role: the saver never names a tenant and cannot see
 * another tenant's checkpoints. A client's `BEGIN` … `COMMIT` becomes one tenant transaction
 * (the statements between run on it; `ROLLBACK` or an unreleased client rolls it back).
 */
export class TenantCheckpointPool {
  constructor(
    private readonly database: Database,
    private readonly tenantId: string,
  ) {}

  query(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>> {
    return withTenant(this.database, this.tenantId, (transaction) => transaction.query(sql, parameters));
  }

  async connect(): Promise<TenantCheckpointClient> {
    return new TenantCheckpointClient(this.database, this.tenantId);
  }

  /** The database belongs to whoever opened it; the saver's `end()` must not close it. */
  async end(): Promise<void> {}
}

class RollbackRequested extends Error {}

interface OpenTransaction {
  readonly transaction: Queryable;
  finish(outcome: 'commit' | 'rollback'): Promise<void>;
}

export class TenantCheckpointClient {
  private open: OpenTransaction | undefined;

  constructor(
    private readonly database: Database,
    private readonly tenantId: string,
  ) {}

  async query(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>> {
    const statement = sql.trim().toUpperCase();
    if (statement === 'BEGIN') {
      this.open = await this.begin();
      return { rows: [], rowCount: 0 };
    }
    if (statement === 'COMMIT' || statement === 'ROLLBACK') {
      const open = this.open;
      this.open = undefined;
      await open?.finish(statement === 'COMMIT' ? 'commit' : 'rollback');
      return { rows: [], rowCount: 0 };
    }
    if (this.open) return this.open.transaction.query(sql, parameters);
    return withTenant(this.database, this.tenantId, (transaction) => transaction.query(sql, parameters));
  }

  release(): void {
    const open = this.open;
    this.open = undefined;
    // A client released mid-transaction (the saver always commits or rolls back first) rolls back.
    open?.finish('rollback').catch(() => undefined);
  }

  /** Holds one tenant transaction open until `finish` says how it ends. */
  private async begin(): Promise<OpenTransaction> {
    let decide!: (outcome: 'commit' | 'rollback') => void;
    const decision = new Promise<'commit' | 'rollback'>((resolve) => {
      decide = resolve;
    });
    let ready!: (transaction: Queryable) => void;
    let failed!: (error: unknown) => void;
    const opened = new Promise<Queryable>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const completion = withTenant(this.database, this.tenantId, async (transaction) => {
      ready(transaction);
      if ((await decision) === 'rollback') throw new RollbackRequested('rolled back');
    }).catch((error: unknown) => {
      if (error instanceof RollbackRequested) return;
      failed(error);
      throw error;
    });
    void completion.catch(() => undefined);
    const transaction = await opened;
    return {
      transaction,
      finish: async (outcome) => {
        decide(outcome);
        await completion;
      },
    };
  }
}
