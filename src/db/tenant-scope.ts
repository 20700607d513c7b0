import type { Database, Queryable, TransactionOptions } from '../core/database.js';
import { applicationRole } from './migrations/migration.js';
import { assertTenantId } from '../core/tenant-id.js';
import { withSpan } from '../core/telemetry.js';

export interface TenantScopeOptions extends TransactionOptions {
  /** Per-transaction statement timeout in milliseconds; omitted leaves the server's default. */
  readonly statementTimeoutMs?: number;
  /**
   * More transaction-local settings (`SET LOCAL`), set in the same round trip as the tenant:
   * e.g. pgvector's `hnsw.ef_search` for a search. Names come from code, never from input; both
   * names and values still travel as parameters of set_config.
   */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * Runs `work` in a transaction bound to one tenant: `app.tenant_id` is set for this transaction
 * only, and the session switches to the non-superuser application role, so PostgreSQL's
 * row-level security — not the application's WHERE clauses — decides which rows exist.
 * Both settings are transaction-local (set_config(..., true) is SET LOCAL), so a pooled
 * connection never carries one tenant's identity into another's request.
 */
export async function withTenant<T>(
  database: Database,
  tenantId: string,
  work: (transaction: Queryable) => Promise<T>,
  options: TenantScopeOptions = {},
): Promise<T> {
  assertTenantId(tenantId);
  // One span per tenant transaction (PostgreSQL or PGlite): where a request's time goes in the database.
  return withSpan(
    'db.transaction',
    { 'db.system.name': 'postgresql', 'rhizome.tenant': tenantId, 'rhizome.db.read_only': options.readOnly ?? false },
    () => runInTenantScope(database, tenantId, work, options),
  );
}

function runInTenantScope<T>(
  database: Database,
  tenantId: string,
  work: (transaction: Queryable) => Promise<T>,
  options: TenantScopeOptions,
): Promise<T> {
  return database.transaction(async (transaction) => {
    // One round trip for every setting; the role name is a constant, never input.
    const parameters: string[] = [tenantId];
    const settings: string[] = [];
    const local = (name: string, value: string): void => {
      parameters.push(name, value);
      settings.push(`, set_config($${parameters.length - 1}, $${parameters.length}, true)`);
    };
    if (options.statementTimeoutMs !== undefined) local('statement_timeout', String(options.statementTimeoutMs));
    for (const [name, value] of Object.entries(options.settings ?? {})) local(name, value);
    await transaction.query(
      `SELECT set_config('app.tenant_id', $1, true), set_config('role', '${applicationRole}', true)${settings.join('')}`,
      parameters,
    );
    return work(transaction);
  }, options);
}
