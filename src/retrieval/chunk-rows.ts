import type { Queryable } from '../core/database.js';

/** What a search hit shows of its chunk and document. */
export interface ChunkRow {
  id: number;
  document_id: string;
  chunk_index: number;
  text: string;
  content: string;
  pages: number[];
  section_path: string[];
  title: string;
  file_name: string;
  source_key: string | null;
}

/** The hit columns of `chunks c JOIN documents d`, for statements that rank and load in one go. */
export const chunkRowColumns = `c.document_id, c.chunk_index, c.text, c.content, c.pages, c.section_path,
            d.title, d.file_name, d.source_key`;

/** The rows of the given chunks (the tenant's own: row-level security decides), by id. */
export async function loadChunkRows(transaction: Queryable, chunkIds: readonly number[]): Promise<Map<number, ChunkRow>> {
  if (chunkIds.length === 0) return new Map();
  const result = await transaction.query<ChunkRow>(
    `SELECT c.id, ${chunkRowColumns}
     FROM chunks c JOIN documents d ON d.id = c.document_id
     WHERE c.id = ANY($1::bigint[])`,
    [chunkIds],
  );
  return new Map(result.rows.map((row) => [row.id, row]));
}
