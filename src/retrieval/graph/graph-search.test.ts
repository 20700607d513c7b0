import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/test-databases.js';
import {
  createTestPlatform,
  type TestPlatform,
  waitForDocuments,
} from '../../../test/support/test-platform.js';
import type { RankedChunk, SearchFilters } from '../../core/search.js';
import { withTenant } from '../../db/tenant-scope.js';
import { graphSearch } from './graph-search.js';
import { type IngestedDocument, graphTestDocuments, ingestDocuments } from './graph-test-corpus.js';

describeEachDriver('graph search', (driver) => {
  let platform: TestPlatform;
  let tenantId: string;
  let otherTenantId: string;
  let documents: Map<string, IngestedDocument>;
  let otherDocuments: Map<string, IngestedDocument>;

  const chunkOf = (file: string, from = documents): number => {
    const chunkId = from.get(file)?.chunkIds[0];
    if (chunkId === undefined) throw new Error(`no chunk for ${file}`);
    return chunkId;
  };

  async function search(
    query: string,
    options: { seedChunks?: RankedChunk[]; filters?: SearchFilters; tenant?: string; limit?: number } = {},
  ): Promise<RankedChunk[]> {
    const [queryVector] = await platform.runtime.embedder.embed([query]);
    return withTenant(
      platform.database,
      options.tenant ?? tenantId,
      (transaction) =>
        graphSearch(transaction, {
          query,
          queryVector: queryVector ?? [],
          seedChunks: options.seedChunks ?? [],
          limit: options.limit ?? 10,
          filters: options.filters ?? {},
        }),
      { readOnly: true },
    );
  }

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    tenantId = (await platform.runtime.tenants.create({ slug: 'graph', name: 'Graph' })).id;
    otherTenantId = (await platform.runtime.tenants.create({ slug: 'graph-other', name: 'Other' })).id;
    await platform.runtime.startWorker();
    documents = await ingestDocuments(platform.runtime, tenantId, graphTestDocuments, waitForDocuments);
    otherDocuments = await ingestDocuments(
      platform.runtime,
      otherTenantId,
      {
        'somerville.md':
          'Ada Lovelace met Mary Somerville in London. Mary Somerville was born in Jedburgh.\n',
      },
      waitForDocuments,
    );
  });
  afterAll(() => platform.dispose());

  it('reaches a passage two hops away through the entity the question names', async () => {
    const hits = await search("Where was Ada Lovelace's collaborator born?");
    const ranked = hits.map((hit) => hit.chunkId);
    const babbage = ranked.indexOf(chunkOf('babbage.md'));
    expect(ranked[0]).toBe(chunkOf('lovelace.md'));
    expect(babbage).toBeGreaterThan(0);
    for (const distractor of ['curie.md', 'turing.md', 'hopper.md']) {
      const position = ranked.indexOf(chunkOf(distractor));
      if (position !== -1) expect(position).toBeGreaterThan(babbage);
    }
    // The explanation names the entities the walk went through.
    expect(hits[babbage]?.entities).toContain('Charles Babbage');
    expect(hits.every((hit, index) => index === 0 || hit.score <= (hits[index - 1]?.score ?? 0))).toBe(true);
  });

  it('matches lower-case names and a lone surname through n-grams', async () => {
    const lowerCase = await search('who did ada lovelace work with');
    expect(lowerCase.map((hit) => hit.chunkId)).toContain(chunkOf('lovelace.md'));
    // A lone surname stands for every full name ending with it.
    const surname = (await search('babbage')).map((hit) => hit.chunkId);
    expect(surname).toEqual(
      expect.arrayContaining([chunkOf('lovelace.md'), chunkOf('babbage.md'), chunkOf('herschel.md')]),
    );
    // The full name, once matched, no longer lets its parts seed other entities.
    const fullName = (await search('Charles Babbage')).map((hit) => hit.chunkId);
    expect(fullName).toContain(chunkOf('babbage.md'));
    expect(fullName).not.toContain(chunkOf('herschel.md'));
  });

  it('seeds from the entities of the first-stage passages', async () => {
    const query = 'Where was the collaborator born?';
    expect(await search(query)).toEqual([]);
    const hits = await search(query, { seedChunks: [{ chunkId: chunkOf('lovelace.md'), score: 3 }] });
    expect(hits.map((hit) => hit.chunkId)).toContain(chunkOf('babbage.md'));
  });

  it('keeps the two-hop passage above distractors that lexical seeds bring in', async () => {
    // What BM25 ranks for this question: the passage naming Ada, then every passage saying "born".
    const seedChunks = ['lovelace.md', 'turing.md', 'curie.md'].map((file, index) => ({
      chunkId: chunkOf(file),
      score: 3 - index,
    }));
    const ranked = (await search("Where was Ada Lovelace's collaborator born?", { seedChunks })).map(
      (hit) => hit.chunkId,
    );
    const babbage = ranked.indexOf(chunkOf('babbage.md'));
    expect(babbage).toBe(1);
    expect(ranked.indexOf(chunkOf('turing.md'))).toBeGreaterThan(babbage);
    expect(ranked.indexOf(chunkOf('curie.md'))).toBeGreaterThan(babbage);
  });

  it('applies the filters to the passages it returns', async () => {
    const babbageDocument = documents.get('babbage.md')!.documentId;
    const lovelaceDocument = documents.get('lovelace.md')!.documentId;
    const only = await search("Where was Ada Lovelace's collaborator born?", {
      filters: { documentIds: [babbageDocument] },
    });
    expect(only.map((hit) => hit.chunkId)).toEqual([chunkOf('babbage.md')]);
    const others = await search("Where was Ada Lovelace's collaborator born?", {
      filters: { documentIds: [lovelaceDocument, documents.get('curie.md')!.documentId] },
    });
    expect(others.map((hit) => hit.chunkId)).not.toContain(chunkOf('babbage.md'));
  });

  it("never sees another tenant's entities or passages", async () => {
    const hits = await search('Ada Lovelace met Mary Somerville in London');
    const otherChunk = chunkOf('somerville.md', otherDocuments);
    expect(hits.map((hit) => hit.chunkId)).not.toContain(otherChunk);
    expect(hits.flatMap((hit) => hit.entities ?? [])).not.toContain('Mary Somerville');
    const fromOther = await search('Ada Lovelace', { tenant: otherTenantId });
    expect(fromOther.map((hit) => hit.chunkId)).toEqual([otherChunk]);
  });

  it('returns nothing for a question without known entities, and honours the limit', async () => {
    expect(await search('What is the airspeed velocity of an unladen swallow?')).toEqual([]);
    expect(await search('Charles Babbage', { limit: 1 })).toHaveLength(1);
  });
});
