/**
 * Knowledge-graph extraction port: entities and relations found in one chunk of text. The offline
 * extractor uses part-of-speech tags and co-occurrence; the LLM extractor asks a chat model.
 */
export interface ExtractedEntityMention {
  readonly name: string;
  /** Merge key: entities with the same normalised name are one entity in a tenant. */
  readonly normalizedName: string;
  readonly type: string;
  readonly count: number;
  readonly description?: string;
}

export interface ExtractedRelation {
  /** Normalised names of the two entities. */
  readonly source: string;
  readonly target: string;
  readonly weight: number;
  readonly description?: string;
}

export interface ChunkKnowledge {
  readonly entities: readonly ExtractedEntityMention[];
  readonly relations: readonly ExtractedRelation[];
}

/** Where the chunk sits in its document: what an extractor may read besides the chunk's text. */
export interface ChunkContext {
  /**
   * The chunk's heading path, outermost first (the document title, then its sections). Headings
   * name what the passage is about, often without the passage repeating them.
   */
  readonly headings?: readonly string[];
}

export interface KnowledgeExtractor {
  readonly name: string;
  /** Chunks it processes at once (LLM extractors are bound by the provider's concurrency). */
  readonly maxConcurrency: number;
  extract(text: string, signal?: AbortSignal, context?: ChunkContext): Promise<ChunkKnowledge>;
}
