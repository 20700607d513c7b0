import { applicationRole, tenantPolicy, type Migration } from './migration.js';

export const platformMigration: Migration = {
  id: 1,
  name: 'platform',
  sql: ({ embeddingDimensions, embeddingModel }) => {
    if (!Number.isInteger(embeddingDimensions) || embeddingDimensions < 1 || embeddingDimensions > 16_000) {
      throw new Error(`invalid embedding dimension ${embeddingDimensions}`);
    }
    return `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS age;

-- Roles are cluster-wide: another database on the same server may have created it already,
-- possibly at this very moment.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${applicationRole}') THEN
    CREATE ROLE ${applicationRole} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The migrating user must be able to SET ROLE to the application role (superusers always can).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, '${applicationRole}', 'MEMBER') THEN
    EXECUTE format('GRANT ${applicationRole} TO %I', current_user);
  END IF;
END $$;

CREATE TABLE rhizome_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rhizome_settings (key, value)
VALUES ('embedding', jsonb_build_object('model', ${quoteLiteral(embeddingModel)}, 'dimensions', ${embeddingDimensions}));

CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  graph_name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
${tenantPolicy('tenants', 'id')}

CREATE TABLE api_keys (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9]{12}$'),
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'owner', 'editor', 'reader')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  -- Platform admins belong to no tenant; every other key belongs to exactly one.
  CONSTRAINT api_keys_admin_has_no_tenant CHECK ((role = 'admin') = (tenant_id IS NULL))
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
${tenantPolicy('api_keys')}

CREATE TABLE collections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, id)
);
${tenantPolicy('collections')}

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- A plain foreign key (not a composite with tenant_id) keeps PostgreSQL 14 supported; the
  -- collection is looked up through RLS before it is referenced, so it is always the tenant's own.
  collection_id uuid REFERENCES collections (id) ON DELETE SET NULL,
  title text NOT NULL DEFAULT '',
  file_name text NOT NULL,
  media_type text,
  format text,
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  content_hash text NOT NULL,
  storage_key text,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'parsing', 'chunking', 'embedding', 'extracting', 'indexed', 'failed')),
  failed_stage text,
  error_code text,
  error_message text,
  page_count integer,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  indexed_at timestamptz,
  UNIQUE (tenant_id, content_hash),
  UNIQUE (tenant_id, id)
);
CREATE INDEX documents_tenant_created ON documents (tenant_id, created_at DESC);
${tenantPolicy('documents')}

CREATE TABLE chunks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  document_id uuid NOT NULL,
  chunk_index integer NOT NULL,
  text text NOT NULL,
  content text NOT NULL,
  section_path text[] NOT NULL DEFAULT '{}',
  pages integer[] NOT NULL DEFAULT '{}',
  start_offset integer NOT NULL,
  end_offset integer NOT NULL,
  token_count integer NOT NULL,
  embedding vector(${embeddingDimensions}),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (document_id, chunk_index),
  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX chunks_tenant_document ON chunks (tenant_id, document_id);
CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops);
${tenantPolicy('chunks')}

CREATE TABLE entities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  normalized_name text NOT NULL,
  type text NOT NULL DEFAULT 'other',
  description text NOT NULL DEFAULT '',
  mention_count integer NOT NULL DEFAULT 0,
  embedding vector(${embeddingDimensions}),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, normalized_name),
  UNIQUE (tenant_id, id)
);
CREATE INDEX entities_embedding_hnsw ON entities USING hnsw (embedding vector_cosine_ops);
${tenantPolicy('entities')}

CREATE TABLE entity_mentions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id bigint NOT NULL,
  chunk_id bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  document_id uuid NOT NULL,
  mention_count integer NOT NULL DEFAULT 1 CHECK (mention_count > 0),
  PRIMARY KEY (entity_id, chunk_id),
  FOREIGN KEY (tenant_id, entity_id) REFERENCES entities (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX entity_mentions_chunk ON entity_mentions (chunk_id);
CREATE INDEX entity_mentions_document ON entity_mentions (document_id);
${tenantPolicy('entity_mentions')}

GRANT USAGE ON SCHEMA public TO ${applicationRole};
GRANT SELECT ON tenants, api_keys TO ${applicationRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON collections, documents, chunks, entities, entity_mentions
  TO ${applicationRole};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${applicationRole};
`;
  },
};

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
