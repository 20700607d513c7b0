import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/core/database.js';
import { graphNameForTenant } from '../../src/db/graph/graph-identifiers.js';
import { entityLabel, relationLabel } from '../../src/db/graph/tenant-graph.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';
import { expectConsistent, indexCounts } from '../support/index-counts.js';
import {
  serverDriver,
  silentLogger,
  testDrivers,
  type TestDatabase,
  type TestDriver,
} from '../support/test-databases.js';
import { testConfig, waitForDocuments } from '../support/test-platform.js';

const documentCount = 20;
const firstNames = ['Henrietta', 'Bartholomew', 'Cornelia', 'Augustin', 'Philippa'];
const lastNames = [
  'Walcott',
  'Quist',
  'Ferrand',
  'Oyelaran',
  'Lindqvist',
  'Marchetti',
  'Abernathy',
  'Kowalczyk',
  'Delacroix',
  'Nakamura',
  'Okonkwo',
  'Vasquez',
  'Thorvald',
  'Iwasaki',
  'Brennan',
  'Castellano',
  'Haverford',
  'Szabo',
  'Montague',
  'Achterberg',
];

/** The one name only document `index` mentions. */
function personOf(index: number): string {
  return `${firstNames[index % firstNames.length]} ${lastNames[index]}`;
}

/**
 * Several small chunks per document (the tests use 64-token chunks): every document names Ada
 * Lovelace and Charles Babbage, some paragraphs both, some only one, and a person of its own.
 */
function documentText(index: number): string {
  const person = personOf(index);
  const paragraphs = [
    `Ada Lovelace met Charles Babbage and ${person} in London to discuss engine number ${index}.`,
    `${person} later wrote to Charles Babbage about the results of the trial and the cost of the brass gears.`,
    `The committee reviewed the drawings for several weeks and asked for a smaller prototype before any funding.`,
    `Ada Lovelace kept careful notes on the Analytical Engine and described how it could compute Bernoulli numbers.`,
    `Much later the work was rediscovered by historians, who found the letters in an archive in a country house.`,
  ];
  if (index % 2 === 0)
    paragraphs.push(`Charles Babbage answered Ada Lovelace at length about engine number ${index}.`);
  if (index % 3 === 0)
    paragraphs.push(`${person} and Ada Lovelace never met Charles Babbage again after that winter.`);
  return `# Meeting ${index}\n\n${paragraphs.join('\n\n')}\n`;
}

