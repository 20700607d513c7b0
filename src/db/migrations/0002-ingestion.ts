import { applicationRole, tenantPolicy, type Migration } from './migration.js';

/**
 * Ingestion: document bookkeeping, the lexical index BM25 reads (postings with per-tenant term and
 * corpus statistics, kept exact on insert and delete), relations between entities with their
 * provenance, and the link from each entity to its vertex in the tenant's AGE graph.
 */
export const ingestionMigration: Migration = {
  id: 2,
  name: 'ingestion',
  sql: () => `
ALTER TABLE documents
  ADD COLUMN source_key text,
  ADD COLUMN language text,
  ADD COLUMN chunk_count integer NOT NULL DEFAULT 0,
  ADD COLUMN embedding_model text,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0;
-- A client-chosen key (a file path, a URL): uploading new bytes under the same key replaces the document.
CREATE UNIQUE INDEX documents_source_key ON documents (tenant_id, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX documents_tenant_status ON documents (tenant_id, status);
CREATE INDEX documents_collection ON documents (collection_id) WHERE collection_id IS NOT NULL;

-- The model that made each vector: vector search compares a query only with vectors of the same
-- model, so a model change never mixes spaces while documents are re-embedded.
ALTER TABLE chunks
  ADD COLUMN language text NOT NULL DEFAULT 'other',
  ADD COLUMN term_count integer NOT NULL DEFAULT 0,
  ADD COLUMN embedding_model text;

ALTER TABLE entities ADD COLUMN graph_vertex_id bigint;

-- Postings: one row per (term, chunk). The primary key leads with (tenant_id, term) and carries the
-- frequency and the chunk length, so BM25 for a term is an index-only scan that never touches chunks.
CREATE TABLE chunk_terms (
  tenant_id uuid NOT NULL,
  term text NOT NULL,
  chunk_id bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  term_frequency integer NOT NULL CHECK (term_frequency > 0),
  chunk_length integer NOT NULL CHECK (chunk_length > 0),
  PRIMARY KEY (tenant_id, term, chunk_id) INCLUDE (term_frequency, chunk_length)
);
CREATE INDEX chunk_terms_chunk ON chunk_terms (chunk_id);
${tenantPolicy('chunk_terms')}

-- In how many chunks each term occurs (BM25's document frequency), per tenant.
CREATE TABLE term_statistics (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  term text NOT NULL,
  chunk_frequency integer NOT NULL CHECK (chunk_frequency >= 0),
  PRIMARY KEY (tenant_id, term)
);
${tenantPolicy('term_statistics')}

-- Chunk count and total length per tenant (BM25's N and average length).
CREATE TABLE corpus_statistics (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  chunk_count bigint NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
  total_length bigint NOT NULL DEFAULT 0 CHECK (total_length >= 0),
  -- Bumped by every change to the tenant's index; search caches key on it, so a change
  -- invalidates cached results in every process without any messaging.
  version bigint NOT NULL DEFAULT 0
);
${tenantPolicy('corpus_statistics')}

-- Undirected relations stored once, with source_entity_id < target_entity_id.
CREATE TABLE relations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  source_entity_id bigint NOT NULL,
  target_entity_id bigint NOT NULL,
  weight double precision NOT NULL DEFAULT 0,
  chunk_count integer NOT NULL DEFAULT 0,
  description text NOT NULL DEFAULT '',
  graph_edge_id bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (source_entity_id < target_entity_id),
  UNIQUE (tenant_id, source_entity_id, target_entity_id),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, source_entity_id) REFERENCES entities (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, target_entity_id) REFERENCES entities (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX relations_target ON relations (tenant_id, target_entity_id);
${tenantPolicy('relations')}

CREATE TABLE relation_mentions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  relation_id bigint NOT NULL,
  chunk_id bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  document_id uuid NOT NULL,
  weight double precision NOT NULL CHECK (weight > 0),
  PRIMARY KEY (relation_id, chunk_id),
  FOREIGN KEY (tenant_id, relation_id) REFERENCES relations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX relation_mentions_chunk ON relation_mentions (chunk_id);
CREATE INDEX relation_mentions_document ON relation_mentions (document_id);
${tenantPolicy('relation_mentions')}

GRANT SELECT, INSERT, UPDATE, DELETE
  ON chunk_terms, term_statistics, corpus_statistics, relations, relation_mentions TO ${applicationRole};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${applicationRole};
`,
};
