import { PgBoss, type JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../core/database.js';
import type { IngestionJob, JobQueue } from '../core/job-queue.js';

export type { IngestionJob } from '../core/job-queue.js';

export const ingestionQueueName = 'ingest-document';
export const communityQueueName = 'rebuild-communities';
const schema = 'pgboss';

export interface IngestionJobContext {
  readonly job: IngestionJob;
  readonly attempt: number;
  /** True when a thrown error will not be retried. */
  readonly finalAttempt: boolean;
}

export interface CommunityJobContext {
  readonly tenantId: string;
  /** When the first request of this (debounced) rebuild was made. */
  readonly requestedAt: Date;
}

export interface IngestionQueueOptions {
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  /**
   * A running job's worker refreshes its heartbeat every fifth of this; a job not heard from for
   * this long (its worker was killed or lost the database) is retried. pg-boss needs ≥ 10.
   */
  readonly heartbeatSeconds: number;
  /** Upper bound on one job however alive its worker is (pg-boss allows at most 24 h). */
  readonly jobTimeoutSeconds: number;
  readonly pollingIntervalSeconds: number;
  /** How often pg-boss looks for jobs whose heartbeat stopped or whose time ran out. */
  readonly superviseIntervalSeconds: number;
  /** A community rebuild starts this long after the last request for it (a true debounce). */
  readonly communityDebounceSeconds: number;
}

/**
 * The job queue, on pg-boss over our own database handle (so it runs on PGlite and on a server
 * alike, with no broker). Transient failures are retried with exponential backoff. Workers send
 * heartbeats while a job runs: a job whose worker was killed is retried once its heartbeat is
 * `heartbeatSeconds` stale, while a live job, however long, keeps its claim.
 */
export class IngestionQueue implements JobQueue {
  private readonly boss: PgBoss;
  private readonly workerIds: string[] = [];
  private starting: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly options: IngestionQueueOptions,
    private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      db: {
        executeSql: async (text, values) => {
          // Processes starting together on a fresh database (replicas of a first deployment) race
          // on creating the same queue, which deadlocks (row insert vs. partition DDL): serialise it.
          if (text.startsWith('SELECT') && text.includes('.create_queue(')) {
            return database.transaction(async (transaction) => {
              await transaction.query(
                "SELECT pg_advisory_xact_lock(hashtext('rhizome:pgboss:create_queue'))",
              );
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
      schema,
      // Cron scheduling is not used; the instance registry is pg-boss bookkeeping we never read.
      schedule: false,
      registerInstance: false,
      superviseIntervalSeconds: options.superviseIntervalSeconds,
      monitorIntervalSeconds: options.superviseIntervalSeconds,
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'));
  }

  /** Idempotent; `enqueue` and `work` call it, so roles that never queue never start pg-boss. */
  start(): Promise<void> {
    this.starting ??= this.startBoss();
    return this.starting;
  }

  private async startBoss(): Promise<void> {
    const retired = await retireVersion10Schema(this.database);
    await this.boss.start();
    await this.boss.createQueue(ingestionQueueName, this.sendOptions());
    // `short`: at most one rebuild waits per tenant (its start is pushed back by each request),
    // while another may be running.
    await this.boss.createQueue(communityQueueName, { ...this.sendOptions(), retryLimit: 2, policy: 'short' });
    if (retired.length > 0) {
      for (const job of retired) await this.boss.send(ingestionQueueName, job, this.sendOptions());
      this.logger.info({ jobs: retired.length }, 'moved unfinished jobs from the pg-boss 10 schema');
    }
  }

  /** Retries, expiry and heartbeat of ingestion jobs: the queue's defaults, and sent with each job. */
  private sendOptions() {
    return {
      retryLimit: this.options.retryLimit,
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.jobTimeoutSeconds,
      heartbeatSeconds: this.options.heartbeatSeconds,
    };
  }

  /**
   * Asks for the tenant's communities to be recomputed. A true debounce: every request moves the
   * one waiting rebuild of the tenant `communityDebounceSeconds` later, so a burst of documents
   * causes one rebuild after it settles, not one per slot while it lasts.
   */
  async scheduleCommunityRebuild(tenantId: string): Promise<void> {
    await this.start();
    await this.boss.upsert(
      communityQueueName,
      { tenantId },
      {
        singletonKey: tenantId,
        startAfter: this.options.communityDebounceSeconds,
      },
    );
  }

  /** Consumes community rebuilds, one at a time per process. */
  async workCommunities(handler: (context: CommunityJobContext) => Promise<void>): Promise<void> {
    await this.start();
    await this.boss.work(
      communityQueueName,
      {
        batchSize: 1,
        includeMetadata: true,
        pollingIntervalSeconds: this.options.pollingIntervalSeconds,
        heartbeatRefreshSeconds: this.options.heartbeatSeconds / 5,
      },
      async (jobs: JobWithMetadata<{ tenantId: string }>[]) => {
        for (const job of jobs) await handler({ tenantId: job.data.tenantId, requestedAt: job.createdOn });
      },
    );
  }

  async enqueue(job: IngestionJob): Promise<string> {
    await this.start();
    const id = await this.boss.send(ingestionQueueName, job, this.sendOptions());
    if (!id) throw new Error('the job queue refused the ingestion job');
    // Wake local workers now instead of at their next poll.
    for (const workerId of this.workerIds) this.boss.notifyWorker(workerId);
    return id;
  }

  /**
   * Starts `concurrency` workers in this process. Each fetches up to `batchSize` jobs at a time and
   * hands them to `handler` together; the handler answers per job, and a job answered with an Error
   * is retried (or failed, on its last attempt) on its own.
   */
  async work(
    concurrency: number,
    batchSize: number,
    handler: (contexts: readonly IngestionJobContext[]) => Promise<(Error | undefined)[]>,
  ): Promise<void> {
    await this.start();
    for (let index = 0; index < concurrency; index += 1) {
      let workerId = '';
      workerId = await this.boss.work(
        ingestionQueueName,
        {
          includeMetadata: true,
          batchSize,
          perJobResults: true,
          pollingIntervalSeconds: this.options.pollingIntervalSeconds,
          // pg-boss refreshes at half the window by default, leaving a live job one stalled refresh
          // from being retried; on a loaded two-core machine a busy event loop or database can delay
          // a refresh by seconds (seen: a live job retried). A fifth leaves four refreshes of margin
          // for the price of a one-row update every few seconds per running job.
          heartbeatRefreshSeconds: this.options.heartbeatSeconds / 5,
        },
        async (jobs: JobWithMetadata<IngestionJob>[]) => {
          const outcomes = await handler(
            jobs.map((job) => ({
              job: job.data,
              attempt: job.retryCount + 1,
              finalAttempt: job.retryCount >= job.retryLimit,
            })),
          );
          // pg-boss waits out the polling interval after every fetch; while there is work, look
          // for the next batch at once instead (measured: 2 s per document otherwise).
          if (jobs.length > 0) this.boss.notifyWorker(workerId);
          return jobs.map((job, position) => {
            const error = outcomes[position];
            return error
              ? { id: job.id, status: 'failed' as const, output: { message: error.message } }
              : { id: job.id, status: 'completed' as const };
          });
        },
      );
      this.workerIds.push(workerId);
    }
  }

  /** Ingestion jobs not yet finished (queued, retrying or running), of one tenant or all. */
  async pendingCount(tenantId?: string): Promise<number> {
    await this.start();
    return countUnfinished(this.database, ingestionQueueName, tenantId);
  }

  /** Community rebuilds not yet finished, of one tenant or all. */
  async pendingCommunityRebuilds(tenantId?: string): Promise<number> {
    await this.start();
    return countUnfinished(this.database, communityQueueName, tenantId);
  }

  /** Stops taking jobs, waits for running ones (up to the timeout), then releases the queue. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    this.starting = undefined;
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: false });
  }
}

/** Read straight from pg-boss's table: its queue statistics are cached and lag by a monitor pass. */
async function countUnfinished(
  database: Queryable,
  queue: string,
  tenantId: string | undefined,
): Promise<number> {
  const result = await database.query<{ pending: number }>(
    `SELECT count(*)::int AS pending FROM ${schema}.job
     WHERE name = $1 AND state < 'completed' AND ($2::text IS NULL OR data->>'tenantId' = $2)`,
    [queue, tenantId ?? null],
  );
  return result.rows[0]!.pending;
}

/**
 * pg-boss 11 and later cannot migrate pg-boss 10's schema (version 24). A database that still has
 * one gets it dropped, under a lock so processes starting together do this once, and its
 * unfinished ingestion jobs are returned to be sent again once the new schema is installed. (Should
 * the process die in between, the stranded-document sweep re-enqueues documents left `queued`.)
 */
async function retireVersion10Schema(database: Database): Promise<IngestionJob[]> {
  return database.transaction(async (transaction) => {
    await transaction.query("SELECT pg_advisory_xact_lock(hashtext('rhizome:pgboss:upgrade'))");
    const exists = await transaction.query<{ present: boolean }>(
      `SELECT to_regclass('${schema}.version') IS NOT NULL AS present`,
    );
    if (!exists.rows[0]!.present) return [];
    const version = await transaction.query<{ version: number }>(`SELECT version FROM ${schema}.version`);
    if ((version.rows[0]?.version ?? 0) >= 25) return [];
    const unfinished = await transaction.query<{ data: IngestionJob }>(
      `SELECT data FROM ${schema}.job WHERE name = $1 AND state < 'completed'`,
      [ingestionQueueName],
    );
    await transaction.query(`DROP SCHEMA ${schema} CASCADE`);
    return unfinished.rows.map((row) => row.data);
  });
}
