import type { Embedder } from '../core/models.js';
import { UpstreamError } from '../core/errors.js';
import { mapWithConcurrency } from '../core/map-with-concurrency.js';

/** Embeds texts in the embedder's declared batch size and parallelism, keeping order. */
export async function embedInBatches(
  embedder: Embedder,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<number[][]> {
  const batches: string[][] = [];
  for (let start = 0; start < texts.length; start += embedder.maxBatchSize) {
    batches.push(texts.slice(start, start + embedder.maxBatchSize));
  }
  const results = await mapWithConcurrency(batches, embedder.maxConcurrency, signal, (batch, _index, batchSignal) =>
    embedder.embed(batch, batchSignal),
  );
  const vectors = results.flat();
  if (vectors.length !== texts.length || vectors.some((vector) => vector.length !== embedder.dimensions)) {
    throw new UpstreamError(
      'embedding_dimension_mismatch',
      `The embedder returned ${vectors.length} vectors for ${texts.length} texts, or vectors of the wrong size`,
    );
  }
  return vectors;
}
