/**
 * The port ingestion and document services use to hand work to the worker role. The adapter
 * (`src/jobs/`) keeps the queue in PostgreSQL; services above `ingest/` and `retrieval/` consume it.
 */
export interface IngestionJob {
  readonly tenantId: string;
  readonly documentId: string;
}

export interface JobQueue {
  /** Queues a document for (re-)ingestion; resolves with the job id. */
  enqueue(job: IngestionJob): Promise<string>;
  /** Asks for the tenant's communities to be recomputed once its ingestion settles. */
  scheduleCommunityRebuild(tenantId: string): Promise<void>;
}
