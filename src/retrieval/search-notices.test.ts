import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import {
  bearer,
  createTestPlatform,
  waitForDocuments,
  type TestPlatform,
} from '../../test/support/test-platform.js';
import type { SearchResponse } from '../core/search.js';
import {
  sendJson,
  startFakeProvider,
  type FakeProvider,
} from '../models/openai-compatible/fake-provider-server.js';

// What a search says besides its hits: a rerank that could not happen, nothing matched, hits that
// only an embedding found; and the similarity floor that lets a caller ask for nothing rather than
// the nearest irrelevant passages.
describeEachDriver('search notices and the similarity floor', (driver) => {
  let platform: TestPlatform;
  let readerKey: string;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    const tenant = await runtime.tenants.create({ slug: 'notices', name: 'Notices' });
    readerKey = (await runtime.keys.create({ name: 'r', role: 'reader', tenantId: tenant.id })).key;
    await runtime.startWorker();
    const added = await runtime.documents.intake(tenant.id, [
      { fileName: 'volcano.md', bytes: Buffer.from('# Volcanoes\n\nA volcano erupts when magma rises through the crust.') },
      { fileName: 'tea.md', bytes: Buffer.from('# Tea\n\nGreen tea and black tea come from the same plant.') },
    ]);
    const records = await waitForDocuments(runtime, tenant.id, added.map((result) => result.id));
    expect(records.map((record) => record.status)).toEqual(['indexed', 'indexed']);
  }, 300_000);
  afterAll(() => platform.dispose());

  const post = (body: Record<string, unknown>) =>
    platform.app.inject({ method: 'POST', url: '/v1/search', headers: bearer(readerKey), payload: body });
  const search = async (body: Record<string, unknown>) => {
    const response = await post(body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<SearchResponse>();
  };
  const codes = (response: SearchResponse) => (response.notices ?? []).map((notice) => notice.code);

  it('says that a rerank was asked for without a reranker, and that it did not happen', async () => {
    const answer = await search({ query: 'magma volcano', mode: 'hybrid', rerank: true });
    expect(answer.hits[0]!.fileName).toBe('volcano.md');
    expect(answer.reranked).toBe(false);
    expect(codes(answer)).toEqual(['rerank_unavailable']);
    expect(answer.notices![0]!.message).toContain('RERANK_PROVIDER');

    const plain = await search({ query: 'magma volcano', mode: 'hybrid' });
    expect(plain.reranked).toBe(false);
    expect(plain.notices).toEqual([]);
  });

  it('says when no passage shares a word with the question; a floor then leaves nothing', async () => {
    const query = 'quarterly revenue forecast spreadsheet';
    // The nearest passages by embedding always exist; the answer says what they are.
    const unrelated = await search({ query, mode: 'hybrid' });
    expect(unrelated.hits.length).toBeGreaterThan(0);
    expect(codes(unrelated)).toEqual(['embedding_only']);

    for (const mode of ['hybrid', 'mix', 'multihop', 'naive']) {
      const floored = await search({ query, mode, minSimilarity: 0.9 });
      expect(floored.hits, mode).toEqual([]);
      expect(codes(floored), mode).toEqual(['nothing_matched']);
      expect(floored.notices![0]!.message).toContain('0.9');
    }

    // A passage found by its words stays, whatever the floor, and needs no notice.
    const lexical = await search({ query: 'magma', mode: 'hybrid', minSimilarity: 0.9 });
    expect(lexical.hits.map((hit) => hit.fileName)).toEqual(['volcano.md']);
    expect(lexical.notices).toEqual([]);

    const bm25 = await search({ query: 'spreadsheet', mode: 'bm25' });
    expect(bm25.hits).toEqual([]);
    expect(codes(bm25)).toEqual(['nothing_matched']);

    // Asking for vectors only is not a surprise: no embedding_only notice there.
    const naive = await search({ query, mode: 'naive' });
    expect(naive.hits.length).toBeGreaterThan(0);
    expect(naive.notices).toEqual([]);
  });

  it('the floor keeps vector hits at or above it, and the cached answer keeps its notices', async () => {
    const open = await search({ query: 'green tea plant', mode: 'naive' });
    const best = open.hits[0]!.explanation.lists.find((list) => list.list === 'vector')!.score;
    const atBest = await search({ query: 'green tea plant', mode: 'naive', minSimilarity: Math.floor(best * 1000) / 1000 });
    expect(atBest.hits.map((hit) => hit.fileName)).toEqual(['tea.md']);

    const first = await search({ query: 'quarterly spreadsheet', mode: 'bm25', rerank: true });
    const again = await search({ query: 'quarterly spreadsheet', mode: 'bm25', rerank: true });
    expect(again.cached).toBe(true);
    expect(codes(again)).toEqual(codes(first));
    expect(codes(again)).toEqual(['rerank_unavailable', 'nothing_matched']);
  });

  it('rejects a floor outside the cosine range or not a number', async () => {
    for (const minSimilarity of [2, -1.5, 'high', null]) {
      const response = await post({ query: 'tea', minSimilarity });
      expect(response.statusCode, String(minSimilarity)).toBe(400);
      const error = response.json<{ error: { code: string; fields: { path: string }[] } }>().error;
      expect(error.code).toBe('validation_failed');
      expect(error.fields[0]!.path).toBe('body.minSimilarity');
    }
  });

  it('documents notices, reranked and minSimilarity in the OpenAPI reference', async () => {
    const document = (await platform.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody: unknown; responses: Record<string, unknown> }>>;
    }>();
    const operation = document.paths['/v1/search']!.post!;
    const text = JSON.stringify(operation);
    expect(JSON.stringify(operation.requestBody)).toContain('minSimilarity');
    const response = JSON.stringify(operation.responses['200']);
    for (const word of ['notices', 'reranked', 'rerank_unavailable', 'nothing_matched', 'embedding_only']) {
      expect(response, word).toContain(word);
    }
    expect(text).toContain('hits');
  });
});

