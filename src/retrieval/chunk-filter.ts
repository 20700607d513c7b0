import type { SearchFilters } from '../core/search.js';

export interface SqlFragment {
  /** SQL to append to a WHERE clause (starts with AND), or '' when there is no filter. */
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export function hasFilters(filters: SearchFilters): boolean {
  return Boolean(filters.collectionIds?.length || filters.documentIds?.length || filters.metadata);
}

/**
 * The filter every retrieval list applies to its chunks, as one EXISTS on the chunk's document.
 * `chunkAlias` names the chunks table in the caller's query; parameters are numbered from
 * `firstParameter` so the fragment appends to any statement. Values are always parameters.
 */
export function chunkFilterSql(filters: SearchFilters, chunkAlias: string, firstParameter: number): SqlFragment {
  if (!/^[a-z_][a-z0-9_]*$/.test(chunkAlias)) throw new Error(`invalid alias ${chunkAlias}`);
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const next = (value: unknown) => {
    parameters.push(value);
    return `$${firstParameter + parameters.length - 1}`;
  };
  if (filters.documentIds?.length) conditions.push(`filter_document.id = ANY(${next(filters.documentIds)}::uuid[])`);
  if (filters.collectionIds?.length) {
    conditions.push(`filter_document.collection_id = ANY(${next(filters.collectionIds)}::uuid[])`);
  }
  if (filters.metadata) conditions.push(`filter_document.metadata @> ${next(JSON.stringify(filters.metadata))}::jsonb`);
  if (conditions.length === 0) return { sql: '', parameters: [] };
  return {
    sql: ` AND EXISTS (SELECT 1 FROM documents filter_document
             WHERE filter_document.id = ${chunkAlias}.document_id AND ${conditions.join(' AND ')})`,
    parameters,
  };
}
