/**
 * LangChain.js `PGVectorStore` over Rhizome's own `chunks` table: the same vectors, the same HNSW
 * index, queried the way a LangChain application would (one `SELECT *, embedding <=> $1 … LIMIT k`
 * on a pooled connection, no transaction, no tenant scope: it connects as the table's owner).
 * Its embeddings are Rhizome's embedder, so both sides embed the same question the same way.
 *
 * Installed apart from Rhizome (its peer dependencies pin zod 3): `cd bench/peers && npm ci --legacy-peer-deps`.
 */
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Embeddings } from '@langchain/core/embeddings';
import pg from 'pg';
import type { Embedder } from '../../src/core/models.js';

class RhizomeEmbeddings extends Embeddings {
  constructor(private readonly embedder: Embedder) {
    super({});
  }

  embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embedder.embed(texts);
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedder.embed([text]);
    return vector!;
  }
}

export interface VectorPeer {
  search(query: string, k: number): Promise<number>;
  close(): Promise<void>;
}

/** A PGVectorStore on `databaseUrl`'s chunks table; `search` answers how many documents it found. */
export async function openPgVectorStorePeer(databaseUrl: string, embedder: Embedder, poolMax = 10): Promise<VectorPeer> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  const store = await PGVectorStore.initialize(new RhizomeEmbeddings(embedder), {
    pool,
    tableName: 'chunks',
    columns: { idColumnName: 'id', vectorColumnName: 'embedding', contentColumnName: 'text', metadataColumnName: 'metadata' },
    distanceStrategy: 'cosine',
    // The table is Rhizome's: never create or alter it.
    skipInitializationCheck: true,
  });
  return {
    async search(query, k) {
      return (await store.similaritySearchWithScore(query, k)).length;
    },
    async close() {
      await pool.end();
    },
  };
}