function concurrentIngestion(driver: TestDriver, sharedHandle: boolean): void {
  let testDatabase: TestDatabase;
  let first: Runtime;
  let second: Runtime;
  let dataDirectory: string;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await driver.create();
    database = testDatabase.database;
    dataDirectory = mkdtempSync(join(tmpdir(), 'rhizome-concurrency-'));
    const config = testConfig({
      ...(testDatabase.url ? { DATABASE_URL: testDatabase.url } : {}),
      RHIZOME_DATA_DIR: dataDirectory,
      RHIZOME_WORKER_CONCURRENCY: '2',
      // Small batches, so both runtimes' workers take part and their writes overlap.
      RHIZOME_WORKER_BATCH_SIZE: '3',
      RHIZOME_CHUNK_TOKENS: '64',
      RHIZOME_CHUNK_OVERLAP_TOKENS: '8',
    });
    // On the server each runtime opens its own pool, as two processes would; PGlite has one handle.
    const options = sharedHandle ? { database, migrate: true } : { migrate: true };
    first = await createRuntime(config, silentLogger, options);
    second = await createRuntime(config, silentLogger, options);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await testDatabase?.dispose();
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('indexes overlapping documents from two workers at once into one consistent graph', async () => {
    const tenant = await first.tenants.create({ slug: 'overlap', name: 'Overlap' });
    const firstRuns = vi.spyOn(first.pipeline, 'processBatch');
    const secondRuns = vi.spyOn(second.pipeline, 'processBatch');
    const documentsRun = (runs: typeof firstRuns) => runs.mock.calls.reduce((sum, [jobs]) => sum + jobs.length, 0);
    if (sharedHandle) {
      // One PGlite session: pg-boss's first-start install cannot race itself there; start in turn.
      await first.startWorker();
      await second.startWorker();
    } else {
      // Two processes starting at once on a fresh database, as replicas do on a first deployment.
      await Promise.all([first.startWorker(), second.startWorker()]);
    }

    // Uploads through both runtimes at the same time while both workers are already consuming.
    const uploads = await Promise.all(
      Array.from({ length: documentCount }, (_, index) =>
        (index % 2 === 0 ? first : second).documents.intake(tenant.id, [
          { fileName: `meeting-${index}.md`, bytes: Buffer.from(documentText(index)) },
        ]),
      ),
    );
    const ids = uploads.map(([result]) => result!.id);
    const records = await waitForDocuments(first, tenant.id, ids, 120_000);
    expect(records.map((record) => [record.fileName, record.status, record.errorMessage])).toEqual(
      records.map((record) => [record.fileName, 'indexed', null]),
    );
    // Both workers took part, and no job needed a second attempt.
    expect(documentsRun(firstRuns)).toBeGreaterThan(0);
    expect(documentsRun(secondRuns)).toBeGreaterThan(0);
    expect(documentsRun(firstRuns) + documentsRun(secondRuns)).toBe(documentCount);
    expect(records.map((record) => record.attempts)).toEqual(records.map(() => 1));
    expect(records.every((record) => record.chunkCount > 1)).toBe(true);

    await expectGraphIsExact(tenant.id, documentCount);

    // Removing concurrently from both runtimes keeps everything exact too.
    await Promise.all(
      ids.slice(0, 10).map((id, index) => (index % 2 === 0 ? second : first).documents.delete(tenant.id, id)),
    );
    await expectGraphIsExact(tenant.id, documentCount - 10);
    await Promise.all(
      ids.slice(10).map((id, index) => (index % 2 === 0 ? first : second).documents.delete(tenant.id, id)),
    );
    const empty = await indexCounts(database, tenant.id);
    expect(empty).toMatchObject({
      documents: 0,
      chunks: 0,
      entities: 0,
      relations: 0,
      vertices: 0,
      edges: 0,
      postings: 0,
    });
    expectConsistent(empty, expect);
  });

  async function expectGraphIsExact(tenantId: string, documents: number): Promise<void> {
    const counts = await indexCounts(database, tenantId);
    expectConsistent(counts, expect);
    expect(counts.documents).toBe(documents);

    // One entity per normalised name; the shared ones mentioned from every document.
    const shared = await database.query<{ normalized_name: string; rows: number; documents: number }>(
      `SELECT e.normalized_name, count(DISTINCT e.id)::int AS rows, count(DISTINCT m.document_id)::int AS documents
       FROM entities e LEFT JOIN entity_mentions m ON m.entity_id = e.id
       WHERE e.tenant_id = $1 AND e.normalized_name IN ('ada lovelace', 'charles babbage')
       GROUP BY e.normalized_name ORDER BY 1`,
      [tenantId],
    );
    expect(shared.rows).toEqual([
      { normalized_name: 'ada lovelace', rows: 1, documents },
      { normalized_name: 'charles babbage', rows: 1, documents },
    ]);
    const fuzzyBabbage = await database.query(
      'SELECT 1 FROM entities WHERE tenant_id = $1 AND normalized_name LIKE $2',
      [tenantId, '%babbage%'],
    );
    expect(fuzzyBabbage.rowCount).toBe(1);
    const people = await database.query<{ normalized_name: string }>(
      'SELECT normalized_name FROM entities WHERE tenant_id = $1 AND normalized_name = ANY($2::text[])',
      [tenantId, Array.from({ length: documentCount }, (_, index) => personOf(index).toLowerCase())],
    );
    expect(people.rowCount).toBe(documents);

    // Every entity's count is the sum of its mention rows.
    const entityDrift = await database.query(
      `SELECT e.id FROM entities e
       LEFT JOIN (SELECT entity_id, sum(mention_count)::int AS total FROM entity_mentions GROUP BY entity_id) m
         ON m.entity_id = e.id
       WHERE e.tenant_id = $1 AND e.mention_count IS DISTINCT FROM m.total`,
      [tenantId],
    );
    expect(entityDrift.rowCount).toBe(0);

    // One relation per unordered pair, stored with the smaller entity id first.
    const pairs = await database.query<{ pairs: number; distinct_pairs: number; misordered: number }>(
      `SELECT count(*)::int AS pairs,
              count(DISTINCT (least(source_entity_id, target_entity_id), greatest(source_entity_id, target_entity_id)))::int
                AS distinct_pairs,
              count(*) FILTER (WHERE source_entity_id >= target_entity_id)::int AS misordered
       FROM relations WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(pairs.rows[0]!.pairs).toBe(pairs.rows[0]!.distinct_pairs);
    expect(pairs.rows[0]!.misordered).toBe(0);

    // Each relation's chunk count = its mention rows = the chunks that mention both entities.
    const relationDrift = await database.query<{
      id: number;
      chunk_count: number;
      mentions: number;
      both: number;
    }>(
      `SELECT r.id, r.chunk_count,
              (SELECT count(*)::int FROM relation_mentions rm WHERE rm.relation_id = r.id) AS mentions,
              (SELECT count(*)::int FROM entity_mentions a JOIN entity_mentions b ON b.chunk_id = a.chunk_id
               WHERE a.entity_id = r.source_entity_id AND b.entity_id = r.target_entity_id) AS both
       FROM relations r WHERE r.tenant_id = $1`,
      [tenantId],
    );
    expect(relationDrift.rowCount).toBe(counts.relations);
    expect(
      relationDrift.rows.filter((row) => row.chunk_count !== row.mentions || row.chunk_count !== row.both),
    ).toEqual([]);

    // And for the pair every document shares, against the text itself.
    const textual = await database.query<{ chunks: number }>(
      `SELECT count(*)::int AS chunks FROM chunks
       WHERE tenant_id = $1 AND content LIKE '%Ada Lovelace%' AND content LIKE '%Charles Babbage%'`,
      [tenantId],
    );
    const pair = await database.query<{ chunk_count: number }>(
      `SELECT r.chunk_count FROM relations r
       JOIN entities a ON a.id = r.source_entity_id JOIN entities b ON b.id = r.target_entity_id
       WHERE r.tenant_id = $1 AND ARRAY[a.normalized_name, b.normalized_name] @> ARRAY['ada lovelace', 'charles babbage']`,
      [tenantId],
    );
    expect(textual.rows[0]!.chunks).toBeGreaterThanOrEqual(documents);
    expect(pair.rows).toEqual([{ chunk_count: textual.rows[0]!.chunks }]);

    // The graph mirrors the tables: one vertex per entity, one edge per relation between the right vertices.
    const graph = graphNameForTenant(tenantId);
    const mirrored = await database.query<{ vertices: number; edges: number; distinct_vertices: number }>(
      `SELECT
         (SELECT count(*)::int FROM entities e JOIN "${graph}"."${entityLabel}" v ON v.id::text::bigint = e.graph_vertex_id
          WHERE e.tenant_id = $1) AS vertices,
         (SELECT count(DISTINCT graph_vertex_id)::int FROM entities WHERE tenant_id = $1) AS distinct_vertices,
         (SELECT count(*)::int FROM relations r
            JOIN entities s ON s.id = r.source_entity_id JOIN entities t ON t.id = r.target_entity_id
            JOIN "${graph}"."${relationLabel}" edge ON edge.id::text::bigint = r.graph_edge_id
          WHERE r.tenant_id = $1 AND edge.start_id::text::bigint = s.graph_vertex_id
            AND edge.end_id::text::bigint = t.graph_vertex_id) AS edges`,
      [tenantId],
    );
    expect(mirrored.rows[0]).toEqual({
      vertices: counts.entities,
      distinct_vertices: counts.entities,
      edges: counts.relations,
    });
    expect(counts.vertices).toBe(counts.entities);
    expect(counts.edges).toBe(counts.relations);
  }
}

const pglite = testDrivers.find((driver) => driver.name === 'pglite')!;

describe.skipIf(!serverDriver)('concurrent ingestion by two runtimes [postgres]', () => {
  concurrentIngestion(serverDriver!, false);

  it('starts three workers at once on a fresh database, round after round', async () => {
    // Replicas of a first deployment start together: migrations, pg-boss's install and its
    // queue creation all race. Each round is a fresh database; every worker must come up.
    const failures: string[] = [];
    for (let round = 0; round < 6; round += 1) {
      const fresh = await serverDriver!.create();
      const directory = mkdtempSync(join(tmpdir(), 'rhizome-startup-'));
      const config = testConfig({ DATABASE_URL: fresh.url!, RHIZOME_DATA_DIR: directory });
      const runtimes: Runtime[] = [];
      try {
        const outcomes = await Promise.allSettled(
          [0, 1, 2].map(async () => {
            const runtime = await createRuntime(config, silentLogger, { migrate: true });
            runtimes.push(runtime);
            await runtime.startWorker();
          }),
        );
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') failures.push(`round ${round}: ${String(outcome.reason)}`);
        }
      } finally {
        for (const runtime of runtimes) await runtime.close();
        await fresh.dispose();
        rmSync(directory, { recursive: true, force: true });
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});

describe('concurrent ingestion by two runtimes on one handle [pglite]', () => {
  concurrentIngestion(pglite, true);
});
