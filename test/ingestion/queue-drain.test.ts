import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

const backlog = 40;

describeEachDriver('draining a backlog of small documents', (driver) => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // An idle worker looks for jobs only every 10 minutes, and takes one job at a time. A worker
    // that waited out a polling interval between jobs would need hours for the backlog; one that
    // takes the next job as soon as one finishes drains it in seconds. The test asserts only that
    // the backlog drains within the wait below (minutes), so a loaded machine cannot fail it, yet
    // the slow behaviour can never pass.
    platform = await createTestPlatform(driver, {
      RHIZOME_WORKER_CONCURRENCY: '2',
      RHIZOME_WORKER_BATCH_SIZE: '1',
      RHIZOME_WORKER_POLLING_SECONDS: '600',
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
    await runtime.startWorker();
    const records = await waitForDocuments(
      runtime,
      tenant.id,
      intake.map((result) => result.id),
      240_000,
    );
    expect(records.every((record) => record.status === 'indexed')).toBe(true);
  });
});
