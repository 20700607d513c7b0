import { applicationRole, tenantPolicy, type Migration } from './migration.js';

/**
 * Graph retrieval: communities of entities (Louvain) with extractive or LLM summaries for "global"
 * questions, and an index that lets a question's lone surname find the full name it belongs to.
 */
export const communitiesMigration: Migration = {
  id: 3,
  name: 'communities',
  sql: ({ embeddingDimensions }) => {
    if (!Number.isInteger(embeddingDimensions) || embeddingDimensions < 1 || embeddingDimensions > 16_000) {
      throw new Error(`invalid embedding dimension ${embeddingDimensions}`);
    }
    return `
-- "babbage" in a question should find "charles babbage": the extractor merges a lone surname into
-- the full name, so the graph only knows the full one. A stored column, not an expression index:
-- under row-level security PostgreSQL only uses leakproof conditions in index scans, and
-- regexp_replace is not, whereas a plain text equality on a column is.
ALTER TABLE entities ADD COLUMN last_word text
  GENERATED ALWAYS AS (CASE WHEN normalized_name LIKE '% %' THEN regexp_replace(normalized_name, '^.* ', '') END) STORED;
CREATE INDEX entities_last_word ON entities (tenant_id, last_word) WHERE last_word IS NOT NULL;

-- Rebuilt as a whole per tenant (delete + insert in one transaction), so rows are never updated.
CREATE TABLE communities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- 0: Louvain over the whole entity graph; 1: Louvain inside one large level-0 community.
  level integer NOT NULL CHECK (level >= 0),
  parent_id bigint,
  title text NOT NULL,
  summary text NOT NULL,
  entity_count integer NOT NULL CHECK (entity_count > 0),
  chunk_count integer NOT NULL CHECK (chunk_count >= 0),
  -- Sum of the relation weights inside the community: a prior for ranking.
  weight double precision NOT NULL DEFAULT 0,
  embedding vector(${embeddingDimensions}),
  computed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES communities (tenant_id, id) ON DELETE CASCADE
);
-- No HNSW index: a tenant has hundreds of communities, an exact scan of them takes milliseconds, and
-- an HNSW index would both slow the bulk rebuild (PGlite inserts into one at ~65 rows/s) and lose
-- rows to the tenant filter applied after the index scan.
CREATE INDEX communities_tenant_level ON communities (tenant_id, level);
${tenantPolicy('communities')}

CREATE TABLE community_members (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  community_id bigint NOT NULL,
  entity_id bigint NOT NULL,
  -- 1 for the most central member (weighted degree inside the community), 2 for the next, …
  rank integer NOT NULL CHECK (rank > 0),
  PRIMARY KEY (community_id, entity_id),
  FOREIGN KEY (tenant_id, community_id) REFERENCES communities (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, entity_id) REFERENCES entities (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX community_members_entity ON community_members (entity_id);
${tenantPolicy('community_members')}

GRANT SELECT, INSERT, UPDATE, DELETE ON communities, community_members TO ${applicationRole};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${applicationRole};
`;
  },
};
