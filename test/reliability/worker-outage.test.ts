import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticDocument } from '../../bench/ingest/synthetic-corpus.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { spawnRhizome, type RunningRhizome } from '../support/spawn-rhizome.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { serverDriver, silentLogger } from '../support/test-databases.js';
import { testConfig } from '../support/test-platform.js';

/**
 * PostgreSQL goes away under a `worker` process in the middle of ingestion and comes back. The
 * worker used to die of an unhandled rejection (pg-boss records a job's failure without awaiting
 * it); it must ride the outage out and finish every document without a restart.
 */
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!serverDriver)('a worker process during a database outage [postgres]', () => {
  it('survives the outage and indexes every document once the database is back', { timeout: 400_000 }, async () => {
    const fresh = await serverDriver!.create();
    cleanup.push(() => fresh.dispose());
    const relay = await TcpRelay.start(fresh.url!);
    cleanup.push(() => relay.cut());
    const directory = mkdtempSync(join(tmpdir(), 'rhizome-outage-'));
    cleanup.push(() => rmSync(directory, { recursive: true, force: true }));
    const settings = {
      RHIZOME_PROFILE: 'test',
      RHIZOME_DATA_DIR: directory,
      RHIZOME_JOB_TIMEOUT_SECONDS: '20',
      RHIZOME_JOB_RETRIES: '5',
      RHIZOME_JOB_MAINTENANCE_SECONDS: '1',
      RHIZOME_JOB_RETRY_DELAY_SECONDS: '1',
      RHIZOME_WORKER_CONCURRENCY: '2',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    };
    // Intake straight to the database; only the worker goes through the relay.
    const intake = await createRuntime(testConfig({ ...settings, DATABASE_URL: fresh.url! }), silentLogger, { migrate: true });
    cleanup.push(() => intake.close());
    const tenant = await intake.tenants.create({ slug: 'outage', name: 'Outage' });
    const documents = [0, 1, 2, 3].map((index) => syntheticDocument(index, { characters: 120_000, peoplePool: 200 }));
    const received = await intake.documents.intake(
      tenant.id,
      documents.map((document) => ({ fileName: document.fileName, bytes: Buffer.from(document.text) })),
    );
    const ids = received.map((result) => result.id);

    const worker: RunningRhizome = spawnRhizome(['serve', '--role', 'worker', '--port', '0'], {
      ...settings,
      DATABASE_URL: relay.relayedUrl(fresh.url!),
    });
    cleanup.push(async () => {
      worker.child.kill('SIGKILL');
      await worker.exited;
    });
    const [, url] = await worker.waitFor(/running at (http:\/\/\S+)/);

    await until('a document in the middle of its pipeline', async () => {
      const records = await Promise.all(ids.map((id) => intake.documents.get(tenant.id, id)));
      return records.some((record) => ['chunking', 'embedding', 'extracting'].includes(record.status));
    });
    await relay.cut();
    // While the database is gone the worker's jobs fail and their failures cannot be recorded;
    // give it a few of its polling rounds to trip over that.
    const readyDuringOutage: number[] = [];
    for (let round = 0; round < 8; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // 0: the process no longer answers at all (it died).
      readyDuringOutage.push(await fetch(`${url!}/readyz`).then((response) => response.status, () => 0));
    }
    expect(readyDuringOutage).not.toContain(0);
    expect(worker.child.exitCode).toBeNull();
    expect(readyDuringOutage).toContain(503);
    await relay.restore();

    const records = await until(
      'every document indexed or failed',
      async () => {
        const current = await Promise.all(ids.map((id) => intake.documents.get(tenant.id, id)));
        return current.every((record) => record.status === 'indexed' || record.status === 'failed') && current;
      },
      300_000,
    );
    expect(records.map((record) => record.status)).toEqual(['indexed', 'indexed', 'indexed', 'indexed']);
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`${url!}/readyz`)).status).toBe(200);
    expect(worker.output()).not.toMatch(/unhandled promise rejection/);
  });
});
