/**
 * Model ports. Providers declare their limits (batch size, parallel calls) and callers batch by
 * them. Failures of a remote provider surface as UpstreamError (HTTP 502 at the edge); a provider
 * retries transient failures itself, with backoff, within its timeout.
 */
export interface Embedder {
  /** Recorded with every vector, so a model change triggers re-embedding instead of mixing. */
  readonly model: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  readonly maxConcurrency: number;
  /**
   * Whether the vectors capture meaning beyond shared words (a neural model: paraphrases and
   * synonyms are close) or only surface overlap (a hashing embedder: a noisier copy of BM25).
   * Search fusion trusts the vector list by it. Absent means semantic.
   */
  readonly semantic?: boolean;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Ask the provider for a JSON object (OpenAI `response_format: json_object`). */
  readonly json?: boolean;
  readonly signal?: AbortSignal;
}

export interface ChatResponse {
  readonly content: string;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

export interface ChatModel {
  readonly model: string;
  readonly maxConcurrency: number;
  complete(request: ChatRequest): Promise<ChatResponse>;
  /** Streams the answer's text deltas. */
  stream(request: ChatRequest): AsyncIterable<string>;
}

export interface RerankResult {
  /** Index into the documents passed in. */
  readonly index: number;
  readonly score: number;
}

export interface Reranker {
  readonly model: string;
  readonly maxDocuments: number;
  rerank(query: string, documents: readonly string[], signal?: AbortSignal): Promise<RerankResult[]>;
}
