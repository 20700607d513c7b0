import type { Migration } from './migration.js';

/**
 * Storage settings and indexes for the ingestion write path and the graph read path.
 *
 * - Entities and relations are updated in place on every document that mentions them again
 *   (counts, weights). Free space on each page lets PostgreSQL make those updates HOT — no new
 *   index entries, above all none in the entities' HNSW index — instead of moving the row.
 * - Graph retrieval reads an entity's mentions (community and local lists) and a chunk's entities
 *   (seed entities). Row-level security adds `tenant_id` to every such read, so covering indexes
 *   that carry it, the count and the other id let both be index-only scans instead of one random
 *   heap read per mention.
 */
export const writeAndReadPathsMigration: Migration = {
  id: 6,
  name: 'write-and-read-paths',
  sql: () => `
ALTER TABLE entities SET (fillfactor = 70);
ALTER TABLE relations SET (fillfactor = 70);
CREATE INDEX entity_mentions_entity_covering ON entity_mentions (entity_id) INCLUDE (chunk_id, mention_count, tenant_id);
DROP INDEX entity_mentions_chunk;
CREATE INDEX entity_mentions_chunk ON entity_mentions (chunk_id) INCLUDE (entity_id, mention_count, tenant_id);
`,
};
