import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticDocument } from '../../bench/ingest/synthetic-corpus.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { expectConsistent, indexCounts } from '../support/index-counts.js';
import { spawnRhizome, type RunningRhizome } from '../support/spawn-rhizome.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { serverDriver, silentLogger } from '../support/test-databases.js';
import { testConfig } from '../support/test-platform.js';

/**
 * PostgreSQL is cut (through a TCP relay this test owns) under a `serve --role all` process while it
 * ingests and while clients search, chat and upload; then it comes back. During the cut every
 * request is answered (503 with a stable code, never a 500, never a dead socket); afterwards the
 * same process — no restart — serves every route again, and every document is `indexed` or
 * `failed` with a reason, none stuck, none indexed twice.
 */
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Answer {
  readonly status: number;
  readonly code: string;
  readonly body: string;
}

async function call(url: string, init: RequestInit): Promise<Answer> {
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    let code = '';
    try {
      code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // an event stream or plain text
    }
    return { status: response.status, code, body };
  } catch (error) {
    return { status: 0, code: `connection: ${(error as Error).message}`, body: '' };
  }
}

describe.skipIf(!serverDriver)('PostgreSQL cut during ingestion and queries [postgres]', () => {
  it('answers every request during the cut and serves everything again afterwards, losing no document', { timeout: 900_000 }, async () => {
    const fresh = await serverDriver!.create();
    cleanup.push(() => fresh.dispose());
    const relay = await TcpRelay.start(fresh.url!);
    cleanup.push(() => relay.cut());
    const directory = mkdtempSync(join(tmpdir(), 'rhizome-cut-'));
    cleanup.push(() => rmSync(directory, { recursive: true, force: true }));
    const settings = {
      RHIZOME_PROFILE: 'test',
      RHIZOME_DATA_DIR: directory,
      RHIZOME_JOB_TIMEOUT_SECONDS: '30',
      RHIZOME_JOB_RETRIES: '5',
      RHIZOME_JOB_MAINTENANCE_SECONDS: '1',
      RHIZOME_JOB_RETRY_DELAY_SECONDS: '1',
      RHIZOME_WORKER_CONCURRENCY: '2',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    };
    // Set-up and inspection straight to the database; the service goes through the relay.
    const direct = await createRuntime(testConfig({ ...settings, DATABASE_URL: fresh.url! }), silentLogger, { migrate: true });
    cleanup.push(() => direct.close());
    const tenant = await direct.tenants.create({ slug: 'cut', name: 'Cut' });
    const key = (await direct.keys.create({ name: 'owner', role: 'owner', tenantId: tenant.id })).key;
    const headers = { authorization: `Bearer ${key}` };

    const service: RunningRhizome = spawnRhizome(['serve', '--role', 'all', '--port', '0'], { ...settings, DATABASE_URL: relay.relayedUrl(fresh.url!) });
    cleanup.push(async () => {
      service.child.kill('SIGKILL');
      await service.exited;
    });
    const [, base] = await service.waitFor(/running at (http:\/\/\S+)/);
    const pid = service.child.pid;

    const upload = (index: number) => {
      const document = syntheticDocument(index, { characters: 60_000, peoplePool: 200 });
      const form = new FormData();
      form.append('file', new Blob([document.text], { type: 'text/plain' }), document.fileName);
      return call(`${base!}/v1/documents`, { method: 'POST', headers, body: form });
    };
    const search = () => call(`${base!}/v1/search`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'who met whom in the city', mode: 'mix' }) });
    const chat = () => call(`${base!}/v1/chat`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Who met whom?' }) });

    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const answer = await upload(index);
      expect(answer.status, answer.body).toBe(202);
      ids.push(...(JSON.parse(answer.body) as { documents: { id: string }[] }).documents.map((document) => document.id));
    }
    expect((await search()).status).toBe(200);

    await until('a document in the middle of its pipeline', async () => {
      const records = await Promise.all(ids.map((id) => direct.documents.get(tenant.id, id)));
      return records.some((record) => ['chunking', 'embedding', 'extracting'].includes(record.status));
    });
    await relay.cut();
    const duringCut: Answer[] = [];
    for (let round = 0; round < 6; round += 1) {
      duringCut.push(await search(), await chat(), await upload(100 + round), await call(`${base!}/v1/documents`, { headers }), await call(`${base!}/readyz`, {}));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Every request answered by the same live process, none with a 500.
    expect(duringCut.filter((answer) => answer.status === 0)).toEqual([]);
    expect(duringCut.filter((answer) => answer.status >= 500 && answer.status !== 503)).toEqual([]);
    expect(service.child.exitCode).toBeNull();
    for (const answer of duringCut.filter((item) => item.status === 503 && item.code !== '')) {
      expect(answer.code).toMatch(/^(database_unavailable|overloaded)$/);
    }
    expect(duringCut.some((answer) => answer.status === 503)).toBe(true);
    // A chat stream that started may report the outage as an error event instead.
    for (const answer of duringCut.filter((item) => item.status === 200 && item.body.includes('event: error'))) {
      expect(answer.body).toMatch(/"code":"[a-z_]+"/);
    }
    await relay.restore();

    // Every role of the process serves again, without a restart.
    await until('search answering again', async () => (await search()).status === 200);
    await until('readyz ready again', async () => (await call(`${base!}/readyz`, {})).status === 200);
    const answered = await until('chat answering again', async () => {
      const answer = await chat();
      return answer.status === 200 && /^event: answer$/m.test(answer.body) && answer;
    });
    expect(answered.body).toMatch(/^event: answer$/m);
    const late = await upload(200);
    expect(late.status, late.body).toBe(202);
    ids.push(...(JSON.parse(late.body) as { documents: { id: string }[] }).documents.map((document) => document.id));

    // Uploads accepted during the cut (if any answered 202) count too.
    for (const answer of duringCut.filter((item) => item.status === 202)) {
      ids.push(...(JSON.parse(answer.body) as { documents: { id: string }[] }).documents.map((document) => document.id));
    }
    const records = await until(
      'every document indexed or failed',
      async () => {
        const current = await Promise.all(ids.map((id) => direct.documents.get(tenant.id, id)));
        return current.every((record) => record.status === 'indexed' || record.status === 'failed') && current;
      },
      600_000,
    );
    for (const record of records) {
      if (record.status === 'failed') expect(record.errorCode, record.fileName).toMatch(/^[a-z_]+$/);
    }
    // The outage is transient: nothing the database's absence touched may stay failed.
    expect(records.filter((record) => record.status !== 'indexed').map((record) => `${record.fileName}: ${record.errorCode}`)).toEqual([]);
    const counts = await indexCounts(direct.database, tenant.id);
    expect(counts.documents).toBe(new Set(ids).size);
    expectConsistent(counts, expect);
    const mismatched = await direct.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM documents d WHERE d.tenant_id = $1 AND d.chunk_count <> (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)`,
      [tenant.id],
    );
    expect(mismatched.rows[0]!.count).toBe(0);
    expect(service.child.pid).toBe(pid);
    expect(service.child.exitCode).toBeNull();
    expect(service.output()).not.toMatch(/unhandled promise rejection/i);
  });
});
