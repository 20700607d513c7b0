/**
 * Everything the pipeline computes before it opens the write transaction: parse, chunk, analyse,
 * embed and extract happen first, so the transaction itself is only bulk inserts.
 */
export interface PreparedEntityMention {
  /** The merge key (see extraction): one entity per tenant and normalised name. */
  readonly normalizedName: string;
  readonly name: string;
  readonly type: string;
  readonly count: number;
  readonly description?: string;
}

export interface PreparedRelation {
  /** Normalised names of the two entities; order does not matter. */
  readonly source: string;
  readonly target: string;
  readonly weight: number;
  readonly description?: string;
}

export interface PreparedChunk {
  readonly index: number;
  readonly text: string;
  readonly content: string;
  readonly sectionPath: readonly string[];
  readonly pages: readonly number[];
  readonly startOffset: number;
  readonly endOffset: number;
  readonly tokenCount: number;
  readonly language: string;
  readonly embedding: readonly number[];
  /** BM25 postings: term → frequency in this chunk, and the chunk's length in terms. */
  readonly terms: ReadonlyMap<string, number>;
  readonly termCount: number;
  readonly entities: readonly PreparedEntityMention[];
  readonly relations: readonly PreparedRelation[];
}

export interface PreparedDocument {
  readonly title: string;
  readonly language: string;
  readonly pageCount: number | null;
  readonly embeddingModel: string;
  readonly chunks: readonly PreparedChunk[];
  /** Name embeddings for entities (by normalised name), used only when the entity is new. */
  readonly entityEmbeddings: ReadonlyMap<string, readonly number[]>;
  /** Merged descriptions (existing and new, summarised when long) that replace the stored ones. */
  readonly entityDescriptions: ReadonlyMap<string, string>;
}
