import { ingestionStageDuration, secondsSince, withSpan } from '../core/telemetry.js';

export type IngestionStage = 'parsing' | 'chunking' | 'embedding' | 'extracting' | 'writing';

/**
 * Runs one ingestion stage in a span (`ingest.<stage>`) and records its duration, failed attempts
 * included, in `rhizome_ingestion_stage_duration_seconds{stage}`: where ingestion time goes is what
 * an operator sizes workers and model quotas by.
 */
export async function timeIngestionStage<T>(stage: IngestionStage, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await withSpan(`ingest.${stage}`, {}, () => work());
  } finally {
    ingestionStageDuration.observe({ stage }, secondsSince(started));
  }
}
