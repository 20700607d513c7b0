import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { KnowledgeExtractor } from '../core/knowledge-extractor.js';
import type { ChatModel, Embedder, Reranker } from '../core/models.js';
import { OfflineKnowledgeExtractor } from '../ingest/extraction/offline-knowledge-extractor.js';
import { LlmKnowledgeExtractor } from '../ingest/llm-extraction/llm-knowledge-extractor.js';
import { HashedEmbedder } from '../models/offline/hashed-embedder.js';
import { OpenAiChatModel } from '../models/openai-compatible/openai-chat-model.js';
import { OpenAiEmbedder } from '../models/openai-compatible/openai-embedder.js';
import { OpenAiCompatibleReranker } from '../models/openai-compatible/openai-reranker.js';

/** The configured embedder: offline hashing by default, any OpenAI-compatible endpoint otherwise. */
export function createEmbedder(config: Config, logger: Logger): Embedder {
  const settings = config.embedding;
  if (settings.provider === 'offline') return new HashedEmbedder({ dimensions: settings.dimensions });
  return new OpenAiEmbedder({
    baseUrl: settings.baseUrl!,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    model: settings.model,
    dimensions: settings.dimensions,
    sendDimensions: settings.sendDimensions,
    maxBatchSize: settings.maxBatchSize,
    maxConcurrency: settings.maxConcurrency,
    timeoutMs: config.modelTimeoutMs,
    maxRetries: config.modelMaxRetries,
    logger,
  });
}

/** The configured chat model, or null: every feature has an offline path without one. */
export function createChatModel(config: Config, logger: Logger): ChatModel | null {
  const settings = config.chat;
  if (settings.provider === 'none') return null;
  return new OpenAiChatModel({
    baseUrl: settings.baseUrl,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    model: settings.model,
    maxConcurrency: settings.maxConcurrency,
    maxRetries: config.modelMaxRetries,
    logger,
  });
}

export function createReranker(config: Config, logger: Logger): Reranker | null {
  const settings = config.rerank;
  if (settings.provider === 'none') return null;
  return new OpenAiCompatibleReranker({
    baseUrl: settings.baseUrl,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    model: settings.model,
    path: settings.path,
    timeoutMs: config.modelTimeoutMs,
    maxRetries: config.modelMaxRetries,
    logger,
  });
}

/** LLM extraction when configured (LightRAG-style), offline part-of-speech extraction otherwise. */
export function createExtractor(config: Config, chatModel: ChatModel | null, logger: Logger): KnowledgeExtractor {
  if (config.ingestion.extraction === 'llm' && chatModel) {
    return new LlmKnowledgeExtractor({ chatModel, logger });
  }
  return new OfflineKnowledgeExtractor();
}
