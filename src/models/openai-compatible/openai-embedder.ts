/**
 * An Embedder for any server that speaks OpenAI's `/embeddings` API: OpenAI, Azure OpenAI,
 * Alibaba DashScope (compatible mode), vLLM, Ollama, and others. Texts are sent in batches of
 * `maxBatchSize`, at most `maxConcurrency` at once, and the vectors come back in the texts' order
 * whatever order the server lists them in. Every answer is checked: one vector per text, each with
 * exactly `dimensions` numbers, because a wrong-sized vector stored in pgvector would either fail
 * the insert or, worse, sit in an index built for another model.
 */
import type { Logger } from 'pino';
import { z } from 'zod';

import { UpstreamError } from '../../core/errors.js';
import { observeModelCall } from '../../core/telemetry.js';
import type { Embedder } from '../../core/models.js';
import { postJson, type HttpEndpoint } from './http-client.js';
import { mapWithConcurrency } from '../../core/map-with-concurrency.js';
import {
  azureDeploymentSchema,
  createHttpEndpoint,
  parseProviderOptions,
  providerConnectionOptionsSchema,
} from './provider-connection.js';

export const openAiEmbedderOptionsSchema = providerConnectionOptionsSchema.extend({
  model: z.string().min(1),
  dimensions: z.number().int().min(1).max(16_000),
  /** Send `dimensions` in the request: only models that can shorten their vectors (OpenAI's
   * text-embedding-3, some DashScope models) accept it; others reject the request. */
  sendDimensions: z.boolean().default(false),
  maxBatchSize: z.number().int().min(1).max(2048).default(64),
  maxConcurrency: z.number().int().min(1).max(64).default(4),
  azure: azureDeploymentSchema.optional(),
});

export type OpenAiEmbedderOptions = z.input<typeof openAiEmbedderOptionsSchema> & {
  readonly logger?: Logger;
};

const embeddingResponseSchema = z.object({
  data: z.array(
    z.object({
      index: z.number().int().min(0),
      embedding: z.array(z.number()),
    }),
  ),
});

export class OpenAiEmbedder implements Embedder {
  /** A neural embedding model: its list carries evidence BM25 lacks, and fusion weighs it as BM25's peer. */
  readonly semantic = true;
  readonly model: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  readonly maxConcurrency: number;
  private readonly sendDimensions: boolean;
  private readonly endpoint: HttpEndpoint;

  constructor(options: OpenAiEmbedderOptions) {
    const settings = parseProviderOptions(openAiEmbedderOptionsSchema, options, 'OpenAI-compatible embedder');
    this.model = settings.model;
    this.dimensions = settings.dimensions;
    this.maxBatchSize = settings.maxBatchSize;
    this.maxConcurrency = settings.maxConcurrency;
    this.sendDimensions = settings.sendDimensions;
    this.endpoint = createHttpEndpoint(
      settings,
      `Embedding provider (model ${settings.model})`,
      settings.azure,
      options.logger,
    );
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const batches: (readonly string[])[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatchSize) {
      batches.push(texts.slice(start, start + this.maxBatchSize));
    }
    const vectors = await mapWithConcurrency(
      batches,
      this.maxConcurrency,
      signal,
      (batch, _index, batchSignal) =>
        observeModelCall('embed', this.model, () => this.embedBatch(batch, batchSignal)),
    );
    return vectors.flat();
  }

  private async embedBatch(texts: readonly string[], signal: AbortSignal): Promise<number[][]> {
    const body: Record<string, unknown> = { model: this.model, input: texts };
    if (this.sendDimensions) body.dimensions = this.dimensions;
    const parsed = embeddingResponseSchema.safeParse(
      await postJson(this.endpoint, '/embeddings', body, signal),
    );
    if (!parsed.success) {
      throw new UpstreamError(
        'provider_malformed_response',
        `${this.endpoint.label} answered in an unexpected shape: ${z.prettifyError(parsed.error)}`,
        { details: { issues: parsed.error.issues.slice(0, 5).map((issue) => issue.path.join('.')) } },
      );
    }
    const vectors = new Array<number[] | undefined>(texts.length);
    for (const item of parsed.data.data) {
      if (item.index >= texts.length || vectors[item.index] !== undefined) {
        throw new UpstreamError(
          'provider_malformed_response',
          `${this.endpoint.label} answered with a missing, repeated or out-of-range index ${item.index} for ${texts.length} texts`,
        );
      }
      if (item.embedding.length !== this.dimensions) {
        throw new UpstreamError(
          'embedding_dimension_mismatch',
          `${this.endpoint.label} returned ${item.embedding.length}-dimensional vectors; ${this.dimensions} are configured`,
          { details: { model: this.model, expected: this.dimensions, received: item.embedding.length } },
        );
      }
      vectors[item.index] = item.embedding;
    }
    if (parsed.data.data.length !== texts.length) {
      throw new UpstreamError(
        'provider_malformed_response',
        `${this.endpoint.label} returned ${parsed.data.data.length} vectors for ${texts.length} texts`,
      );
    }
    return vectors as number[][];
  }
}
