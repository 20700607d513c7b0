import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/test-databases.js';
import {
  createTestPlatform,
  type TestPlatform,
  waitForDocuments,
} from '../../../test/support/test-platform.js';
import type { SearchFilters } from '../../core/search.js';
import { withTenant } from '../../db/tenant-scope.js';
import { type IngestedDocument, graphTestDocuments, ingestDocuments } from '../graph/graph-test-corpus.js';
import { rebuildCommunities } from './community-builder.js';
import { communitySearch } from './community-search.js';

describeEachDriver('community search', (driver) => {
  let platform: TestPlatform;
  let tenantId: string;
  let otherTenantId: string;
  let documents: Map<string, IngestedDocument>;

  const chunkOf = (file: string): number => {
    const chunkId = documents.get(file)?.chunkIds[0];
    if (chunkId === undefined) throw new Error(`no chunk for ${file}`);
    return chunkId;
  };

  async function search(
    query: string,
    options: { filters?: SearchFilters; tenant?: string; vector?: boolean } = {},
  ) {
    const [queryVector] = options.vector === false ? [[]] : await platform.runtime.embedder.embed([query]);
    return withTenant(
      platform.database,
      options.tenant ?? tenantId,
      (transaction) =>
        communitySearch(transaction, {
          query,
          queryVector: queryVector ?? [],
          limit: 10,
          filters: options.filters ?? {},
        }),
      { readOnly: true },
    );
  }

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    tenantId = (await platform.runtime.tenants.create({ slug: 'global', name: 'Global' })).id;
    otherTenantId = (await platform.runtime.tenants.create({ slug: 'global-other', name: 'Other' })).id;
    await platform.runtime.startWorker();
    documents = await ingestDocuments(platform.runtime, tenantId, graphTestDocuments, waitForDocuments);
    await ingestDocuments(
      platform.runtime,
      otherTenantId,
      {
        'hopper-elsewhere.md':
          'Grace Hopper met Jean Sammet at the Eckert-Mauchly Computer Corporation. Jean Sammet designed FORMAC with Grace Hopper.\n',
      },
      waitForDocuments,
    );
    const embed = (texts: string[]) => platform.runtime.embedder.embed(texts);
    for (const tenant of [tenantId, otherTenantId]) {
      await withTenant(platform.database, tenant, (transaction) =>
        rebuildCommunities(transaction, { embed }),
      );
    }
  });
  afterAll(() => platform.dispose());

  it('finds the community of the entities a question names, and its passages', async () => {
    const { communities, chunks } = await search('What did Grace Hopper and Howard Aiken build at Harvard?');
    expect(communities[0]?.title).toContain('Grace Hopper');
    expect(communities[0]?.score).toBeGreaterThan(communities[1]?.score ?? 0);
    expect(chunks[0]?.chunkId).toBe(chunkOf('hopper.md'));
    expect(chunks[0]?.entities).toEqual(expect.arrayContaining(['Grace Hopper', 'Howard Aiken']));
  });

  it('ranks by entity overlap without a query vector, and by the summary without named entities', async () => {
    const byEntities = await search('ada lovelace', { vector: false });
    expect(byEntities.communities[0]?.title).toContain('Ada Lovelace');
    expect(byEntities.chunks.map((chunk) => chunk.chunkId)).toEqual(
      expect.arrayContaining([chunkOf('lovelace.md'), chunkOf('babbage.md')]),
    );
    const bySummary = await search('engines designed for computing', {});
    expect(bySummary.communities[0]?.summary).toContain('Analytical Engine');
  });

  it('applies the filters to the passages', async () => {
    const { communities, chunks } = await search('Ada Lovelace and Charles Babbage', {
      filters: { documentIds: [documents.get('babbage.md')!.documentId] },
    });
    expect(communities[0]?.title).toContain('Charles Babbage');
    expect(chunks.map((chunk) => chunk.chunkId)).toEqual([chunkOf('babbage.md')]);
  });

  it("never returns another tenant's communities or members", async () => {
    const { communities, chunks } = await search('Grace Hopper and Jean Sammet');
    expect(communities.every((community) => !community.summary.includes('Jean Sammet'))).toBe(true);
    expect(chunks.flatMap((chunk) => chunk.entities ?? [])).not.toContain('Jean Sammet');
    const other = await search('Grace Hopper and Jean Sammet', { tenant: otherTenantId });
    expect(other.communities).toHaveLength(1);
    expect(other.communities[0]?.summary).toContain('Jean Sammet');
  });

  it('returns nothing when the tenant has no communities', async () => {
    const empty = (await platform.runtime.tenants.create({ slug: 'global-empty', name: 'Empty' })).id;
    expect(await search('Grace Hopper', { tenant: empty })).toEqual({ chunks: [], communities: [] });
  });
});
