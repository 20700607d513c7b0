import type { Queryable } from '../core/database.js';
import { deleteEdges, deleteVertices } from '../db/graph/graph-bulk-writer.js';

/**
 * Removes everything a document contributed to the indexes — chunks (and with them vectors,
 * postings, mentions), its share of the term and corpus statistics, of entity mention counts and of
 * relation weights — then the entities and relations nothing mentions any more, with their vertices
 * and edges. Call inside the tenant's transaction, with the graph search path set.
 */
export async function removeDocumentIndex(
  transaction: Queryable,
  tenantId: string,
  documentId: string,
  graph: string,
): Promise<void> {
  const chunkIds = (
    await transaction.query<{ id: number }>('SELECT id FROM chunks WHERE document_id = $1', [documentId])
  ).rows.map((row) => row.id);
  if (chunkIds.length === 0) return;

  // Locks are taken in the same order as the writer (entities, relations, terms, corpus) to avoid deadlocks.
  const touchedEntities = (
    await transaction.query<{ id: number }>(
      `UPDATE entities e SET mention_count = e.mention_count - m.total, updated_at = now()
       FROM (SELECT entity_id, sum(mention_count)::int AS total FROM entity_mentions
             WHERE document_id = $1 GROUP BY entity_id) m
       WHERE e.id = m.entity_id RETURNING e.id`,
      [documentId],
    )
  ).rows.map((row) => row.id);
  const touchedRelations = (
    await transaction.query<{ id: number }>(
      `UPDATE relations r SET weight = greatest(r.weight - m.weight, 0), chunk_count = r.chunk_count - m.chunks,
              updated_at = now()
       FROM (SELECT relation_id, sum(weight) AS weight, count(*)::int AS chunks FROM relation_mentions
             WHERE document_id = $1 GROUP BY relation_id) m
       WHERE r.id = m.relation_id RETURNING r.id`,
      [documentId],
    )
  ).rows.map((row) => row.id);
  await transaction.query(
    `UPDATE term_statistics t SET chunk_frequency = t.chunk_frequency - d.chunks
     FROM (SELECT term, count(*)::int AS chunks FROM chunk_terms WHERE tenant_id = $1 AND chunk_id = ANY($2::bigint[])
           GROUP BY term) d
     WHERE t.tenant_id = $1 AND t.term = d.term`,
    [tenantId, chunkIds],
  );
  await transaction.query(
    `UPDATE corpus_statistics c SET chunk_count = c.chunk_count - d.chunks, total_length = c.total_length - d.length,
            version = c.version + 1
     FROM (SELECT count(*)::int AS chunks, coalesce(sum(term_count), 0)::bigint AS length FROM chunks
           WHERE id = ANY($2::bigint[])) d
     WHERE c.tenant_id = $1`,
    [tenantId, chunkIds],
  );
  await transaction.query('DELETE FROM term_statistics WHERE tenant_id = $1 AND chunk_frequency <= 0', [tenantId]);
  // Cascades to postings, entity mentions and relation mentions.
  await transaction.query('DELETE FROM chunks WHERE document_id = $1', [documentId]);

  const orphanRelationEdges = (
    await transaction.query<{ graph_edge_id: number | null }>(
      `DELETE FROM relations WHERE id = ANY($1::bigint[]) AND chunk_count <= 0 RETURNING graph_edge_id`,
      [touchedRelations],
    )
  ).rows;
  await deleteEdges(
    transaction,
    graph,
    orphanRelationEdges.flatMap((row) => (row.graph_edge_id === null ? [] : [row.graph_edge_id])),
  );
  const orphanEntityVertices = (
    await transaction.query<{ graph_vertex_id: number | null }>(
      `DELETE FROM entities WHERE id = ANY($1::bigint[]) AND mention_count <= 0 RETURNING graph_vertex_id`,
      [touchedEntities],
    )
  ).rows;
  await deleteVertices(
    transaction,
    graph,
    orphanEntityVertices.flatMap((row) => (row.graph_vertex_id === null ? [] : [row.graph_vertex_id])),
  );
}
