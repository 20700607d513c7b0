import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticDocument } from '../../bench/ingest/synthetic-corpus.js';
import type { Database } from '../../src/core/database.js';
import { openPgliteDatabase } from '../../src/db/pglite-driver.js';
import type { DocumentRecord } from '../../src/ingest/document-service.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { expectConsistent, indexCounts } from '../support/index-counts.js';
import { spawnRhizome, type RunningRhizome } from '../support/spawn-rhizome.js';
import { serverDriver, silentLogger } from '../support/test-databases.js';
import { bearer, testConfig } from '../support/test-platform.js';

/**
 * The shortest heartbeat pg-boss allows and a supervisor that looks every second, so a killed
 * worker's job runs again within seconds. No job expiry: a live worker's job keeps its claim
 * however long the large document takes on a busy machine, because its heartbeats keep coming.
 * Retries beyond the two planned kills leave margin.
 */
const jobSettings = {
  RHIZOME_PROFILE: 'test',
  RHIZOME_JOB_HEARTBEAT_SECONDS: '10',
  RHIZOME_JOB_RETRIES: '5',
  RHIZOME_JOB_MAINTENANCE_SECONDS: '1',
  RHIZOME_JOB_RETRY_DELAY_SECONDS: '1',
  RHIZOME_WORKER_CONCURRENCY: '2',
};

const running = new Set<RunningRhizome>();
const directories: string[] = [];

function start(arguments_: readonly string[], environment: Record<string, string>): RunningRhizome {
  const process_ = spawnRhizome(arguments_, environment);
  running.add(process_);
  void process_.exited.then(() => running.delete(process_));
  return process_;
}

async function kill(process_: RunningRhizome): Promise<void> {
  process_.child.kill('SIGKILL');
  expect(await process_.exited).toBeNull();
}

function dataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'rhizome-crash-'));
  directories.push(directory);
  return directory;
}

