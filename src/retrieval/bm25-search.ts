import type { Queryable } from '../core/database.js';
import type { RankedChunk, SearchFilters } from '../core/search.js';
import type { QueryTerm } from './analyze-query.js';
import { defaultBm25Parameters, inverseDocumentFrequency, type Bm25Parameters } from './bm25-scoring.js';
import { chunkFilterSql } from './chunk-filter.js';

export interface Bm25SearchOptions {
  readonly limit: number;
  readonly filters: SearchFilters;
  readonly parameters?: Bm25Parameters;
  /**
   * Terms in more chunks than this are not scanned for candidates; they only add their score to
   * candidates the rarer terms found (unless every query term is that common). Their IDF is low,
   * so they rarely decide the top k, while scanning their postings is what makes BM25 slow.
   */
  readonly commonTermChunkLimit?: number;
  /** Candidates kept from the selective terms before the common terms are added. */
  readonly candidatePool?: number;
}

interface WeightedTerm extends QueryTerm {
  readonly weight: number;
  readonly chunkFrequency: number;
}

/**
 * Okapi BM25 inside PostgreSQL over the postings table: per term an index-only scan of
 * (tenant_id, term) → (chunk_id, term_frequency, chunk_length), summed per chunk, top k. The
 * statistics (N, average length, document frequencies) are the tenant's own.
 */
export async function bm25Search(
  transaction: Queryable,
  tenantId: string,
  queryTerms: readonly QueryTerm[],
  options: Bm25SearchOptions,
): Promise<RankedChunk[]> {
  if (queryTerms.length === 0) return [];
  const parameters = options.parameters ?? defaultBm25Parameters;
  const statistics = await transaction.query<{ term: string | null; chunk_frequency: number; chunk_count: number; total_length: number }>(
    `SELECT t.term, t.chunk_frequency, c.chunk_count, c.total_length
     FROM corpus_statistics c
     LEFT JOIN term_statistics t ON t.tenant_id = c.tenant_id AND t.term = ANY($2::text[])
     WHERE c.tenant_id = $1`,
    [tenantId, queryTerms.map((term) => term.term)],
  );
  const corpus = statistics.rows[0];
  if (!corpus || corpus.chunk_count === 0) return [];
  const averageLength = Math.max(1, corpus.total_length / corpus.chunk_count);
  const frequencies = new Map(statistics.rows.flatMap((row) => (row.term ? [[row.term, row.chunk_frequency] as const] : [])));
  const weighted: WeightedTerm[] = queryTerms.flatMap((term) => {
    const chunkFrequency = frequencies.get(term.term);
    if (!chunkFrequency) return [];
    return [{ ...term, chunkFrequency, weight: term.frequency * inverseDocumentFrequency(corpus.chunk_count, chunkFrequency) }];
  });
  if (weighted.length === 0) return [];

  const commonLimit = options.commonTermChunkLimit ?? 50_000;
  const sorted = [...weighted].sort((left, right) => left.chunkFrequency - right.chunkFrequency);
  let selective = sorted.filter((term) => term.chunkFrequency <= commonLimit);
  if (selective.length === 0) selective = sorted.slice(0, 1);
  const common = sorted.filter((term) => !selective.includes(term));
  const pool = Math.max(options.candidatePool ?? 0, options.limit * 10, 100);

  const filter = chunkFilterSql(options.filters, 'filtered_chunk', 10);
  const filterJoin = filter.sql
    ? `JOIN chunks filtered_chunk ON filtered_chunk.id = p.chunk_id${filter.sql}`
    : '';
  const scoreExpression = `sum(w.weight * p.term_frequency * ($4::float8 + 1)
      / (p.term_frequency + $4::float8 * (1 - $5::float8 + $5::float8 * p.chunk_length / $6::float8)))`;
  const result = await transaction.query<{ chunk_id: number; score: number; matched: string[] }>(
    `WITH selective AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS w(term, weight)),
     common AS (SELECT * FROM unnest($7::text[], $8::float8[]) AS w(term, weight)),
     candidates AS (
       SELECT p.chunk_id, ${scoreExpression} AS score, array_agg(p.term) AS matched
       FROM selective w
       JOIN chunk_terms p ON p.tenant_id = $1 AND p.term = w.term
       ${filterJoin}
       GROUP BY p.chunk_id
       ORDER BY score DESC
       LIMIT $9
     ),
     common_scores AS (
       SELECT p.chunk_id, ${scoreExpression} AS score, array_agg(p.term) AS matched
       FROM common w
       JOIN chunk_terms p ON p.tenant_id = $1 AND p.term = w.term AND p.chunk_id IN (SELECT chunk_id FROM candidates)
       GROUP BY p.chunk_id
     )
     SELECT candidates.chunk_id, candidates.score + coalesce(common_scores.score, 0) AS score,
            candidates.matched || coalesce(common_scores.matched, '{}') AS matched
     FROM candidates LEFT JOIN common_scores USING (chunk_id)
     ORDER BY score DESC, candidates.chunk_id
     LIMIT $9`,
    [
      tenantId,
      selective.map((term) => term.term),
      selective.map((term) => term.weight),
      parameters.k1,
      parameters.b,
      averageLength,
      common.map((term) => term.term),
      common.map((term) => term.weight),
      Math.max(pool, options.limit),
      ...filter.parameters,
    ],
  );
  const surfaces = new Map(weighted.map((term) => [term.term, term.surfaces]));
  return result.rows.slice(0, options.limit).map((row) => ({
    chunkId: row.chunk_id,
    score: row.score,
    matchedTerms: [...new Set(row.matched.flatMap((term) => surfaces.get(term) ?? [term]))],
  }));
}
