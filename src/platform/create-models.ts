import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { KnowledgeExtractor } from '../core/knowledge-extractor.js';
import type { ChatModel, Embedder } from '../core/models.js';
import { OfflineKnowledgeExtractor } from '../ingest/extraction/offline-knowledge-extractor.js';
import { HashedEmbedder } from '../models/offline/hashed-embedder.js';

export function createEmbedder(config: Config, _logger: Logger): Embedder {
  return new HashedEmbedder({ dimensions: config.embedding.dimensions });
}

export function createChatModel(_config: Config, _logger: Logger): ChatModel | null {
  return null;
}

export function createExtractor(_config: Config, _chatModel: ChatModel | null, _logger: Logger): KnowledgeExtractor {
  return new OfflineKnowledgeExtractor();
}