describeEachDriver('search with a configured reranker', (driver) => {
  let platform: TestPlatform;
  let provider: FakeProvider;
  let readerKey: string;

  beforeAll(async () => {
    provider = await startFakeProvider();
    // The stand-in reranker prefers the passage about tea, whatever the question.
    provider.handle((request, response) => {
      const { documents } = request.body as { documents: string[] };
      const results = documents.map((document, index) => ({ index, relevance_score: document.includes('tea') ? 0.9 : 0.1 }));
      sendJson(response, 200, { results: results.sort((left, right) => right.relevance_score - left.relevance_score) });
    });
    platform = await createTestPlatform(driver, { RERANK_PROVIDER: 'openai', RERANK_BASE_URL: provider.baseUrl });
    const { runtime } = platform;
    const tenant = await runtime.tenants.create({ slug: 'reranked', name: 'Reranked' });
    readerKey = (await runtime.keys.create({ name: 'r', role: 'reader', tenantId: tenant.id })).key;
    await runtime.startWorker();
    const added = await runtime.documents.intake(tenant.id, [
      { fileName: 'volcano.md', bytes: Buffer.from('# Volcanoes\n\nA volcano erupts when magma rises through the crust.') },
      { fileName: 'tea.md', bytes: Buffer.from('# Tea\n\nGreen tea grows on a plant that likes volcanic soil and magma-warmed hills.') },
    ]);
    await waitForDocuments(runtime, tenant.id, added.map((result) => result.id));
  }, 300_000);
  afterAll(async () => {
    await platform.dispose();
    await provider.close();
  });

  it('reranks, says so, and gives no notice', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: bearer(readerKey),
      payload: { query: 'magma volcano', mode: 'hybrid', rerank: true },
    });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<SearchResponse>();
    expect(answer.reranked).toBe(true);
    expect(answer.notices).toEqual([]);
    expect(answer.hits[0]!.fileName).toBe('tea.md');
    expect(answer.hits[0]!.explanation.rerankScore).toBe(0.9);
    expect(provider.requests.length).toBeGreaterThan(0);
  });
});
