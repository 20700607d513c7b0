import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import {
  bearer,
  createTestPlatform,
  waitForDocuments,
  type TestPlatform,
} from '../../test/support/test-platform.js';

interface EntitySummary {
  id: number;
  name: string;
  type: string;
  mentionCount: number;
  communityId: number | null;
}

const notes = `# Analytical Engine

Charles Babbage designed the Analytical Engine in London. Ada Lovelace wrote the first program for the
Analytical Engine and published her notes in London.

## Later work

Charles Babbage and Ada Lovelace corresponded for years about the Analytical Engine.
`;

/** The read-only routes behind the web UI's document view, graph explorer, usage and model panels. */
describeEachDriver('explorer API', (driver) => {
  let platform: TestPlatform;
  let readerA: string;
  let ownerB: string;
  let documentId: string;

  async function get(key: string, url: string) {
    return platform.app.inject({ method: 'GET', url, headers: bearer(key) });
  }

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const admin = bearer(platform.adminKey);
    const tenants = await Promise.all(
      ['explore-a', 'explore-b'].map((slug) =>
        platform.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { slug, name: slug } }),
      ),
    ).then((responses) =>
      responses.map((response) => {
        expect(response.statusCode, response.body).toBe(201);
        return response.json<{ id: string }>();
      }),
    );
    const key = async (role: string, tenantId: string) => {
      const created = await platform.app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: admin,
        payload: { name: role, role, tenantId },
      });
      expect(created.statusCode, created.body).toBe(201);
      return created.json<{ key: string }>().key;
    };
    const ownerA = await key('owner', tenants[0]!.id);
    readerA = await key('reader', tenants[0]!.id);
    ownerB = await key('owner', tenants[1]!.id);
    await platform.runtime.startWorker();
    const body = new FormData();
    body.append('file', new Blob([notes], { type: 'text/markdown' }), 'engine.md');
    const upload = await platform.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: bearer(ownerA),
      payload: body,
    });
    expect(upload.statusCode, upload.body).toBe(202);
    documentId = upload.json<{ documents: { id: string }[] }>().documents[0]!.id;
    const [record] = await waitForDocuments(platform.runtime, tenants[0]!.id, [documentId], 120_000);
    expect(record?.status).toBe('indexed');
  }, 600_000);
  afterAll(() => platform.dispose());

  it("lists a document's chunks in order with page and section, and its entities", async () => {
    const chunks = await get(readerA, `/v1/documents/${documentId}/chunks`);
    expect(chunks.statusCode, chunks.body).toBe(200);
    const body = chunks.json<{
      total: number;
      chunks: { chunkIndex: number; text: string; sectionPath: string[]; pages: number[] }[];
    }>();
    expect(body.total).toBe(body.chunks.length);
    expect(body.chunks.map((chunk) => chunk.chunkIndex)).toEqual(body.chunks.map((_, index) => index));
    expect(body.chunks.some((chunk) => chunk.sectionPath.includes('Analytical Engine'))).toBe(true);
    expect(body.chunks.map((chunk) => chunk.text).join(' ')).toContain('Ada Lovelace');

    const paged = await get(readerA, `/v1/documents/${documentId}/chunks?offset=1&limit=1`);
    expect(paged.json<{ chunks: unknown[] }>().chunks.length).toBeLessThanOrEqual(1);

    const entities = await get(readerA, `/v1/documents/${documentId}/entities`);
    expect(entities.statusCode).toBe(200);
    const names = entities
      .json<{ entities: (EntitySummary & { mentionsInDocument: number })[] }>()
      .entities.map((entity) => entity.name);
    expect(names).toEqual(expect.arrayContaining(['Charles Babbage', 'Ada Lovelace']));
  });

  it('finds entities by name and draws a neighbourhood with its relations', async () => {
    const all = await get(readerA, '/v1/graph/entities');
    expect(all.statusCode).toBe(200);
    expect(all.json<{ entities: EntitySummary[] }>().entities.length).toBeGreaterThan(1);

    const found = await get(readerA, '/v1/graph/entities?query=lovelace&limit=5');
    const lovelace = found.json<{ entities: EntitySummary[] }>().entities[0]!;
    expect(lovelace.name).toBe('Ada Lovelace');

    // LIKE wildcards in the query are literal text, not patterns.
    const wildcard = await get(readerA, '/v1/graph/entities?query=%25');
    expect(wildcard.json<{ entities: unknown[] }>().entities).toEqual([]);

    const neighbourhood = await get(readerA, `/v1/graph/entities/${lovelace.id}/neighbourhood?limit=10`);
    expect(neighbourhood.statusCode).toBe(200);
    const graph = neighbourhood.json<{
      nodes: EntitySummary[];
      edges: { source: number; target: number }[];
    }>();
    const ids = new Set(graph.nodes.map((node) => node.id));
    expect(ids.has(lovelace.id)).toBe(true);
    expect(graph.nodes.map((node) => node.name)).toContain('Charles Babbage');
    expect(graph.edges.length).toBeGreaterThan(0);
    for (const edge of graph.edges) expect(ids.has(edge.source) && ids.has(edge.target)).toBe(true);

    const detail = await get(readerA, `/v1/graph/entities/${lovelace.id}`);
    const entity = detail.json<{
      entity: EntitySummary;
      relations: { other: EntitySummary }[];
      passages: { documentId: string; text: string }[];
    }>();
    expect(entity.entity.name).toBe('Ada Lovelace');
    expect(entity.relations.map((relation) => relation.other.name)).toContain('Charles Babbage');
    expect(entity.passages[0]?.documentId).toBe(documentId);
    expect(entity.passages[0]?.text).toContain('Lovelace');
  });

  it('draws the part of the graph an answer used: entities of its passages and tools, relations they evidence', async () => {
    const post = (key: string, payload: Record<string, unknown>) =>
      platform.app.inject({ method: 'POST', url: '/v1/graph/subgraph', headers: bearer(key), payload });
    const chunks = (await get(readerA, `/v1/documents/${documentId}/chunks`)).json<{
      chunks: { id: number; text: string }[];
    }>().chunks;
    const cited = chunks.filter((chunk) => chunk.text.includes('Ada Lovelace')).map((chunk) => chunk.id);
    expect(cited.length).toBeGreaterThan(0);
    const used = await post(readerA, { chunkIds: cited });
    expect(used.statusCode, used.body).toBe(200);
    const graph = used.json<{ nodes: EntitySummary[]; edges: { source: number; target: number }[] }>();
    const ids = new Set(graph.nodes.map((node) => node.id));
    expect(graph.nodes.map((node) => node.name)).toEqual(
      expect.arrayContaining(['Ada Lovelace', 'Charles Babbage']),
    );
    expect(graph.edges.length).toBeGreaterThan(0);
    for (const edge of graph.edges) expect(ids.has(edge.source) && ids.has(edge.target)).toBe(true);

    // Names alone (a graph tool's entities): those entities, matched as the graph normalises names,
    // and the relations among them.
    const named = (await post(readerA, { names: ['ada lovelace', 'The Charles Babbage'] })).json<{
      nodes: EntitySummary[];
      edges: unknown[];
    }>();
    expect(named.nodes.map((node) => node.name).sort()).toEqual(['Ada Lovelace', 'Charles Babbage']);
    expect(named.edges.length).toBeGreaterThan(0);
    // Named entities come first even when the passages mention others more.
    const mixed = (await post(readerA, { chunkIds: cited, names: ['Ada Lovelace'], limit: 1 })).json<{
      nodes: EntitySummary[];
    }>();
    expect(mixed.nodes.map((node) => node.name)).toEqual(['Ada Lovelace']);

    // Another tenant's key gets nothing from these chunk ids or names.
    const other = (await post(ownerB, { chunkIds: cited, names: ['Ada Lovelace'] })).json<{
      nodes: unknown[];
      edges: unknown[];
    }>();
    expect(other).toEqual({ nodes: [], edges: [] });

    for (const [payload, field] of [
      [{}, 'body.chunkIds'],
      [{ chunkIds: [0] }, 'body.chunkIds.0'],
      [{ chunkIds: ['1; DROP TABLE entities'] }, 'body.chunkIds.0'],
      [{ names: ['x'.repeat(300)] }, 'body.names.0'],
      [{ chunkIds: Array.from({ length: 201 }, (_, index) => index + 1) }, 'body.chunkIds'],
    ] as const) {
      const response = await post(readerA, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const error = response.json<{ error: { code: string; fields: { path: string }[] } }>().error;
      expect(error.code).toBe('validation_failed');
      expect(error.fields.map((item) => item.path)).toContain(field);
    }
  });

  it('reports usage for the tenant', async () => {
    const usage = await get(readerA, '/v1/usage');
    expect(usage.statusCode).toBe(200);
    const body = usage.json<{
      documents: { total: number; byStatus: Record<string, number>; bytes: number };
      chunks: number;
      entities: number;
    }>();
    expect(body.documents).toEqual({ total: 1, byStatus: { indexed: 1 }, bytes: Buffer.byteLength(notes) });
    expect(body.chunks).toBeGreaterThan(0);
    expect(body.entities).toBeGreaterThan(1);
    expect(usage.json()).toMatchObject({
      questions: { total: 0, failed: 0, last30Days: 0 },
      tokens: { prompt: 0, completion: 0 },
    });
  });

  it("keeps tenants apart: another tenant's key sees no chunks, entities or graph of this one", async () => {
    expect((await get(ownerB, `/v1/documents/${documentId}/chunks`)).statusCode).toBe(404);
    expect((await get(ownerB, `/v1/documents/${documentId}/entities`)).statusCode).toBe(404);
    const lovelace = (await get(readerA, '/v1/graph/entities?query=lovelace')).json<{
      entities: EntitySummary[];
    }>().entities[0]!;
    expect((await get(ownerB, `/v1/graph/entities/${lovelace.id}`)).statusCode).toBe(404);
    expect((await get(ownerB, `/v1/graph/entities/${lovelace.id}/neighbourhood`)).statusCode).toBe(404);
    expect((await get(ownerB, '/v1/graph/entities')).json<{ entities: unknown[] }>().entities).toEqual([]);
    expect((await get(ownerB, '/v1/usage')).json<{ chunks: number }>().chunks).toBe(0);
  });

  it('answers 400 with the offending field for malformed input', async () => {
    const cases = [
      ['/v1/documents/not-a-uuid/chunks', 'params.document'],
      [`/v1/documents/${documentId}/chunks?limit=0`, 'query.limit'],
      [`/v1/documents/${documentId}/chunks?offset=-1`, 'query.offset'],
      ['/v1/graph/entities/abc', 'params.entity'],
      ['/v1/graph/entities/1/neighbourhood?limit=1000', 'query.limit'],
      [`/v1/graph/entities?query=${'x'.repeat(300)}`, 'query.query'],
    ] as const;
    for (const [url, field] of cases) {
      const response = await get(readerA, url);
      expect(response.statusCode, url).toBe(400);
      const error = response.json<{ error: { code: string; fields: { path: string }[] } }>().error;
      expect(error.code).toBe('validation_failed');
      expect(error.fields.map((item) => item.path)).toContain(field);
    }
    expect((await get(readerA, '/v1/graph/entities/999999999')).statusCode).toBe(404);
  });

  it('shows model settings without secrets and checks providers, for platform admins only', async () => {
    expect((await get(readerA, '/v1/admin/models')).statusCode).toBe(403);
    const settings = await get(platform.adminKey, '/v1/admin/models');
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toMatchObject({ embedding: { provider: 'offline' }, chat: { provider: 'none' } });
    expect(settings.body).not.toMatch(/apiKey|secret/i);
    const check = await platform.app.inject({
      method: 'POST',
      url: '/v1/admin/models/check',
      headers: bearer(platform.adminKey),
    });
    expect(check.json()).toMatchObject({ embedding: { ok: true }, chat: null });
  });
});
