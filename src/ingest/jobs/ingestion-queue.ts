import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../../core/database.js';

export const ingestionQueueName = 'ingest-document';
export const communityQueueName = 'rebuild-communities';

/** Many documents indexed in a burst cause one community rebuild, this long after the last. */
const communityDebounceSeconds = 5;

export interface IngestionJob {
  readonly tenantId: string;
  readonly documentId: string;
}

export interface IngestionJobContext {
  readonly job: IngestionJob;
  readonly attempt: number;
  /** True when a thrown error will not be retried. */
  readonly finalAttempt: boolean;
}

export interface IngestionQueueOptions {
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  /** A job running longer is considered lost (its worker died) and is retried. */
  readonly jobTimeoutSeconds: number;
  readonly pollingIntervalSeconds: number;
  /** How often pg-boss looks for expired jobs (those whose worker died). */
  readonly maintenanceIntervalSeconds: number;
}

/**
 * The ingestion queue, on pg-boss over our own database handle (so it runs on PGlite and on a
 * server alike, with no broker). Transient failures are retried with exponential backoff; a job
 * whose worker was killed expires after `jobTimeoutSeconds` and runs again.
 */
export class IngestionQueue {
  private readonly boss: PgBoss;
  private readonly workerIds: string[] = [];
  private starting: Promise<void> | undefined;

  constructor(
    database: Database,
    private readonly options: IngestionQueueOptions,
    private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      db: {
        executeSql: async (text, values) => {
          // Processes starting together on a fresh database (replicas of a first deployment) race
          // on pg-boss's setup. Creating the same queue at once deadlocks (row insert vs. partition
          // DDL): serialise it.
          if (text.includes('.create_queue(')) {
            return database.transaction(async (transaction) => {
              await transaction.query("SELECT pg_advisory_xact_lock(hashtext('rhizome:pgboss:create_queue'))");
              return transaction.query(text, values);
            });
          }
          try {
            return await database.query(text, values);
          } catch (error) {
            // Installing at once: the second waits on pg-boss's advisory lock, then its CREATE
            // SCHEMA IF NOT EXISTS misses the schema the first just committed and hits the
            // catalog's unique index. The install is complete by then; pg-boss recognises that
            // race by "already exists".
            if ((error as { code?: string }).code === '23505' && text.includes('CREATE SCHEMA IF NOT EXISTS')) {
              throw new Error('pg-boss schema already exists (installed concurrently)', { cause: error });
            }
            throw error;
          }
        },
      },
      schema: 'pgboss',
      // Archive and delete housekeeping stays on; cron scheduling is not used.
      schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'));
  }

  /** Idempotent; `enqueue` and `work` call it, so roles that never queue never start pg-boss. */
  start(): Promise<void> {
    this.starting ??= this.startBoss();
    return this.starting;
  }

  private async startBoss(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(ingestionQueueName, {
      name: ingestionQueueName,
      retryLimit: this.options.retryLimit,
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.jobTimeoutSeconds,
    });
    await this.boss.createQueue(communityQueueName, {
      name: communityQueueName,
      retryLimit: 2,
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.jobTimeoutSeconds,
    });
  }

  /** Asks for the tenant's communities to be recomputed once its documents settle. */
  async scheduleCommunityRebuild(tenantId: string): Promise<void> {
    await this.start();
    await this.boss.sendDebounced(communityQueueName, { tenantId }, {}, communityDebounceSeconds, tenantId);
  }

  /** Consumes community rebuilds, one at a time per process. */
  async workCommunities(handler: (tenantId: string) => Promise<void>): Promise<void> {
    await this.start();
    await this.boss.work<{ tenantId: string }>(
      communityQueueName,
      { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds },
      async (jobs) => {
        for (const job of jobs) await handler(job.data.tenantId);
      },
    );
  }

  async enqueue(job: IngestionJob): Promise<string> {
    await this.start();
    const id = await this.boss.send(ingestionQueueName, job, {
      retryLimit: this.options.retryLimit,
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.jobTimeoutSeconds,
    });
    if (!id) throw new Error('the job queue refused the ingestion job');
    // Wake local workers now instead of at their next poll.
    for (const workerId of this.workerIds) this.boss.notifyWorker(workerId);
    return id;
  }

  /** Starts `concurrency` workers in this process; each handles one job at a time. */
  async work(concurrency: number, handler: (context: IngestionJobContext) => Promise<void>): Promise<void> {
    await this.start();
    for (let index = 0; index < concurrency; index += 1) {
      let workerId = '';
      workerId = await this.boss.work<IngestionJob>(
        ingestionQueueName,
        { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds },
        async (jobs) => {
          for (const job of jobs) {
            await handler({
              job: job.data,
              attempt: job.retryCount + 1,
              finalAttempt: job.retryCount >= job.retryLimit,
            });
          }
          // pg-boss waits out the polling interval after every fetch; while there is work, look
          // for the next job at once instead (measured: 2 s per document otherwise).
          if (jobs.length > 0) this.boss.notifyWorker(workerId);
        },
      );
      this.workerIds.push(workerId);
    }
  }

  /** Jobs not yet finished (queued, retrying or running). */
  async pendingCount(): Promise<number> {
    return this.boss.getQueueSize(ingestionQueueName, { before: 'completed' });
  }

  /** Stops taking jobs, waits for running ones (up to the timeout), then releases the queue. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    this.starting = undefined;
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
  }
}
