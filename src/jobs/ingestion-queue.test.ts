import { PgBoss } from 'pg-boss';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../core/database.js';
import { migrate } from '../db/migrate.js';
import { describeEachDriver, silentLogger, type TestDatabase } from '../../test/support/test-databases.js';
import {
  communityQueueName,
  ingestionQueueName,
  IngestionQueue,
  type IngestionJobContext,
  type IngestionQueueOptions,
} from './ingestion-queue.js';

const options: IngestionQueueOptions = {
  retryLimit: 3,
  retryDelaySeconds: 0,
  // The shortest heartbeat pg-boss allows, looked for every second: a lost job returns quickly.
  heartbeatSeconds: 10,
  jobTimeoutSeconds: 3_600,
  pollingIntervalSeconds: 0.5,
  superviseIntervalSeconds: 1,
  communityDebounceSeconds: 2,
};

const tenantId = '00000000-0000-4000-8000-000000000001';

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function jobStates(database: Database, queue: string): Promise<{ state: string; retry_count: number }[]> {
  const result = await database.query<{ state: string; retry_count: number }>(
    'SELECT state::text, retry_count FROM pgboss.job WHERE name = $1 ORDER BY created_on',
    [queue],
  );
  return result.rows;
}

describeEachDriver('the job queue (pg-boss with heartbeats)', (driver) => {
  let testDatabase: TestDatabase;
  const queues: IngestionQueue[] = [];
  const open = (overrides: Partial<IngestionQueueOptions> = {}) => {
    const queue = new IngestionQueue(testDatabase.database, { ...options, ...overrides }, silentLogger);
    queues.push(queue);
    return queue;
  };

  beforeEach(async () => {
    testDatabase = await driver.create();
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.stop(5_000);
    await testDatabase.dispose();
  });

  it('keeps a live job claimed for longer than its heartbeat window: it runs once', async () => {
    const queue = open();
    const attempts: IngestionJobContext[] = [];
    let finish: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (finish = resolve));
    await queue.work(1, 1, async (contexts) => {
      attempts.push(...contexts);
      await released;
      return [undefined];
    });
    await queue.enqueue({ tenantId, documentId: 'long' });
    await until('the job to start', async () => attempts.length > 0);
    // Three heartbeat windows with the supervisor looking every second: without heartbeats the job
    // would have been failed and retried by now.
    await new Promise((resolve) => setTimeout(resolve, 3 * options.heartbeatSeconds * 1_000));
    expect(attempts).toHaveLength(1);
    expect(await jobStates(testDatabase.database, ingestionQueueName)).toEqual([{ state: 'active', retry_count: 0 }]);
    finish();
    await until('the job to complete', async () => (await queue.pendingCount()) === 0);
    expect(attempts).toHaveLength(1);
    expect(await jobStates(testDatabase.database, ingestionQueueName)).toEqual([
      { state: 'completed', retry_count: 0 },
    ]);
  }, 600_000);

  it('retries a job whose worker went silent once its heartbeat is stale, long before its time limit', async () => {
    const queue = open();
    await queue.enqueue({ tenantId, documentId: 'orphaned' });
    // A worker that claims the job and then vanishes (its process killed): it never heartbeats.
    const vanished = new PgBoss({
      db: { executeSql: (text, values) => testDatabase.database.query(text, values) },
      schema: 'pgboss',
      supervise: false,
      schedule: false,
      registerInstance: false,
    });
    vanished.on('error', () => undefined);
    await vanished.start();
    const claimed = await vanished.fetch(ingestionQueueName);
    expect(claimed).toHaveLength(1);
    await vanished.stop({ graceful: false, close: false });

    const attempts: IngestionJobContext[] = [];
    await queue.work(1, 1, async (contexts) => {
      attempts.push(...contexts);
      return [undefined];
    });
    await until('the job to be retried and completed', async () => (await queue.pendingCount()) === 0);
    expect(attempts).toEqual([
      { job: { tenantId, documentId: 'orphaned' }, attempt: 2, finalAttempt: false },
    ]);
  }, 600_000);

  it('hands a worker a batch and settles each job on its own: a failed one is retried alone', async () => {
    const queue = open();
    for (const documentId of ['a', 'b', 'c']) await queue.enqueue({ tenantId, documentId });
    const batches: string[][] = [];
    await queue.work(1, 8, async (contexts) => {
      batches.push(contexts.map(({ job, attempt }) => `${job.documentId}#${attempt}`));
      return contexts.map(({ job, attempt }) =>
        job.documentId === 'b' && attempt === 1 ? new Error('transient') : undefined,
      );
    });
    await until('every job to complete', async () => (await queue.pendingCount()) === 0);
    expect(batches[0]!.sort()).toEqual(['a#1', 'b#1', 'c#1']);
    expect(batches.slice(1).flat()).toEqual(['b#2']);
    expect(await jobStates(testDatabase.database, ingestionQueueName)).toEqual([
      { state: 'completed', retry_count: 0 },
      { state: 'completed', retry_count: 1 },
      { state: 'completed', retry_count: 0 },
    ]);
  }, 120_000);

  it('debounces community rebuilds: a burst of requests leaves one waiting rebuild, started after the last', async () => {
    const queue = open({ communityDebounceSeconds: 3_600 });
    await queue.scheduleCommunityRebuild(tenantId);
    const first = await testDatabase.database.query<{ start_after: Date }>(
      'SELECT start_after FROM pgboss.job WHERE name = $1',
      [communityQueueName],
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await queue.scheduleCommunityRebuild(tenantId);
    await queue.scheduleCommunityRebuild(tenantId);
    await queue.scheduleCommunityRebuild('00000000-0000-4000-8000-000000000002');
    const waiting = await testDatabase.database.query<{ tenant: string; start_after: Date }>(
      `SELECT data->>'tenantId' AS tenant, start_after FROM pgboss.job WHERE name = $1 AND state = 'created'`,
      [communityQueueName],
    );
    const ofTenant = waiting.rows.filter((row) => row.tenant === tenantId);
    expect(ofTenant).toHaveLength(1);
    expect(waiting.rows).toHaveLength(2);
    // Pushed back by the later requests: a debounce, not a throttle.
    expect(ofTenant[0]!.start_after.getTime()).toBeGreaterThan(first.rows[0]!.start_after.getTime());
    expect(await queue.pendingCommunityRebuilds(tenantId)).toBe(1);
  }, 120_000);

  it('runs a debounced rebuild once, after the requests stop', async () => {
    const queue = open();
    const rebuilt: string[] = [];
    await queue.workCommunities(async ({ tenantId: tenant }) => {
      rebuilt.push(tenant);
    });
    for (let index = 0; index < 5; index += 1) await queue.scheduleCommunityRebuild(tenantId);
    await until('the rebuild', async () => rebuilt.length > 0 && (await queue.pendingCommunityRebuilds()) === 0);
    expect(rebuilt).toEqual([tenantId]);
  }, 120_000);

  it("moves the unfinished jobs of a pg-boss 10 schema over, which pg-boss 12 cannot migrate", async () => {
    const database = testDatabase.database;
    // A migrated database, as a deployment upgrading from pg-boss 10 has.
    await migrate(database, { embeddingDimensions: 8, embeddingModel: 'test' }, silentLogger);
    // The parts of pg-boss 10's schema (version 24) the upgrade reads.
    await database.query('CREATE SCHEMA pgboss');
    await database.query('CREATE TABLE pgboss.version (version int PRIMARY KEY)');
    await database.query('INSERT INTO pgboss.version VALUES (24)');
    await database.query(`CREATE TYPE pgboss.job_state AS ENUM ('created', 'retry', 'active', 'completed', 'cancelled', 'failed')`);
    await database.query('CREATE TABLE pgboss.job (name text, data jsonb, state pgboss.job_state)');
    await database.query(
      `INSERT INTO pgboss.job VALUES
         ('ingest-document', '{"tenantId":"${tenantId}","documentId":"waiting"}', 'created'),
         ('ingest-document', '{"tenantId":"${tenantId}","documentId":"running"}', 'active'),
         ('ingest-document', '{"tenantId":"${tenantId}","documentId":"done"}', 'completed')`,
    );
    const queue = open();
    await queue.start();
    const moved = await database.query<{ document: string }>(
      `SELECT data->>'documentId' AS document FROM pgboss.job WHERE name = $1 AND state = 'created' ORDER BY 1`,
      [ingestionQueueName],
    );
    expect(moved.rows.map((row) => row.document)).toEqual(['running', 'waiting']);
    const version = await database.query<{ version: number }>('SELECT version FROM pgboss.version');
    expect(version.rows[0]!.version).toBeGreaterThanOrEqual(25);
  }, 120_000);
});
