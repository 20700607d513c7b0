import type { Queryable } from '../../core/database.js';
import { assertTenantId } from '../../core/tenant-id.js';
import { assertGraphName, graphNameForTenant } from './graph-identifiers.js';

/** The policy every table of a tenant's graph carries (see `secureTenantGraph`). */
export const graphPolicyName = 'tenant_graph_isolation';

/**
 * Row-level security on a tenant's graph. AGE keeps a graph in its own schema of label tables with
 * no tenant column, and the application role must be granted them all; without a policy, a query
 * in tenant A's scope could read tenant B's graph by naming B's schema. Each table of the schema
 * gets a policy admitting rows only while `app.tenant_id` is the graph's tenant — the same setting
 * that scopes every other tenant table — so the database, not the graph name, enforces isolation.
 * Idempotent; covers every table of the schema, labels added later included when called again.
 * Call as the schema owner.
 */
export async function secureTenantGraph(queryable: Queryable, tenantId: string): Promise<void> {
  assertTenantId(tenantId);
  const graph = graphNameForTenant(tenantId);
  assertGraphName(graph);
  // Identifiers and the tenant literal come from the validated tenant id only, never from input.
  await queryable.query(`
    DO $secure$
    DECLARE label_table record;
    BEGIN
      FOR label_table IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '${graph}' AND c.relkind IN ('r', 'p')
      LOOP
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', '${graph}', label_table.relname);
        EXECUTE format('DROP POLICY IF EXISTS ${graphPolicyName} ON %I.%I', '${graph}', label_table.relname);
        EXECUTE format(
          'CREATE POLICY ${graphPolicyName} ON %I.%I
             USING (NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid = %L::uuid)
             WITH CHECK (NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid = %L::uuid)',
          '${graph}', label_table.relname, '${tenantId}', '${tenantId}');
      END LOOP;
    END
    $secure$`);
}
