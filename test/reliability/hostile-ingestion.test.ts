import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

/**
 * Hostile documents through the whole service on the embedded default, where a blocked event loop
 * used to stop everything: they fail permanently on their first attempt, and the HTTP API answers
 * while documents parse.
 */
const pglite = testDrivers[0]!;

function nestedDivs(depth: number, salt: string): Buffer {
  return Buffer.from(
    `<!DOCTYPE html><html><head><title>${salt}</title></head><body>${'<div>'.repeat(depth)}${salt} at the bottom${'</div>'.repeat(depth)}</body></html>`,
  );
}

describe('hostile documents through the service [pglite]', () => {
  let platform: TestPlatform;
  let tenantId: string;

  beforeAll(async () => {
    platform = await createTestPlatform(pglite, { RHIZOME_WORKER_CONCURRENCY: '1' });
    tenantId = (await platform.runtime.tenants.create({ slug: 'hostile', name: 'Hostile' })).id;
    await platform.runtime.startWorker();
  });
  afterAll(() => platform.dispose());

  it('fails pathological nesting and external entities once, permanently, with a reason', async () => {
    const xxe = Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>' +
        '<rss version="2.0"><channel><title>&secret;</title><link>https://example.org</link>' +
        '<description>x</description><item><title>i</title><description>d</description></item></channel></rss>',
    );
    const intake = await platform.runtime.documents.intake(tenantId, [
      { fileName: 'abyss.html', bytes: nestedDivs(200_000, 'abyss') },
      { fileName: 'xxe.xml', bytes: xxe },
    ]);
    const records = await waitForDocuments(platform.runtime, tenantId, intake.map((result) => result.id), 400_000);
    expect(records.map((record) => [record.fileName, record.status, record.errorCode, record.attempts])).toEqual([
      ['abyss.html', 'failed', 'document_too_complex', 1],
      ['xxe.xml', 'failed', 'unsafe_document', 1],
    ]);
    expect(records.every((record) => (record.errorMessage ?? '').length > 0)).toBe(true);
  });

  it('keeps answering /healthz while documents parse', { timeout: 600_000 }, async () => {
    // Nested just inside the bound: legal, and each takes the parser a while.
    const intake = await platform.runtime.documents.intake(
      tenantId,
      ['one', 'two', 'three'].map((salt) => ({ fileName: `${salt}.html`, bytes: nestedDivs(250, salt) })),
    );
    const ids = intake.map((result) => result.id);
    // Count probes answered between two observations of a document in `parsing`. With parsing on
    // the event loop, nothing is answered while a parse runs.
    let answeredWhileParsing = 0;
    let previousParsing = false;
    let pendingProbes = 0;
    for (let round = 0; round < 5_000; round += 1) {
      const statuses = await Promise.all(ids.map((id) => platform.runtime.documents.get(tenantId, id)));
      const parsing = statuses.some((record) => record.status === 'parsing');
      if (parsing && previousParsing) answeredWhileParsing += pendingProbes;
      if (statuses.every((record) => record.status === 'indexed' || record.status === 'failed')) break;
      const probe = await platform.app.inject('/healthz');
      expect(probe.statusCode).toBe(200);
      pendingProbes = 1;
      previousParsing = parsing;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const records = await waitForDocuments(platform.runtime, tenantId, ids, 400_000);
    expect(records.map((record) => record.status)).toEqual(['indexed', 'indexed', 'indexed']);
    expect(answeredWhileParsing).toBeGreaterThan(3);
  });
});
