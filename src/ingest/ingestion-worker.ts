import type { Logger } from 'pino';
import type { Database } from '../core/database.js';
import type { DocumentPipeline } from './document-pipeline.js';
import { ingestionQueueName, type IngestionQueue } from './jobs/ingestion-queue.js';

export interface IngestionWorkerOptions {
  readonly concurrency: number;
  /** Documents left `queued` this long without progress are enqueued again. */
  readonly strandedAfterSeconds: number;
  readonly sweepIntervalMs: number;
}

/**
 * The worker role: consumes ingestion jobs with bounded concurrency. It also re-enqueues documents
 * stranded in `queued` (their job was lost, e.g. the enqueue failed after the upload committed);
 * running a document twice is harmless because the pipeline replaces its index atomically.
 */
export class IngestionWorker {
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: Database,
    private readonly queue: IngestionQueue,
    private readonly pipeline: DocumentPipeline,
    private readonly options: IngestionWorkerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.queue.start();
    await this.queue.work(this.options.concurrency, async ({ job, finalAttempt }) => {
      await this.pipeline.process(job.tenantId, job.documentId, { finalAttempt });
    });
    this.sweepTimer = setInterval(() => {
      this.requeueStranded().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not check for stranded documents'),
      );
    }, this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    this.logger.info({ concurrency: this.options.concurrency }, 'ingestion worker started');
  }

  /** Re-enqueues documents that have waited in `queued` too long. Platform-level: all tenants. */
  async requeueStranded(): Promise<number> {
    const stranded = await this.database.query<{ id: string; tenant_id: string }>(
      `UPDATE documents SET updated_at = now()
       WHERE status = 'queued' AND updated_at < now() - make_interval(secs => $1)
         AND NOT EXISTS (
           -- pg-boss's own table: a job still created, retrying or active means nothing is lost.
           SELECT 1 FROM pgboss.job j
           WHERE j.name = $2 AND j.data->>'documentId' = documents.id::text AND j.state < 'completed'
         )
       RETURNING id, tenant_id`,
      [this.options.strandedAfterSeconds, ingestionQueueName],
    );
    for (const row of stranded.rows) {
      await this.queue.enqueue({ tenantId: row.tenant_id, documentId: row.id });
    }
    if (stranded.rowCount > 0) this.logger.info({ count: stranded.rowCount }, 're-enqueued stranded documents');
    return stranded.rowCount;
  }

  async stop(timeoutMs?: number): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.queue.stop(timeoutMs);
  }
}
