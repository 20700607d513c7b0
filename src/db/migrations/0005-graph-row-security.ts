import type { Migration } from './migration.js';

/**
 * Row-level security on every existing tenant graph (new tenants get it at creation, see
 * `secureTenantGraph`): each table in a tenant's graph schema admits rows only while
 * `app.tenant_id` is that tenant. Before this, the application role could read any tenant's graph
 * by naming its schema.
 */
export const graphRowSecurityMigration: Migration = {
  id: 5,
  name: 'graph-row-security',
  sql: () => `
DO $secure$
DECLARE
  tenant record;
  label_table record;
BEGIN
  FOR tenant IN SELECT id, graph_name FROM tenants LOOP
    FOR label_table IN
      SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = tenant.graph_name AND c.relkind IN ('r', 'p')
    LOOP
      EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', tenant.graph_name, label_table.relname);
      EXECUTE format('DROP POLICY IF EXISTS tenant_graph_isolation ON %I.%I', tenant.graph_name, label_table.relname);
      EXECUTE format(
        'CREATE POLICY tenant_graph_isolation ON %I.%I
           USING (NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid = %L::uuid)
           WITH CHECK (NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid = %L::uuid)',
        tenant.graph_name, label_table.relname, tenant.id, tenant.id);
    END LOOP;
  END LOOP;
END
$secure$;
`,
};
