import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import { bearer, createTestPlatform, waitForDocuments, type TestPlatform } from '../../test/support/test-platform.js';
import { searchModes, type SearchResponse } from '../core/search.js';
import { withTenant } from '../db/tenant-scope.js';
import type { Tenant } from '../tenancy/tenant-service.js';
import { analyzeQuery } from './analyze-query.js';
import { bm25Search } from './bm25-search.js';
import { inverseDocumentFrequency, termFrequencyWeight } from './bm25-scoring.js';

const corpus = {
  'lovelace.md': '# Ada Lovelace\n\nAda Lovelace wrote the first program for the Analytical Engine designed by Charles Babbage.',
  'babbage.md': '# Charles Babbage\n\nCharles Babbage was born in London and designed the Difference Engine.',
  'volcano.md': '# Volcanoes\n\nA volcano erupts when magma rises through the crust. Volcano ash travels far.',
  'tea.md': '# Tea\n\nGreen tea and black tea come from the same plant, Camellia sinensis.',
  'beijing.md': '# 北京\n\n清华大学位于北京海淀区，是中国著名的大学。',
};

describeEachDriver('search', (driver) => {
  let platform: TestPlatform;
  let tenant: Tenant;
  let other: Tenant;
  let editorKey: string;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    tenant = await runtime.tenants.create({ slug: 'search', name: 'Search' });
    other = await runtime.tenants.create({ slug: 'other', name: 'Other' });
    editorKey = (await runtime.keys.create({ name: 'e', role: 'editor', tenantId: tenant.id })).key;
    await runtime.startWorker();
    const collection = await runtime.collections.create(tenant.id, { name: 'science', description: '', metadata: {} });
    const science = await runtime.documents.intake(
      tenant.id,
      [{ fileName: 'volcano.md', bytes: Buffer.from(corpus['volcano.md']) }],
      { collection: collection.id, metadata: { topic: 'geology' } },
    );
    const rest = await runtime.documents.intake(
      tenant.id,
      Object.entries(corpus)
        .filter(([name]) => name !== 'volcano.md')
        .map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
    );
    for (const result of [...science, ...rest]) ids.set(result.fileName, result.id);
    // The other tenant holds a document that would match every query below.
    const foreign = await runtime.documents.intake(other.id, [
      { fileName: 'foreign.md', bytes: Buffer.from('Ada Lovelace volcano tea Charles Babbage 北京 London magma') },
    ]);
    await waitForDocuments(runtime, tenant.id, [...ids.values()]);
    await waitForDocuments(runtime, other.id, [foreign[0]!.id]);
  });
  afterAll(() => platform.dispose());

  const fileOf = (response: SearchResponse) => response.hits.map((hit) => hit.fileName);

  it('scores BM25 in SQL exactly as the formula computed by hand', async () => {
    const { database } = platform;
    const rows = await withTenant(database, tenant.id, async (transaction) => {
      const statistics = await transaction.query<{ chunk_count: number; total_length: number }>(
        'SELECT chunk_count, total_length FROM corpus_statistics',
      );
      const postings = await transaction.query<{ chunk_id: number; term_frequency: number; chunk_length: number; df: number }>(
        `SELECT p.chunk_id, p.term_frequency, p.chunk_length, t.chunk_frequency AS df
         FROM chunk_terms p JOIN term_statistics t ON t.tenant_id = p.tenant_id AND t.term = p.term
         WHERE p.term = 'volcano'`,
      );
      const found = await bm25Search(transaction, tenant.id, analyzeQuery('volcano'), { limit: 5, filters: {} });
      return { statistics: statistics.rows[0]!, postings: postings.rows, found };
    });
    expect(rows.postings).toHaveLength(1);
    const posting = rows.postings[0]!;
    // The heading "Volcanoes" counts twice (headings weigh double), the body says "volcano" twice.
    expect(posting.term_frequency).toBe(4);
    const average = rows.statistics.total_length / rows.statistics.chunk_count;
    const expected =
      inverseDocumentFrequency(rows.statistics.chunk_count, posting.df) *
      termFrequencyWeight(posting.term_frequency, posting.chunk_length, average);
    expect(rows.found).toHaveLength(1);
    expect(rows.found[0]!.chunkId).toBe(posting.chunk_id);
    expect(rows.found[0]!.score).toBeCloseTo(expected, 9);
    expect(rows.found[0]!.matchedTerms).toEqual(['volcano']);
  });

  it('finds the right document in every mode, and never another tenant\u2019s', async () => {
    for (const mode of searchModes) {
      const response = await platform.runtime.search.search(tenant.id, { query: 'Ada Lovelace program', mode, k: 5 });
      expect(response.mode).toBe(mode);
      expect(fileOf(response), mode).not.toContain('foreign.md');
      if (mode !== 'global') expect(fileOf(response)[0], mode).toBe('lovelace.md');
    }
    const chinese = await platform.runtime.search.search(tenant.id, { query: '清华大学在哪里', mode: 'bm25', k: 3 });
    expect(fileOf(chinese)[0]).toBe('beijing.md');
  });

  it('explains each hit: lists, ranks, scores, matched terms and entities', async () => {
    const response = await platform.runtime.search.search(tenant.id, { query: 'Who designed the Difference Engine?', mode: 'mix', k: 3 });
    const top = response.hits[0]!;
    expect(top.fileName).toBe('babbage.md');
    expect(top.sectionPath).toContain('Charles Babbage');
    const lists = top.explanation.lists.map((list) => list.list);
    expect(lists).toEqual(expect.arrayContaining(['bm25', 'graph']));
    // The offline embedder is lexical: its list is not fused while BM25 has candidates, and the
    // explanation says so; the graph counts because the question names "Difference Engine".
    const weights = new Map(top.explanation.weights!.map((entry) => [entry.list, entry]));
    expect([...weights.keys()].sort()).toEqual(['bm25', 'community', 'graph', 'vector']);
    expect(weights.get('bm25')).toMatchObject({ weight: 1, reason: expect.stringMatching(/^lexical anchor; its first \d+ hits? .* stay on top$/) });
    expect(weights.get('vector')).toMatchObject({ weight: 0, reason: expect.stringContaining('lexical embedder') });
    expect(weights.get('graph')!.weight).toBeGreaterThan(0);
    expect(weights.get('graph')!.reason).toContain('question entities resolve');
    for (const list of top.explanation.lists) {
      expect(list.rank).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(list.score)).toBe(true);
    }
    expect(top.explanation.matchedTerms).toEqual(expect.arrayContaining(['designed', 'Difference', 'Engine']));
    expect(top.explanation.fusion).toBe('rrf');
    const expectedFused = top.explanation.lists.reduce((sum, list) => sum + list.weight / (60 + list.rank), 0);
    expect(top.explanation.fusedScore).toBeCloseTo(expectedFused, 12);
    const convex = await platform.runtime.search.search(tenant.id, {
      query: 'Who designed the Difference Engine?',
      mode: 'mix',
      k: 3,
      fusion: 'convex',
    });
    expect(convex.hits[0]!.fileName).toBe('babbage.md');
    expect(convex.hits[0]!.explanation.fusion).toBe('convex');
    const weightSum = convex.hits[0]!.explanation.lists.reduce((sum, list) => sum + list.weight, 0);
    expect(convex.hits[0]!.explanation.fusedScore).toBeLessThanOrEqual(weightSum + 1e-9);
    const withEvidence = await platform.runtime.search.search(tenant.id, {
      query: 'Who designed the Difference Engine?',
      mode: 'mix',
      k: 3,
      evidence: true,
    });
    expect(withEvidence.hits[0]!.fileName).toBe('babbage.md');
    expect(withEvidence.hits[0]!.explanation.evidence).toMatchObject({ answerType: 'person', coverage: 1 });
    expect(top.explanation.evidence).toBeUndefined();
  });

  it('applies collection, document and metadata filters in every list', async () => {
    const collection = await platform.runtime.collections.get(tenant.id, 'science');
    for (const mode of ['bm25', 'naive', 'hybrid', 'mix'] as const) {
      const byCollection = await platform.runtime.search.search(tenant.id, {
        query: 'Charles Babbage volcano',
        mode,
        k: 5,
        filters: { collectionIds: [collection.id] },
      });
      expect(new Set(fileOf(byCollection)), mode).toEqual(new Set(['volcano.md']));
      const byMetadata = await platform.runtime.search.search(tenant.id, {
        query: 'Charles Babbage volcano',
        mode,
        k: 5,
        filters: { metadata: { topic: 'geology' } },
      });
      expect(new Set(fileOf(byMetadata)), mode).toEqual(new Set(['volcano.md']));
      const byDocument = await platform.runtime.search.search(tenant.id, {
        query: 'Charles Babbage volcano',
        mode,
        k: 5,
        filters: { documentIds: [ids.get('babbage.md')!] },
      });
      expect(new Set(fileOf(byDocument)), mode).toEqual(new Set(['babbage.md']));
    }
  });

  it('caches hot queries and invalidates them when the corpus changes', async () => {
    const { runtime } = platform;
    const query = { query: 'green tea plant', mode: 'hybrid' as const, k: 5 };
    const first = await runtime.search.search(tenant.id, query);
    expect(first.cached).toBe(false);
    const second = await runtime.search.search(tenant.id, query);
    expect(second.cached).toBe(true);
    expect(fileOf(second)).toEqual(fileOf(first));
    const added = await runtime.documents.intake(tenant.id, [
      { fileName: 'oolong.md', bytes: Buffer.from('# Oolong\n\nOolong is a green tea plant variety, partly oxidised tea.') },
    ]);
    await waitForDocuments(runtime, tenant.id, [added[0]!.id]);
    const third = await runtime.search.search(tenant.id, query);
    expect(third.cached).toBe(false);
    expect(fileOf(third)).toContain('oolong.md');
    await runtime.documents.delete(tenant.id, added[0]!.id);
    const fourth = await runtime.search.search(tenant.id, query);
    expect(fourth.cached).toBe(false);
    expect(fileOf(fourth)).not.toContain('oolong.md');
  });

  it('serves POST /v1/search with validation and tenant scope', async () => {
    const { app } = platform;
    const response = await app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: bearer(editorKey),
      payload: { query: 'magma crust', mode: 'bm25', k: 2 },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<SearchResponse>();
    expect(body.hits[0]!.fileName).toBe('volcano.md');
    expect(body.hits[0]!.documentId).toBe(ids.get('volcano.md'));
    // Each passage is sent once: the text; its content (the text's tail) only when asked for.
    expect(body.hits[0]!.text).toContain('magma');
    expect(body.hits.every((hit) => !('content' in hit))).toBe(true);
    const withContent = await app.inject({
      method: 'POST',
      url: '/v1/search?include=content',
      headers: bearer(editorKey),
      payload: { query: 'magma crust', mode: 'bm25', k: 2 },
    });
    const withContentHits = withContent.json<SearchResponse>().hits;
    expect(withContentHits.map((hit) => hit.chunkId)).toEqual(body.hits.map((hit) => hit.chunkId));
    expect(withContentHits.every((hit) => hit.content.length > 0 && hit.text.endsWith(hit.content))).toBe(true);
    for (const include of ['contents', 'text', '']) {
      const unknown = await app.inject({
        method: 'POST',
        url: `/v1/search?include=${include}`,
        headers: bearer(editorKey),
        payload: { query: 'magma crust', mode: 'bm25', k: 2 },
      });
      expect(unknown.statusCode, include).toBe(400);
      expect(unknown.json<{ error: { fields: { path: string }[] } }>().error.fields.map((field) => field.path)).toEqual(['query.include']);
    }
    const invalid = await app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: bearer(editorKey),
      payload: { query: '', mode: 'telepathy', k: 0 },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ error: { fields: { path: string }[] } }>().error.fields.map((field) => field.path).sort()).toEqual([
      'body.k',
      'body.mode',
      'body.query',
    ]);
    const unauthenticated = await app.inject({ method: 'POST', url: '/v1/search', payload: { query: 'x' } });
    expect(unauthenticated.statusCode).toBe(401);
  });
});
