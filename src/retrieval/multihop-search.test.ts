import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import { createTestPlatform, type TestPlatform, waitForDocuments } from '../../test/support/test-platform.js';
import type { SearchResponse } from '../core/search.js';
import { ingestDocuments } from './graph/graph-test-corpus.js';

/**
 * A two-hop question: "In which city was the director of Zephyr Nights born?" The first passage
 * names the film and its director; the answer passage names only the director — the bridge — and
 * shares a single common word ("born") with the question, so BM25 ranks passages that share more
 * words with the question above it. Multi-hop retrieval reads the bridge off the first passage
 * and walks to the second.
 */
const documents = {
  'film.md': 'Zephyr Nights is a drama film directed by Orla Brennan, shot on the Atlantic coast.\n',
  'brennan.md': 'Orla Brennan was born in Galway. Orla Brennan studied painting in Lisbon before her first feature.\n',
  'curie.md': 'Marie Curie was born in the city of Warsaw, a city she left for Paris.\n',
  'nights.md': 'Summer nights in the city are cooled by the wind from the bay.\n',
  'directors.md': 'A film director was born to direct, says Tomas Varga, who directed the city festival.\n',
  'aiken.md': 'Howard Aiken was born in Hoboken and designed the Harvard Mark I.\n',
} as const;
const question = 'In which city was the director of the drama film Zephyr Nights born?';

describeEachDriver('multihop search', (driver) => {
  let platform: TestPlatform;
  let tenantId: string;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    tenantId = (await platform.runtime.tenants.create({ slug: 'multihop', name: 'Multihop' })).id;
    await platform.runtime.startWorker();
    await ingestDocuments(platform.runtime, tenantId, documents, waitForDocuments);
  }, 300_000);
  afterAll(() => platform.dispose());

  const files = (response: SearchResponse) => response.hits.map((hit) => hit.fileName);

  it('reaches the passage about the bridge entity that BM25 ranks low', async () => {
    const bm25 = await platform.runtime.search.search(tenantId, { query: question, mode: 'bm25', k: 6 });
    const bm25Rank = files(bm25).indexOf('brennan.md');
    expect(bm25Rank === -1 || bm25Rank >= 3).toBe(true);

    for (const fusion of ['rrf', 'convex'] as const) {
      const multihop = await platform.runtime.search.search(tenantId, { query: question, mode: 'multihop', k: 6, fusion });
      expect(multihop.mode).toBe('multihop');
      // BM25's confident head (film.md, and directors.md which shares most words) stays on top;
      // the bridge passage comes right after it, above everything else BM25 ranked higher.
      // Convex fusion min–max normalises the walk's PageRank mass, which flattens the bridge
      // passage's lead there: it rises above where BM25 ranks it, but less far than with RRF.
      if (fusion === 'rrf') expect(files(multihop).slice(0, 3)).toEqual(expect.arrayContaining(['film.md', 'brennan.md']));
      expect(files(multihop).indexOf('brennan.md'), fusion).toBeLessThan(bm25Rank === -1 ? Infinity : bm25Rank);
      const bridgeHit = multihop.hits.find((hit) => hit.fileName === 'brennan.md')!;
      const bridge = bridgeHit.explanation.lists.find((list) => list.list === 'bridge');
      expect(bridge, fusion).toBeDefined();
      expect(bridgeHit.explanation.entities.map((name) => name.toLowerCase())).toContain('orla brennan');
      expect(bridgeHit.explanation.weights?.find((entry) => entry.list === 'bridge')?.reason).toContain('second hop');
    }
  });

  it('answers a one-hop question as well as BM25 does', async () => {
    const query = 'Where was Howard Aiken born?';
    const bm25 = await platform.runtime.search.search(tenantId, { query, mode: 'bm25', k: 3 });
    const multihop = await platform.runtime.search.search(tenantId, { query, mode: 'multihop', k: 3 });
    expect(files(bm25)[0]).toBe('aiken.md');
    expect(files(multihop)[0]).toBe('aiken.md');
  });
});
