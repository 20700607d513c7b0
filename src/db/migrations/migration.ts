export interface MigrationContext {
  /** Dimension of the configured embedding model; sizes vector columns and their indexes. */
  readonly embeddingDimensions: number;
  readonly embeddingModel: string;
}

export interface Migration {
  /** Applied in ascending order; never renumber or edit one that has shipped. */
  readonly id: number;
  readonly name: string;
  sql(context: MigrationContext): string;
}

/** The role application queries run as. Not a superuser and not the tables' owner, so RLS binds it. */
export const applicationRole = 'rhizome_app';

/** Row-level security for a table with a tenant_id column: rows of the current tenant only. */
export function tenantPolicy(table: string, column = 'tenant_id'): string {
  return `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_tenant_isolation ON ${table}
  USING (${column} = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (${column} = NULLIF(current_setting('app.tenant_id', true), '')::uuid);`;
}
