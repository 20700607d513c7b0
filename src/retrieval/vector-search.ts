import type { Queryable } from '../core/database.js';
import type { RankedChunk, SearchFilters } from '../core/search.js';
import { vectorLiteral } from '../db/vector-literal.js';
import { chunkFilterSql, hasFilters } from './chunk-filter.js';

export interface VectorSearchOptions {
  /** Only vectors made by this model are comparable with the query vector. */
  readonly model: string;
  readonly limit: number;
  readonly filters: SearchFilters;
  /** HNSW candidate list size; larger is slower and more exact. */
  readonly efSearch?: number;
}

/**
 * Cosine nearest neighbours over the HNSW index. Settings are transaction-local (SET LOCAL via
 * set_config). Iterative index scans (pgvector ≥ 0.8) keep recall when row-level security or a
 * filter removes most of what the index returns first — which is always the case for a tenant in
 * a shared index.
 */
export async function vectorSearch(
  transaction: Queryable,
  queryVector: readonly number[],
  options: VectorSearchOptions,
): Promise<RankedChunk[]> {
  const efSearch = Math.min(1_000, Math.max(options.efSearch ?? 40, options.limit * 2));
  await transaction.query(
    `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
            set_config('hnsw.max_scan_tuples', $2, true)`,
    [String(efSearch), String(hasFilters(options.filters) ? 100_000 : 40_000)],
  );
  const filter = chunkFilterSql(options.filters, 'c', 4);
  const result = await transaction.query<{ id: number; distance: number }>(
    `WITH nearest AS MATERIALIZED (
       SELECT c.id, c.embedding <=> $1::vector AS distance
       FROM chunks c
       WHERE c.embedding IS NOT NULL AND c.embedding_model = $3${filter.sql}
       ORDER BY c.embedding <=> $1::vector
       LIMIT $2
     )
     SELECT id, distance FROM nearest ORDER BY distance, id`,
    [vectorLiteral(queryVector), options.limit, options.model, ...filter.parameters],
  );
  return result.rows.map((row) => ({ chunkId: row.id, score: 1 - row.distance }));
}
