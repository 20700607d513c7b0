/**
 * The offline adapter of the knowledge-extraction port: entities from part-of-speech tags and
 * capitalisation, relations from co-occurrence. No network, no model weights, deterministic, and
 * fast enough to run inside ingestion (well over a thousand chunks a second on one core).
 */
import type { ChunkContext, ChunkKnowledge, KnowledgeExtractor } from '../../core/knowledge-extractor.js';
import { type ExtractEntitiesOptions, extractEntities } from './extract-entities.js';
import { type ExtractRelationsOptions, extractRelations } from './extract-relations.js';

export type OfflineKnowledgeExtractorOptions = ExtractEntitiesOptions & {
  readonly maxPairs?: ExtractRelationsOptions['maxPairs'];
};

export class OfflineKnowledgeExtractor implements KnowledgeExtractor {
  readonly name = 'rhizome-offline-v2';
  /** Synchronous CPU work in this process: running chunks in parallel would not make it faster. */
  readonly maxConcurrency = 1;

  constructor(private readonly options: OfflineKnowledgeExtractorOptions = {}) {}

  async extract(text: string, signal?: AbortSignal, context: ChunkContext = {}): Promise<ChunkKnowledge> {
    signal?.throwIfAborted();
    const entities = extractEntities(text, { ...this.options, headings: context.headings ?? [] });
    const relations = extractRelations(
      entities,
      this.options.maxPairs === undefined ? {} : { maxPairs: this.options.maxPairs },
    );
    return { entities, relations };
  }
}
