import type { Database } from '../../src/core/database.js';
import { countGraph } from '../../src/db/graph/tenant-graph.js';
import { graphNameForTenant } from '../../src/db/graph/graph-identifiers.js';

export interface IndexCounts {
  documents: number;
  chunks: number;
  postings: number;
  terms: number;
  termFrequencySum: number;
  corpusChunks: number;
  corpusLength: number;
  chunkLengthSum: number;
  entities: number;
  mentionCountSum: number;
  mentionRowsSum: number;
  relations: number;
  relationChunkSum: number;
  relationMentions: number;
  vertices: number;
  edges: number;
}

/** Everything the index holds for a tenant, counted directly (as the owner, bypassing RLS). */
export async function indexCounts(database: Database, tenantId: string): Promise<IndexCounts> {
  const result = await database.query<Omit<IndexCounts, 'vertices' | 'edges'>>(
    `SELECT
       (SELECT count(*)::int FROM documents WHERE tenant_id = $1) AS documents,
       (SELECT count(*)::int FROM chunks WHERE tenant_id = $1) AS chunks,
       (SELECT count(*)::int FROM chunk_terms WHERE tenant_id = $1) AS postings,
       (SELECT count(*)::int FROM term_statistics WHERE tenant_id = $1) AS terms,
       (SELECT coalesce(sum(chunk_frequency), 0)::int FROM term_statistics WHERE tenant_id = $1) AS "termFrequencySum",
       (SELECT coalesce(max(chunk_count), 0)::int FROM corpus_statistics WHERE tenant_id = $1) AS "corpusChunks",
       (SELECT coalesce(max(total_length), 0)::int FROM corpus_statistics WHERE tenant_id = $1) AS "corpusLength",
       (SELECT coalesce(sum(term_count), 0)::int FROM chunks WHERE tenant_id = $1) AS "chunkLengthSum",
       (SELECT count(*)::int FROM entities WHERE tenant_id = $1) AS entities,
       (SELECT coalesce(sum(mention_count), 0)::int FROM entities WHERE tenant_id = $1) AS "mentionCountSum",
       (SELECT coalesce(sum(mention_count), 0)::int FROM entity_mentions WHERE tenant_id = $1) AS "mentionRowsSum",
       (SELECT count(*)::int FROM relations WHERE tenant_id = $1) AS relations,
       (SELECT coalesce(sum(chunk_count), 0)::int FROM relations WHERE tenant_id = $1) AS "relationChunkSum",
       (SELECT count(*)::int FROM relation_mentions WHERE tenant_id = $1) AS "relationMentions"`,
    [tenantId],
  );
  const graph = await countGraph(database, graphNameForTenant(tenantId));
  return { ...result.rows[0]!, vertices: graph.vertices, edges: graph.edges };
}

/** The invariants that hold whatever was ingested: statistics agree with the rows they summarise. */
export function expectConsistent(counts: IndexCounts, expect: (value: unknown, message?: string) => { toBe(expected: unknown): void }): void {
  expect(counts.termFrequencySum, 'term statistics = postings').toBe(counts.postings);
  expect(counts.corpusChunks, 'corpus statistics = chunks').toBe(counts.chunks);
  expect(counts.corpusLength, 'corpus length = sum of chunk lengths').toBe(counts.chunkLengthSum);
  expect(counts.mentionCountSum, 'entity mention counts = mention rows').toBe(counts.mentionRowsSum);
  expect(counts.relationChunkSum, 'relation chunk counts = relation mentions').toBe(counts.relationMentions);
  expect(counts.vertices, 'one vertex per entity').toBe(counts.entities);
  expect(counts.edges, 'one edge per relation').toBe(counts.relations);
}
