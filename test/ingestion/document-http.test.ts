import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DocumentEvent } from '../../src/core/document-events.js';
import type { DocumentRecord, IntakeResult } from '../../src/ingest/document-service.js';
import { expectConsistent, indexCounts } from '../support/index-counts.js';
import { describeEachDriver } from '../support/test-databases.js';
import { bearer, createTestPlatform, type TestPlatform } from '../support/test-platform.js';

interface ErrorResponse {
  error: {
    code: string;
    message: string;
    category: string;
    fields?: { path: string }[];
    details?: Record<string, unknown>;
  };
}

interface UploadFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly type?: string;
}

const maxUploadBytes = 16 * 1024;

function markdown(title: string, body: string): Buffer {
  return Buffer.from(`# ${title}\n\n${body}\n`);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function form(files: readonly UploadFile[], fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  for (const file of files) {
    body.append('file', new Blob([file.bytes], { type: file.type ?? 'text/markdown' }), file.name);
  }
  return body;
}

describeEachDriver('documents over HTTP', (driver) => {
  let platform: TestPlatform;
  let tenantA: { id: string; slug: string };
  let tenantB: { id: string; slug: string };
  let editorA: string;
  let readerA: string;
  let editorB: string;
  let collection: { id: string; name: string };

  async function createKey(authorization: string, body: Record<string, unknown>): Promise<string> {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(authorization),
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ key: string }>().key;
  }

  function upload(key: string, files: readonly UploadFile[], fields: Record<string, string> = {}) {
    return platform.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: bearer(key),
      payload: form(files, fields),
    });
  }

  async function uploadOk(
    key: string,
    files: readonly UploadFile[],
    fields: Record<string, string> = {},
  ): Promise<IntakeResult[]> {
    const response = await upload(key, files, fields);
    expect(response.statusCode, response.body).toBe(202);
    return response.json<{ documents: IntakeResult[] }>().documents;
  }

  async function getDocument(key: string, id: string) {
    return platform.app.inject({ url: `/v1/documents/${id}`, headers: bearer(key) });
  }

  /** Polls GET /v1/documents/:id until the document is indexed or failed. */
  async function settled(key: string, id: string, timeoutMs = 60_000): Promise<DocumentRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await getDocument(key, id);
      expect(response.statusCode, response.body).toBe(200);
      const record = response.json<DocumentRecord>();
      if (record.status === 'indexed' || record.status === 'failed') return record;
      if (Date.now() > deadline) throw new Error(`document ${id} still ${record.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function documentRows(tenantId: string): Promise<number> {
    return (await indexCounts(platform.database, tenantId)).documents;
  }

  beforeAll(async () => {
    platform = await createTestPlatform(driver, { RHIZOME_MAX_UPLOAD_BYTES: String(maxUploadBytes) });
    const createTenant = async (slug: string) => {
      const response = await platform.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: bearer(platform.adminKey),
        payload: { slug, name: slug },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string; slug: string }>();
    };
    tenantA = await createTenant('docs-a');
    tenantB = await createTenant('docs-b');
    const ownerA = await createKey(platform.adminKey, {
      name: 'a owner',
      role: 'owner',
      tenantId: tenantA.id,
    });
    editorA = await createKey(ownerA, { name: 'a editor', role: 'editor' });
    readerA = await createKey(ownerA, { name: 'a reader', role: 'reader' });
    editorB = await createKey(platform.adminKey, { name: 'b editor', role: 'editor', tenantId: tenantB.id });
    const created = await platform.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: bearer(editorA),
      payload: { name: 'papers' },
    });
    expect(created.statusCode, created.body).toBe(201);
    collection = created.json<{ id: string; name: string }>();
    await platform.runtime.startWorker();
  });
  afterAll(() => platform.dispose());

  const lovelace = markdown(
    'Ada Lovelace',
    'Ada Lovelace worked with Charles Babbage on the Analytical Engine in London.',
  );
  const turing = markdown(
    'Alan Turing',
    'Alan Turing worked at Bletchley Park near London with Joan Clarke.',
  );
  const hopper = markdown(
    'Grace Hopper',
    'Grace Hopper wrote the first compiler while working with Howard Aiken at Harvard.',
  );

  it('accepts several files with a collection and metadata, answers 202 at once, and indexes each', async () => {
    const metadata = { source: 'http-test', tags: ['history', 'computing'], rank: 3 };
    const results = await uploadOk(
      editorA,
      [
        { name: 'lovelace.md', bytes: lovelace },
        { name: 'turing.md', bytes: turing },
        { name: 'hopper.md', bytes: hopper },
      ],
      { collection: collection.name, metadata: JSON.stringify(metadata) },
    );
    expect(
      results.map((result) => [result.fileName, result.status, result.duplicate, result.replaced]),
    ).toEqual([
      ['lovelace.md', 'queued', false, false],
      ['turing.md', 'queued', false, false],
      ['hopper.md', 'queued', false, false],
    ]);
    expect(new Set(results.map((result) => result.id)).size).toBe(3);

    for (const result of results) {
      const record = await settled(readerA, result.id);
      expect(record).toMatchObject({
        id: result.id,
        status: 'indexed',
        collectionId: collection.id,
        metadata,
        errorCode: null,
        chunkCount: 1,
        format: 'markdown',
      });
      expect(record.indexedAt).not.toBeNull();
    }
    expect((await getDocument(readerA, results[0]!.id)).json<DocumentRecord>().title).toBe('Ada Lovelace');
    // Listing by collection (by name) finds exactly these three.
    const listed = await platform.app.inject({
      url: `/v1/documents?collection=${collection.name}`,
      headers: bearer(readerA),
    });
    expect(
      listed
        .json<{ documents: DocumentRecord[] }>()
        .documents.map((document) => document.id)
        .sort(),
    ).toEqual(results.map((result) => result.id).sort());
    const counts = await indexCounts(platform.database, tenantA.id);
    expectConsistent(counts, expect);
    expect(counts.chunks).toBe(3);
    expect(counts.edges).toBeGreaterThan(0);
  });

  it('answers duplicate: true for bytes already stored, creating nothing', async () => {
    const [original] = await uploadOk(editorA, [{ name: 'lovelace.md', bytes: lovelace }]);
    await settled(readerA, original!.id);
    const before = await indexCounts(platform.database, tenantA.id);
    const [again] = await uploadOk(editorA, [{ name: 'another-name.md', bytes: lovelace }]);
    expect(again).toMatchObject({ id: original!.id, duplicate: true, replaced: false, status: 'indexed' });
    expect(await indexCounts(platform.database, tenantA.id)).toEqual(before);
  });

  it('rejects a file over RHIZOME_MAX_UPLOAD_BYTES with 413 and stores none of the upload', async () => {
    const before = await documentRows(tenantA.id);
    const small = markdown('Small', 'Katherine Johnson computed trajectories at Langley.');
    const large = Buffer.concat([markdown('Large', 'Mary Jackson'), Buffer.alloc(maxUploadBytes, 'a')]);
    const response = await upload(editorA, [
      { name: 'small.md', bytes: small },
      { name: 'large.md', bytes: large },
    ]);
    expect(response.statusCode, response.body).toBe(413);
    expect(response.json<ErrorResponse>().error).toMatchObject({
      code: 'payload_too_large',
      category: 'user',
      details: { limitBytes: maxUploadBytes },
    });
    expect(await documentRows(tenantA.id)).toBe(before);
    const stored = await platform.database.query(
      'SELECT 1 FROM documents WHERE content_hash = ANY($1::text[])',
      [[sha256(small), sha256(large)]],
    );
    expect(stored.rowCount).toBe(0);

    // Exactly at the limit is still accepted.
    const header = markdown('At the limit', 'Dorothy Vaughan led the West Area Computers.');
    const exact = Buffer.concat([header, Buffer.alloc(maxUploadBytes - header.byteLength, 'b')]);
    expect(exact.byteLength).toBe(maxUploadBytes);
    const [accepted] = await uploadOk(editorA, [{ name: 'exact.md', bytes: exact }]);
    expect(accepted!.status).toBe('queued');
    expect((await settled(readerA, accepted!.id)).status).toBe('indexed');
  });

  it('fails a zero-byte file as empty_document', async () => {
    const [empty] = await uploadOk(editorA, [
      { name: 'empty.txt', bytes: Buffer.alloc(0), type: 'text/plain' },
    ]);
    const record = await settled(readerA, empty!.id);
    expect(record).toMatchObject({ status: 'failed', errorCode: 'empty_document', chunkCount: 0 });
    expect(record.errorMessage!.length).toBeGreaterThan(10);
  });

  it('answers 400 for a request that is not multipart, for no file, and for bad metadata', async () => {
    const json = await platform.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: bearer(editorA),
      payload: { file: 'not a file' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json<ErrorResponse>().error.fields?.map((field) => field.path)).toEqual([
      'headers.content-type',
    ]);

    const noFile = await upload(editorA, [], { collection: collection.name });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json<ErrorResponse>().error.fields?.map((field) => field.path)).toEqual(['body.file']);

    const before = await documentRows(tenantA.id);
    const badJson = await upload(editorA, [{ name: 'meta.md', bytes: markdown('Meta', 'Radia Perlman') }], {
      metadata: '{"source": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json<ErrorResponse>().error).toMatchObject({ code: 'validation_failed' });
    expect(badJson.json<ErrorResponse>().error.fields?.map((field) => field.path)).toEqual(['body.metadata']);
    const notObject = await upload(editorA, [{ name: 'meta.md', bytes: markdown('Meta', 'Radia Perlman') }], {
      metadata: '["a", "b"]',
    });
    expect(notObject.statusCode).toBe(400);
    expect(await documentRows(tenantA.id)).toBe(before);
  });

  it('answers 404 for an unknown collection id and creates nothing', async () => {
    // A collection *name* seen for the first time is created; an id is never invented by a caller.
    const before = await documentRows(tenantA.id);
    const response = await upload(
      editorA,
      [{ name: 'lost.md', bytes: markdown('Lost', 'Barbara Liskov at MIT') }],
      {
        collection: '0b6f2a4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
      },
    );
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorResponse>().error.code).toBe('collection_not_found');
    expect(await documentRows(tenantA.id)).toBe(before);
  });

  it('lets a reader list and read but not upload, delete or re-ingest', async () => {
    const before = await documentRows(tenantA.id);
    const denied = await upload(readerA, [
      { name: 'reader.md', bytes: markdown('Reader', 'Frances Allen at IBM') },
    ]);
    expect(denied.statusCode).toBe(403);
    expect(denied.json<ErrorResponse>().error.code).toBe('forbidden');
    expect(await documentRows(tenantA.id)).toBe(before);
    const list = await platform.app.inject({ url: '/v1/documents', headers: bearer(readerA) });
    expect(list.statusCode).toBe(200);
    const someone = list.json<{ documents: DocumentRecord[] }>().documents[0]!;
    const remove = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/documents/${someone.id}`,
      headers: bearer(readerA),
    });
    expect(remove.statusCode).toBe(403);
    const reingest = await platform.app.inject({
      method: 'POST',
      url: `/v1/documents/${someone.id}/reingest`,
      headers: bearer(readerA),
    });
    expect(reingest.statusCode).toBe(403);
    expect((await getDocument(readerA, someone.id)).statusCode).toBe(200);
  });

  it('filters the listing by status and pages through it with a cursor, newest first', async () => {
    const all = await platform.app.inject({ url: '/v1/documents?limit=500', headers: bearer(readerA) });
    const everything = all.json<{ documents: DocumentRecord[]; nextCursor: string | null }>();
    expect(everything.nextCursor).toBeNull();
    expect(everything.documents.length).toBe(await documentRows(tenantA.id));
    expect(everything.documents.length).toBeGreaterThanOrEqual(5);
    const createdAt = everything.documents.map((document) => document.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);

    const failed = await platform.app.inject({
      url: '/v1/documents?status=failed',
      headers: bearer(readerA),
    });
    expect(
      failed.json<{ documents: DocumentRecord[] }>().documents.map((document) => document.fileName),
    ).toEqual(['empty.txt']);
    const indexed = await platform.app.inject({
      url: '/v1/documents?status=indexed',
      headers: bearer(readerA),
    });
    const indexedDocuments = indexed.json<{ documents: DocumentRecord[] }>().documents;
    expect(indexedDocuments.length).toBe(everything.documents.length - 1);
    expect(indexedDocuments.every((document) => document.status === 'indexed')).toBe(true);
    const badStatus = await platform.app.inject({
      url: '/v1/documents?status=done',
      headers: bearer(readerA),
    });
    expect(badStatus.statusCode).toBe(400);

    const walk = async (query: string): Promise<string[]> => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 100; page += 1) {
        const url: string = `/v1/documents?limit=1${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const response = await platform.app.inject({ url, headers: bearer(readerA) });
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json<{ documents: DocumentRecord[]; nextCursor: string | null }>();
        expect(body.documents.length).toBeLessThanOrEqual(1);
        seen.push(...body.documents.map((document) => document.id));
        cursor = body.nextCursor;
        if (!cursor) return seen;
      }
      throw new Error('pagination did not end');
    };
    expect(await walk('')).toEqual(everything.documents.map((document) => document.id));
    expect(await walk('&status=indexed')).toEqual(indexedDocuments.map((document) => document.id));

    const badCursor = await platform.app.inject({
      url: '/v1/documents?cursor=not-a-cursor',
      headers: bearer(readerA),
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json<ErrorResponse>().error.fields?.map((field) => field.path)).toEqual([
      'query.cursor',
    ]);
  });

  it('pages without skipping documents created within the same millisecond', async () => {
    // A burst upload commits several rows per millisecond on a fast server; timestamps keep
    // microseconds, so the cursor must too. Pin three documents into one millisecond.
    const results = await uploadOk(editorA, [
      { name: 'burst-1.md', bytes: markdown('Burst one', 'Edsger Dijkstra in Eindhoven.') },
      { name: 'burst-2.md', bytes: markdown('Burst two', 'Tony Hoare in Oxford.') },
      { name: 'burst-3.md', bytes: markdown('Burst three', 'Donald Knuth in Stanford.') },
    ]);
    for (const result of results) await settled(readerA, result.id);
    const micros = ['100', '400', '700'];
    for (const [index, result] of results.entries()) {
      await platform.database.query(`UPDATE documents SET created_at = $2::timestamptz WHERE id = $1`, [
        result.id,
        `2030-01-01T00:00:00.123${micros[index]}Z`,
      ]);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const url: string = `/v1/documents?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = (await platform.app.inject({ url, headers: bearer(readerA) })).json<{
        documents: DocumentRecord[];
        nextCursor: string | null;
      }>();
      seen.push(...body.documents.map((document) => document.id));
      cursor = body.nextCursor;
      if (!cursor || seen.length >= 3) break;
    }
    expect(seen.slice(0, 3)).toEqual([results[2]!.id, results[1]!.id, results[0]!.id]);
  });

  it('deletes a document with its index; afterwards it is 404', async () => {
    const bytes = markdown(
      'Short lived',
      'Sophie Wilson designed the ARM instruction set with Steve Furber in Cambridge.',
    );
    const [created] = await uploadOk(editorA, [{ name: 'short.md', bytes }]);
    await settled(readerA, created!.id);
    const chunksOf = async () =>
      (await platform.database.query('SELECT 1 FROM chunks WHERE document_id = $1', [created!.id])).rowCount;
    expect(await chunksOf()).toBe(1);
    const before = await documentRows(tenantA.id);
    const removed = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/documents/${created!.id}`,
      headers: bearer(editorA),
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ deleted: true });
    expect((await getDocument(readerA, created!.id)).statusCode).toBe(404);
    expect((await getDocument(readerA, created!.id)).json<ErrorResponse>().error.code).toBe(
      'document_not_found',
    );
    const again = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/documents/${created!.id}`,
      headers: bearer(editorA),
    });
    expect(again.statusCode).toBe(404);
    expect(await documentRows(tenantA.id)).toBe(before - 1);
    expect(await chunksOf()).toBe(0);
    const furber = await platform.database.query(
      "SELECT 1 FROM entities WHERE tenant_id = $1 AND normalized_name = 'steve furber'",
      [tenantA.id],
    );
    expect(furber.rowCount).toBe(0);
    expectConsistent(await indexCounts(platform.database, tenantA.id), expect);
    // The same bytes can be uploaded again as a new document.
    const [renewed] = await uploadOk(editorA, [{ name: 'short.md', bytes }]);
    expect(renewed).toMatchObject({ duplicate: false });
    expect(renewed!.id).not.toBe(created!.id);
    expect((await settled(readerA, renewed!.id)).status).toBe('indexed');
  });

  it('re-ingests a document: 202, then back to indexed with the same index', async () => {
    const [created] = await uploadOk(editorA, [
      {
        name: 'again.md',
        bytes: markdown('Again', 'Margaret Hamilton wrote flight software for Apollo at MIT.'),
      },
    ]);
    const first = await settled(readerA, created!.id);
    const before = await indexCounts(platform.database, tenantA.id);
    const response = await platform.app.inject({
      method: 'POST',
      url: `/v1/documents/${created!.id}/reingest`,
      headers: bearer(editorA),
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json<DocumentRecord>()).toMatchObject({ id: created!.id, status: 'queued', attempts: 0 });
    const second = await settled(readerA, created!.id);
    expect(second.status).toBe('indexed');
    expect(second.chunkCount).toBe(first.chunkCount);
    expect(Date.parse(second.indexedAt!)).toBeGreaterThan(Date.parse(first.indexedAt!));
    expect(await indexCounts(platform.database, tenantA.id)).toEqual(before);

    const unknown = await platform.app.inject({
      method: 'POST',
      url: '/v1/documents/00000000-0000-4000-8000-000000000000/reingest',
      headers: bearer(editorA),
    });
    expect(unknown.statusCode).toBe(404);
    const notUuid = await platform.app.inject({ url: '/v1/documents/not-a-uuid', headers: bearer(readerA) });
    expect(notUuid.statusCode).toBe(400);
  });

  it('returns the original bytes with a safe content-disposition', async () => {
    const bytes = Buffer.concat([
      markdown('Original', 'Hedy Lamarr and George Antheil.'),
      Buffer.from([0xe2, 0x9c, 0x93, 0x0a]),
    ]);
    const nastyName = '../../etc/Bericht über "Ümlaute" (v2) it\'s;\r\nX-Injected: 1.md';
    const [created] = await uploadOk(editorA, [{ name: nastyName, bytes, type: 'text/html' }]);
    const response = await platform.app.inject({
      url: `/v1/documents/${created!.id}/original`,
      headers: bearer(readerA),
    });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(bytes)).toBe(true);
    expect(response.headers['x-injected']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    // The declared HTML type is never echoed back (the browser must not render an upload): the
    // original is served as the format its content was detected as.
    expect(response.headers['content-type']).toMatch(/^text\/markdown/);
    const disposition = String(response.headers['content-disposition']);
    // RFC 6266 / 8187: attachment, one ext-value of attr-chars and percent-escapes only.
    expect(disposition).toMatch(/^attachment; filename\*=UTF-8''(?:%[0-9A-F]{2}|[A-Za-z0-9!#$&+.^_`|~-])+$/);
    const name = decodeURIComponent(disposition.replace(/^attachment; filename\*=UTF-8''/, ''));
    expect(name).not.toMatch(/[/\\\r\n]/);
    expect(name).toContain('Bericht über');
    expect(name.endsWith('.md')).toBe(true);

    const record = await settled(readerA, created!.id);
    expect(record.fileName).toBe(name);
  });

  it('serves an HTML original as opaque bytes, never as a page', async () => {
    const bytes = Buffer.from('<!doctype html><html><head><title>Page</title></head><body><h1>Page</h1><p>Grace Hopper wrote the first compiler.</p><script>alert(1)</script></body></html>');
    const [created] = await uploadOk(editorA, [{ name: 'page.html', bytes }]);
    const response = await platform.app.inject({
      url: `/v1/documents/${created!.id}/original`,
      headers: bearer(readerA),
    });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(bytes)).toBe(true);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    await settled(readerA, created!.id);
  });

  it("hides a tenant's documents from another tenant's key", async () => {
    const bytes = markdown('Private', 'Annie Easley wrote code at Lewis Research Center in Cleveland.');
    const [ours] = await uploadOk(editorA, [{ name: 'private.md', bytes }]);
    await settled(readerA, ours!.id);
    for (const request of [
      { method: 'GET' as const, url: `/v1/documents/${ours!.id}` },
      { method: 'GET' as const, url: `/v1/documents/${ours!.id}/original` },
      { method: 'DELETE' as const, url: `/v1/documents/${ours!.id}` },
      { method: 'POST' as const, url: `/v1/documents/${ours!.id}/reingest` },
    ]) {
      const response = await platform.app.inject({ ...request, headers: bearer(editorB) });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
    }
    const listB = await platform.app.inject({ url: '/v1/documents', headers: bearer(editorB) });
    expect(listB.json<{ documents: DocumentRecord[] }>().documents).toEqual([]);
    // Deduplication is per tenant: the same bytes are a new document for B.
    const [theirs] = await uploadOk(editorB, [{ name: 'private.md', bytes }]);
    expect(theirs).toMatchObject({ duplicate: false });
    expect(theirs!.id).not.toBe(ours!.id);
    expect((await settled(editorB, theirs!.id)).status).toBe('indexed');
    expect((await getDocument(readerA, ours!.id)).json<DocumentRecord>().status).toBe('indexed');
    // A's collection is unknown to B.
    const foreignCollection = await upload(editorB, [{ name: 'x.md', bytes: markdown('X', 'Y Z') }], {
      collection: collection.id,
    });
    expect(foreignCollection.statusCode).toBe(404);
  });

  it('streams status events of the caller tenant over server-sent events', async () => {
    const address = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      const response = await fetch(`${address}/v1/documents/events`, {
        headers: bearer(readerA),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const frames: string[] = [];
      const nextFrame = async (): Promise<string> => {
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            frames.push(frame);
            return frame;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended; frames: ${frames.join(' | ')}`);
          buffer += decoder.decode(value, { stream: true });
        }
      };
      expect(await nextFrame()).toBe(': connected');
      // Once the stream says so, nothing published is missed, not even at once (on the server
      // the API process must be LISTENing by then; a worker elsewhere publishes with NOTIFY).
      const early = {
        tenantId: tenantA.id,
        documentId: randomUUID(),
        status: 'deleted',
        at: new Date().toISOString(),
      } as const;
      await platform.runtime.events.publish(early);
      const earlyFrame = (await nextFrame()).split('\n');
      expect(earlyFrame[0]).toBe('event: document');
      expect(JSON.parse(earlyFrame[1]!.slice('data: '.length))).toMatchObject(early);

      const [ours] = await uploadOk(editorA, [
        {
          name: 'streamed.md',
          bytes: markdown('Streamed', 'Jean Bartik programmed ENIAC with Betty Holberton in Philadelphia.'),
        },
      ]);
      const [theirs] = await uploadOk(editorB, [
        {
          name: 'elsewhere.md',
          bytes: markdown('Elsewhere', 'Kathleen Booth wrote assembly language in London.'),
        },
      ]);
      const events: DocumentEvent[] = [];
      while (
        !events.some(
          (event) =>
            event.documentId === ours!.id && (event.status === 'indexed' || event.status === 'failed'),
        )
      ) {
        const frame = await nextFrame();
        if (frame.startsWith(':')) continue;
        const lines = frame.split('\n');
        expect(lines[0]).toBe('event: document');
        expect(lines[1]).toMatch(/^data: /);
        expect(lines).toHaveLength(2);
        events.push(JSON.parse(lines[1]!.slice('data: '.length)) as DocumentEvent);
      }
      expect(events.every((event) => event.tenantId === tenantA.id)).toBe(true);
      expect(events.some((event) => event.documentId === theirs!.id)).toBe(false);
      const ourStatuses = events
        .filter((event) => event.documentId === ours!.id)
        .map((event) => event.status);
      expect(ourStatuses).toEqual(['queued', 'parsing', 'chunking', 'embedding', 'extracting', 'indexed']);
      expect(events.find((event) => event.status === 'indexed')).toMatchObject({ chunkCount: 1 });
      await reader.cancel();
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  });
});
