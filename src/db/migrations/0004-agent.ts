import { applicationRole, tenantPolicy, type Migration } from './migration.js';

/** The tenant a row belongs to, taken from the transaction's tenant (see withTenant). */
const currentTenant = "NULLIF(current_setting('app.tenant_id', true), '')::uuid";

/** tenantPolicy for a table of the checkpoint schema (a policy's own name takes no schema). */
function checkpointPolicy(table: string): string {
  return `
ALTER TABLE agent_checkpoints.${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_tenant_isolation ON agent_checkpoints.${table}
  USING (tenant_id = ${currentTenant})
  WITH CHECK (tenant_id = ${currentTenant});`;
}

/**
 * The agent: conversation threads, runs with their traces, per-tenant agent settings, and
 * LangGraph's checkpoint tables.
 *
 * The checkpoint tables are those of `@langchain/langgraph-checkpoint-postgres` (its migrations 0–4,
 * recorded in its own `checkpoint_migrations` table so its `setup()` finds nothing to do), in their
 * own schema, with one addition: a `tenant_id` column filled from the transaction's tenant and
 * guarded by row-level security like every tenant table. The saver itself never names a tenant;
 * it runs through a tenant-scoped pool (src/agent/memory/tenant-checkpoint-pool.ts), so
 * PostgreSQL — not the saver — decides which threads exist for it.
 */
export const agentMigration: Migration = {
  id: 4,
  name: 'agent',
  sql: () => `
CREATE TABLE agent_threads (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE DEFAULT ${currentTenant},
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE INDEX agent_threads_tenant_updated ON agent_threads (tenant_id, updated_at DESC);
${tenantPolicy('agent_threads')}

CREATE TABLE agent_runs (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE DEFAULT ${currentTenant},
  thread_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  question text NOT NULL,
  mode text NOT NULL,
  model text,
  answer jsonb,
  error jsonb,
  -- Steps, tool calls, passages, entities and edges used, model and latency per step.
  trace jsonb NOT NULL DEFAULT '[]',
  took_ms double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  FOREIGN KEY (tenant_id, thread_id) REFERENCES agent_threads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_runs_thread ON agent_runs (tenant_id, thread_id, created_at);
${tenantPolicy('agent_runs')}

CREATE TABLE agent_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE DEFAULT ${currentTenant},
  settings jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
${tenantPolicy('agent_settings')}

CREATE SCHEMA agent_checkpoints;
CREATE TABLE agent_checkpoints.checkpoint_migrations (v integer PRIMARY KEY);
INSERT INTO agent_checkpoints.checkpoint_migrations (v) VALUES (0), (1), (2), (3), (4);
CREATE TABLE agent_checkpoints.checkpoints (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE DEFAULT ${currentTenant},
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL DEFAULT '',
  checkpoint_id text NOT NULL,
  parent_checkpoint_id text,
  type text,
  checkpoint jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE agent_checkpoints.checkpoint_blobs (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE DEFAULT ${currentTenant},
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL DEFAULT '',
  channel text NOT NULL,
  version text NOT NULL,
  type text NOT NULL,
  blob bytea,
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);
CREATE TABLE agent_checkpoints.checkpoint_writes (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE DEFAULT ${currentTenant},
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL DEFAULT '',
  checkpoint_id text NOT NULL,
  task_id text NOT NULL,
  idx integer NOT NULL,
  channel text NOT NULL,
  type text,
  blob bytea NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
${checkpointPolicy('checkpoints')}
${checkpointPolicy('checkpoint_blobs')}
${checkpointPolicy('checkpoint_writes')}

GRANT SELECT, INSERT, UPDATE, DELETE ON agent_threads, agent_runs, agent_settings TO ${applicationRole};
GRANT USAGE ON SCHEMA agent_checkpoints TO ${applicationRole};
GRANT SELECT ON agent_checkpoints.checkpoint_migrations TO ${applicationRole};
GRANT SELECT, INSERT, UPDATE, DELETE
  ON agent_checkpoints.checkpoints, agent_checkpoints.checkpoint_blobs, agent_checkpoints.checkpoint_writes
  TO ${applicationRole};
`,
};
