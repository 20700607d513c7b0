/**
 * A Reranker for the `/rerank` API shape that vLLM, Jina, Cohere-compatible servers and
 * DashScope's compatible mode share: `{model, query, documents, top_n}` in,
 * `{results: [{index, relevance_score}]}` out. Documents go in batches of `maxDocuments`, at most
 * `maxConcurrency` at once, and the merged results are sorted by score, best first.
 *
 * Merging batches is sound because these cross-encoder scores are computed per (query, document)
 * pair, independently of the other documents in the request. Every document must come back scored
 * exactly once (`top_n` asks for all of them): a server that silently drops some is misconfigured,
 * and losing documents without a word would be worse than failing.
 */
import type { Logger } from 'pino';
import { z } from 'zod';

import { UpstreamError } from '../../core/errors.js';
import { observeModelCall } from '../../core/telemetry.js';
import type { Reranker, RerankResult } from '../../core/models.js';
import { postJson, type HttpEndpoint } from './http-client.js';
import { mapWithConcurrency } from '../../core/map-with-concurrency.js';
import {
  createHttpEndpoint,
  parseProviderOptions,
  providerConnectionOptionsSchema,
} from './provider-connection.js';

export const openAiCompatibleRerankerOptionsSchema = providerConnectionOptionsSchema.extend({
  model: z.string().min(1),
  maxDocuments: z.number().int().min(1).max(10_000).default(64),
  maxConcurrency: z.number().int().min(1).max(64).default(4),
  /** Operation path below baseUrl: `/rerank` for vLLM, Jina and Cohere; `/reranks` for DashScope's compatible API. */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9/._-]*$/)
    .default('/rerank'),
});

export type OpenAiCompatibleRerankerOptions = z.input<typeof openAiCompatibleRerankerOptionsSchema> & {
  readonly logger?: Logger;
};

const rerankResponseSchema = z.object({
  results: z.array(z.object({ index: z.number().int().min(0), relevance_score: z.number() })),
});

export class OpenAiCompatibleReranker implements Reranker {
  readonly model: string;
  readonly maxDocuments: number;
  readonly maxConcurrency: number;
  private readonly path: string;
  private readonly endpoint: HttpEndpoint;

  constructor(options: OpenAiCompatibleRerankerOptions) {
    const settings = parseProviderOptions(openAiCompatibleRerankerOptionsSchema, options, 'reranker');
    this.model = settings.model;
    this.maxDocuments = settings.maxDocuments;
    this.maxConcurrency = settings.maxConcurrency;
    this.path = settings.path;
    this.endpoint = createHttpEndpoint(
      settings,
      `Rerank provider (model ${settings.model})`,
      undefined,
      options.logger,
    );
  }

  async rerank(query: string, documents: readonly string[], signal?: AbortSignal): Promise<RerankResult[]> {
    const offsets: number[] = [];
    for (let start = 0; start < documents.length; start += this.maxDocuments) offsets.push(start);
    const batches = await mapWithConcurrency(
      offsets,
      this.maxConcurrency,
      signal,
      (offset, _index, batchSignal) =>
        observeModelCall('rerank', this.model, () =>
          this.rerankBatch(query, documents.slice(offset, offset + this.maxDocuments), offset, batchSignal),
        ),
    );
    // Ties keep document order, so equal scores rank deterministically.
    return batches.flat().sort((left, right) => right.score - left.score || left.index - right.index);
  }

  private async rerankBatch(
    query: string,
    documents: readonly string[],
    offset: number,
    signal: AbortSignal,
  ): Promise<RerankResult[]> {
    const answer = await postJson(
      this.endpoint,
      this.path,
      { model: this.model, query, documents, top_n: documents.length },
      signal,
    );
    const parsed = rerankResponseSchema.safeParse(answer);
    if (!parsed.success) {
      throw new UpstreamError(
        'provider_malformed_response',
        `${this.endpoint.label} answered in an unexpected shape: ${z.prettifyError(parsed.error)}`,
        { details: { issues: parsed.error.issues.slice(0, 5).map((issue) => issue.path.join('.')) } },
      );
    }
    const seen = new Set<number>();
    for (const result of parsed.data.results) {
      if (result.index >= documents.length || seen.has(result.index)) {
        throw new UpstreamError(
          'provider_malformed_response',
          `${this.endpoint.label} answered with a repeated or out-of-range index ${result.index} for ${documents.length} documents`,
        );
      }
      seen.add(result.index);
    }
    if (seen.size !== documents.length) {
      throw new UpstreamError(
        'provider_malformed_response',
        `${this.endpoint.label} scored ${seen.size} of ${documents.length} documents`,
      );
    }
    return parsed.data.results.map((result) => ({
      index: offset + result.index,
      score: result.relevance_score,
    }));
  }
}
