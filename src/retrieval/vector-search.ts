import type { Queryable } from '../core/database.js';
import type { RankedChunk, SearchFilters } from '../core/search.js';
import { vectorLiteral } from '../db/vector-literal.js';
import { chunkFilterSql, hasFilters } from './chunk-filter.js';
import { chunkRowColumns, type ChunkRow } from './chunk-rows.js';

export interface VectorSearchOptions {
  /** Only vectors made by this model are comparable with the query vector. */
  readonly model: string;
  readonly limit: number;
  readonly filters: SearchFilters;
  /** HNSW candidate list size; larger is slower and more exact. */
  readonly efSearch?: number;
  /**
   * The caller already applied `vectorSearchSettings` to the transaction (folded into its tenant
   * settings, saving a round trip); otherwise this sets them itself.
   */
  readonly settingsApplied?: boolean;
}

/**
 * The transaction-local pgvector settings of a search. Iterative index scans (pgvector ≥ 0.8)
 * keep recall when row-level security or a filter removes most of what the index returns first —
 * which is always the case for a tenant in a shared index.
 */
export function vectorSearchSettings(options: Pick<VectorSearchOptions, 'limit' | 'filters' | 'efSearch'>): Record<string, string> {
  return {
    'hnsw.ef_search': String(Math.min(1_000, Math.max(options.efSearch ?? 40, options.limit * 2))),
    'hnsw.iterative_scan': 'relaxed_order',
    'hnsw.max_scan_tuples': String(hasFilters(options.filters) ? 100_000 : 40_000),
  };
}

async function applySettings(transaction: Queryable, options: VectorSearchOptions): Promise<void> {
  if (options.settingsApplied) return;
  const settings = Object.entries(vectorSearchSettings(options));
  await transaction.query(
    `SELECT ${settings.map((_, index) => `set_config($${index * 2 + 1}, $${index * 2 + 2}, true)`).join(', ')}`,
    settings.flat(),
  );
}

function nearestSql(filterSql: string): string {
  return `SELECT c.id, c.embedding <=> $1::vector AS distance
       FROM chunks c
       WHERE c.embedding IS NOT NULL AND c.embedding_model = $3${filterSql}
       ORDER BY c.embedding <=> $1::vector
       LIMIT $2`;
}

/** Cosine nearest neighbours over the HNSW index. */
export async function vectorSearch(
  transaction: Queryable,
  queryVector: readonly number[],
  options: VectorSearchOptions,
): Promise<RankedChunk[]> {
  await applySettings(transaction, options);
  const filter = chunkFilterSql(options.filters, 'c', 4);
  const result = await transaction.query<{ id: number; distance: number }>(
    `WITH nearest AS MATERIALIZED (${nearestSql(filter.sql)})
     SELECT id, distance FROM nearest ORDER BY distance, id`,
    [vectorLiteral(queryVector), options.limit, options.model, ...filter.parameters],
  );
  return result.rows.map((row) => ({ chunkId: row.id, score: 1 - row.distance }));
}

/**
 * The same neighbours with the hit rows of the first `rowLimit` joined in the same statement: a
 * vector-only search is then one statement, not a ranking and a second read.
 */
export async function vectorSearchWithRows(
  transaction: Queryable,
  queryVector: readonly number[],
  options: VectorSearchOptions & { readonly rowLimit: number },
): Promise<{ chunks: RankedChunk[]; rows: Map<number, ChunkRow> }> {
  await applySettings(transaction, options);
  const filter = chunkFilterSql(options.filters, 'c', 5);
  const result = await transaction.query<Omit<ChunkRow, 'document_id'> & { document_id: string | null; distance: number }>(
    `WITH nearest AS MATERIALIZED (${nearestSql(filter.sql)}),
     ranked AS (SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS position FROM nearest)
     SELECT r.id, r.distance, ${chunkRowColumns}
     FROM ranked r
     LEFT JOIN chunks c ON c.id = r.id AND r.position <= $4
     LEFT JOIN documents d ON d.id = c.document_id
     ORDER BY r.distance, r.id`,
    [vectorLiteral(queryVector), options.limit, options.model, options.rowLimit, ...filter.parameters],
  );
  const rows = new Map<number, ChunkRow>();
  for (const row of result.rows) {
    if (row.document_id === null) continue;
    const { distance: _distance, ...chunkRow } = row;
    rows.set(row.id, chunkRow as ChunkRow);
  }
  return { chunks: result.rows.map((row) => ({ chunkId: row.id, score: 1 - row.distance })), rows };
}
