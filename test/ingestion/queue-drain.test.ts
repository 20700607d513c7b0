import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

const backlog = 40;

describeEachDriver('draining a backlog of small documents', (driver) => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // The development profile polls every 2 s, which makes the difference unmistakable.
    platform = await createTestPlatform(driver, {
      RHIZOME_WORKER_CONCURRENCY: '2',
      RHIZOME_PROFILE: 'development',
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(() => platform.dispose());

  it('takes the next job as soon as one finishes, not one job per polling interval', async () => {
    const { runtime } = platform;
    const tenant = await runtime.tenants.create({ slug: 'backlog', name: 'Backlog' });
    // Queued before any worker runs (as when uploads reach an API process and a separate worker
    // process drains them): no enqueue wakes the workers, only their own loop does.
    const intake = await runtime.documents.intake(
      tenant.id,
      Array.from({ length: backlog }, (_, index) => ({
        fileName: `note-${index}.md`,
        bytes: Buffer.from(`# Note ${index}\n\nRosalind Franklin measured sample ${index} at King's College London.\n`),
      })),
    );
    const started = Date.now();
    await runtime.startWorker();
    const records = await waitForDocuments(
      runtime,
      tenant.id,
      intake.map((result) => result.id),
      240_000,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(records.every((record) => record.status === 'indexed')).toBe(true);
    // Each job takes tens of milliseconds. Waiting out the 2 s polling interval after every job
    // caps two workers at one job per second: 40 documents would take 40 s. The bound leaves
    // room for a busy machine; it only has to tell the two behaviours apart.
    expect(seconds).toBeLessThan(25);
  });
});