afterEach(async () => {
  for (const process_ of [...running]) {
    process_.child.kill('SIGKILL');
    await process_.exited;
  }
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Transactions of this database that have written index rows and not yet ended. */
async function indexWritesInProgress(database: Database): Promise<number> {
  const result = await database.query<{ writing: number }>(
    `SELECT count(*)::int AS writing FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL
       AND query ~ 'INSERT INTO (chunks|entities|entity_mentions|relations|relation_mentions|chunk_terms|term_statistics)'`,
  );
  return result.rows[0]!.writing;
}

function expectNothingIndexed(counts: Awaited<ReturnType<typeof indexCounts>>): void {
  expect(counts).toMatchObject({
    documents: 1,
    chunks: 0,
    postings: 0,
    terms: 0,
    corpusChunks: 0,
    entities: 0,
    relations: 0,
    vertices: 0,
    edges: 0,
  });
}

// About 600 KB of Markdown: a few hundred chunks, several seconds of work on two cores.
const large = syntheticDocument(0, { characters: 600_000, peoplePool: 300 });

describe.skipIf(!serverDriver)('a worker process killed mid-job [postgres]', () => {
  it('leaves no half-indexed document, and the job completes on a restarted worker', async () => {
    const fresh = await serverDriver!.create();
    const environment = { ...jobSettings, DATABASE_URL: fresh.url!, RHIZOME_DATA_DIR: dataDirectory() };
    // Intake from this process; the workers are separate processes sharing the database and the stored originals.
    const intake = await createRuntime(testConfig(environment), silentLogger, { migrate: true });
    try {
      const tenant = await intake.tenants.create({ slug: 'crash', name: 'Crash' });
      const [received] = await intake.documents.intake(tenant.id, [
        { fileName: large.fileName, bytes: Buffer.from(large.text) },
      ]);
      const documentId = received!.id;
      const record = () => intake.documents.get(tenant.id, documentId);

      // 1. Killed while embedding or extracting.
      const first = start(['serve', '--role', 'worker', '--port', '0'], environment);
      await first.waitFor(/running at/);
      await until('embedding or extracting', async () => {
        const { status } = await record();
        return status === 'embedding' || status === 'extracting';
      });
      await kill(first);
      const afterFirst = await record();
      expect(['embedding', 'extracting']).toContain(afterFirst.status);
      expect(afterFirst).toMatchObject({ chunkCount: 0, indexedAt: null });
      expectNothingIndexed(await indexCounts(fresh.database, tenant.id));

      // 2. Killed in the middle of the one transaction that writes the index.
      const second = start(['serve', '--role', 'worker', '--port', '0'], environment);
      await second.waitFor(/running at/);
      await until(
        'the index write to start',
        async () => (await indexWritesInProgress(fresh.database)) > 0,
        600_000,
      );
      await kill(second);
      // The server rolls the dead session's transaction back; wait for it to end before looking.
      await until(
        'the dead transaction to end',
        async () => (await indexWritesInProgress(fresh.database)) === 0,
      );
      const afterSecond = await record();
      expect(afterSecond.status).not.toBe('indexed');
      expect(afterSecond).toMatchObject({ chunkCount: 0, indexedAt: null });
      expectNothingIndexed(await indexCounts(fresh.database, tenant.id));

      // 3. A worker that is left alone finishes the job: the expired job ran again.
      const third = start(['serve', '--role', 'worker', '--port', '0'], environment);
      await third.waitFor(/running at/);
      const indexed = await until(
        'the document to be indexed',
        async () => {
          const current = await record();
          return current.status === 'indexed' && current;
        },
        600_000,
      );
      await until('no ingestion job left', async () => (await intake.queue.pendingCount()) === 0, 600_000);
      const jobs = await fresh.database.query<{ state: string }>(
        `SELECT state::text FROM pgboss.job WHERE name = 'ingest-document' AND data->>'documentId' = $1`,
        [documentId],
      );
      expect(jobs.rows.map((row) => row.state)).toContain('completed');
      const final = await record();
      expect(final.status).toBe('indexed');
      expect(final.attempts).toBeGreaterThanOrEqual(3);
      const counts = await indexCounts(fresh.database, tenant.id);
      expectConsistent(counts, expect);
      expect(counts.chunks).toBe(indexed.chunkCount);
      expect(counts.chunks).toBeGreaterThan(100);
      expect(counts.entities).toBeGreaterThan(50);
      expect(counts.edges).toBeGreaterThan(50);

      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
    } finally {
      await intake.close();
      await fresh.dispose();
    }
  }, 1_500_000);
});

describe('an embedded-database process killed mid-job [pglite]', () => {
  it('leaves no half-indexed document, and the job completes after a restart on the same data', async () => {
    const directory = dataDirectory();
    // A smaller document: the embedded database is slower.
    const document = syntheticDocument(1, { characters: 250_000, peoplePool: 300 });
    const environment = { ...jobSettings, RHIZOME_DATA_DIR: directory, DATABASE_URL: '' };
    const openDirectly = () =>
      openPgliteDatabase({ dataDirectory: join(directory, 'database'), logger: silentLogger });

    // Only one process may open the embedded database: everything goes through the service's HTTP API.
    const first = start(['serve', '--role', 'all', '--port', '0'], environment);
    const [, url] = await first.waitFor(/running at (http:\/\/\S+)/);
    const [, adminKey] = await first.waitFor(/\n\s+(rhz_\S+)/);
    const api = async <T>(
      path: string,
      key: string,
      init: RequestInit = {},
    ): Promise<{ status: number; body: T }> => {
      const response = await fetch(`${url!}${path}`, {
        ...init,
        headers: { ...bearer(key), ...(init.headers ?? {}) },
      });
      return { status: response.status, body: (await response.json()) as T };
    };
    const json = (body: unknown): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const tenant = await api<{ id: string }>(
      '/v1/tenants',
      adminKey!,
      json({ slug: 'crash', name: 'Crash' }),
    );
    expect(tenant.status).toBe(201);
    const editor = await api<{ key: string }>(
      '/v1/keys',
      adminKey!,
      json({ name: 'e', role: 'editor', tenantId: tenant.body.id }),
    );
    expect(editor.status).toBe(201);
    const form = new FormData();
    form.append('file', new Blob([document.text], { type: 'text/markdown' }), document.fileName);
    const upload = await api<{ documents: { id: string }[] }>('/v1/documents', editor.body.key, {
      method: 'POST',
      body: form,
    });
    expect(upload.status).toBe(202);
    const documentId = upload.body.documents[0]!.id;

    await until('embedding or extracting', async () => {
      const { body } = await api<DocumentRecord>(`/v1/documents/${documentId}`, editor.body.key);
      return body.status === 'embedding' || body.status === 'extracting';
    });
    await kill(first);

    // Nothing of the index survived the crash, and the database opens again after it.
    const afterCrash = await openDirectly();
    try {
      const row = await afterCrash.query<{ status: string; chunk_count: number; indexed_at: Date | null }>(
        'SELECT status, chunk_count, indexed_at FROM documents WHERE id = $1',
        [documentId],
      );
      expect(row.rows[0]!.status).not.toBe('indexed');
      expect(row.rows[0]).toMatchObject({ chunk_count: 0, indexed_at: null });
      expectNothingIndexed(await indexCounts(afterCrash, tenant.body.id));
    } finally {
      await afterCrash.close();
    }

    const second = start(['serve', '--role', 'all', '--port', '0'], environment);
    const [, secondUrl] = await second.waitFor(/running at (http:\/\/\S+)/);
    expect(second.output()).not.toMatch(/rhz_/);
    const indexed = await until(
      'the document to be indexed',
      async () => {
        const response = await fetch(`${secondUrl!}/v1/documents/${documentId}`, {
          headers: bearer(editor.body.key),
        });
        const body = (await response.json()) as DocumentRecord;
        return body.status === 'indexed' && body;
      },
      600_000,
    );
    expect(indexed.attempts).toBeGreaterThanOrEqual(2);
    expect(indexed.chunkCount).toBeGreaterThan(50);
    const summary = await fetch(`${secondUrl!}/v1/graph/summary`, { headers: bearer(editor.body.key) });
    expect(((await summary.json()) as { edges: number }).edges).toBeGreaterThan(0);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const afterRestart = await openDirectly();
    try {
      const counts = await indexCounts(afterRestart, tenant.body.id);
      expectConsistent(counts, expect);
      expect(counts.chunks).toBe(indexed.chunkCount);
      const pending = await afterRestart.query<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM pgboss.job WHERE name = 'ingest-document' AND state < 'completed'`,
      );
      expect(pending.rows[0]!.pending).toBe(0);
    } finally {
      await afterRestart.close();
    }
  }, 1_500_000);
});
