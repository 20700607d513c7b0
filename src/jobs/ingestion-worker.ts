import type { Logger } from 'pino';
import type { Database } from '../core/database.js';
import type { Embedder } from '../core/models.js';
import { withTenant } from '../db/tenant-scope.js';
import type { DocumentPipeline } from '../ingest/document-pipeline.js';
import { embedInBatches } from '../ingest/embed-in-batches.js';
import { rebuildCommunities } from '../retrieval/communities/community-builder.js';
import { ingestionQueueName, type CommunityJobContext, type IngestionQueue } from './ingestion-queue.js';
import { ingestionJobs } from '../core/telemetry.js';

export interface IngestionWorkerOptions {
  readonly concurrency: number;
  /** Jobs a worker takes at once; their index writes share one transaction. */
  readonly batchSize: number;
  /** Documents left `queued` this long without progress are enqueued again. */
  readonly strandedAfterSeconds: number;
  readonly sweepIntervalMs: number;
  /**
   * A community rebuild waits while the tenant still has documents in the queue (the last one asks
   * for it again), but no longer than this after it was first asked for.
   */
  readonly communityMaxDelaySeconds: number;
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
    private readonly embedder: Embedder,
    private readonly options: IngestionWorkerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.queue.start();
    await this.queue.work(this.options.concurrency, this.options.batchSize, async (contexts) => {
      const outcomes = await this.pipeline.processBatch(
        contexts.map(({ job, finalAttempt }) => ({ tenantId: job.tenantId, documentId: job.documentId, finalAttempt })),
      );
      for (const outcome of outcomes) ingestionJobs.inc({ outcome: outcome instanceof Error ? 'retried' : outcome });
      const indexedTenants = new Set(
        contexts.filter((_, index) => outcomes[index] === 'indexed').map(({ job }) => job.tenantId),
      );
      for (const tenantId of indexedTenants) await this.queue.scheduleCommunityRebuild(tenantId);
      return outcomes.map((outcome) => (outcome instanceof Error ? outcome : undefined));
    });
    await this.queue.workCommunities((context) => this.onCommunityRebuild(context));
    this.sweepTimer = setInterval(() => {
      this.requeueStranded().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not check for stranded documents'),
      );
    }, this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    this.logger.info({ concurrency: this.options.concurrency }, 'ingestion worker started');
  }

  /** Rebuilds once the tenant's queue has drained, so a bulk ingest pays for one rebuild. */
  private async onCommunityRebuild({ tenantId, requestedAt }: CommunityJobContext): Promise<void> {
    const waitedSeconds = (Date.now() - requestedAt.getTime()) / 1000;
    if (
      waitedSeconds < this.options.communityMaxDelaySeconds &&
      (await this.queue.pendingCount(tenantId)) > 0
    ) {
      await this.queue.scheduleCommunityRebuild(tenantId);
      return;
    }
    await this.rebuildCommunities(tenantId);
  }

  /** Recomputes the tenant's communities and invalidates its cached searches. */
  private async rebuildCommunities(tenantId: string): Promise<void> {
    const started = performance.now();
    // No index lock here: a rebuild takes seconds on a large graph and would stall every write of
    // the tenant. Should a removal delete an entity this rebuild references, PostgreSQL reports a
    // deadlock or a foreign-key failure and the job runs again (pg-boss retries it).
    const result = await withTenant(this.database, tenantId, async (transaction) => {
      const rebuilt = await rebuildCommunities(transaction, {
        embed: (texts) => embedInBatches(this.embedder, texts),
      });
      await transaction.query('UPDATE corpus_statistics SET version = version + 1 WHERE tenant_id = $1', [
        tenantId,
      ]);
      return rebuilt;
    });
    this.logger.info(
      { tenantId, communities: result.communities, milliseconds: Math.round(performance.now() - started) },
      'communities rebuilt',
    );
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
    if (stranded.rowCount > 0)
      this.logger.info({ count: stranded.rowCount }, 're-enqueued stranded documents');
    return stranded.rowCount;
  }

  async stop(timeoutMs?: number): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.queue.stop(timeoutMs);
  }
}
