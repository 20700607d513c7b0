import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/test-databases.js';
import {
  createTestPlatform,
  type TestPlatform,
  waitForDocuments,
} from '../../../test/support/test-platform.js';
import { withTenant } from '../../db/tenant-scope.js';
import { graphTestDocuments, ingestDocuments } from '../graph/graph-test-corpus.js';
import { rebuildCommunities, type SummariseCommunity } from './community-builder.js';

interface StoredCommunity {
  id: number;
  level: number;
  parent_id: number | null;
  title: string;
  summary: string;
  entity_count: number;
  chunk_count: number;
  has_embedding: boolean;
  members: string[];
}

describeEachDriver('community builder', (driver) => {
  let platform: TestPlatform;
  let tenantId: string;
  let otherTenantId: string;

  const embed = (texts: string[]) => platform.runtime.embedder.embed(texts);

  function rebuild(tenant: string, summarise?: SummariseCommunity) {
    return withTenant(platform.database, tenant, (transaction) =>
      rebuildCommunities(transaction, summarise ? { embed, summarise } : { embed }),
    );
  }

  function stored(tenant: string): Promise<StoredCommunity[]> {
    return withTenant(
      platform.database,
      tenant,
      async (transaction) =>
        (
          await transaction.query<StoredCommunity>(
            `SELECT c.id, c.level, c.parent_id, c.title, c.summary, c.entity_count, c.chunk_count,
                    c.embedding IS NOT NULL AS has_embedding,
                    ARRAY(SELECT e.name FROM community_members m JOIN entities e ON e.id = m.entity_id
                          WHERE m.community_id = c.id ORDER BY m.rank) AS members
             FROM communities c ORDER BY c.id`,
          )
        ).rows,
      { readOnly: true },
    );
  }

  const withoutIds = (communities: readonly StoredCommunity[]) =>
    communities.map(({ level, title, summary, entity_count, chunk_count, members }) => ({
      level,
      title,
      summary,
      entity_count,
      chunk_count,
      members,
    }));

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    tenantId = (await platform.runtime.tenants.create({ slug: 'communities', name: 'Communities' })).id;
    otherTenantId = (await platform.runtime.tenants.create({ slug: 'communities-other', name: 'Other' })).id;
    await platform.runtime.startWorker();
    await ingestDocuments(platform.runtime, tenantId, graphTestDocuments, waitForDocuments);
    await ingestDocuments(
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

  it('groups related entities, skips tiny groups and summarises with member names', async () => {
    const result = await rebuild(tenantId);
    const communities = await stored(tenantId);
    expect(result.communities).toBe(communities.length);
    const lovelace = communities.find((community) => community.members.includes('Ada Lovelace'));
    const hopper = communities.find((community) => community.members.includes('Grace Hopper'));
    expect(lovelace?.members).toEqual(expect.arrayContaining(['Charles Babbage', 'Analytical Engine']));
    expect(hopper?.members).toEqual(expect.arrayContaining(['Howard Aiken', 'Harvard University']));
    expect(lovelace?.id).not.toBe(hopper?.id);
    // Marie Curie and Warsaw only know each other: two entities are not a community.
    expect(communities.flatMap((community) => community.members)).not.toContain('Marie Curie');
    for (const community of communities) {
      expect(community.members.length).toBeGreaterThanOrEqual(3);
      expect(community.entity_count).toBe(community.members.length);
      expect(community.chunk_count).toBeGreaterThan(0);
      expect(community.has_embedding).toBe(true);
      expect(community.title).toContain(community.members[0]);
      for (const member of community.members.slice(0, 3)) expect(community.summary).toContain(member);
    }
    expect(hopper?.summary).toMatch(/Grace Hopper — Howard Aiken/);
    expect(hopper?.summary).toContain('Grace Hopper worked with Howard Aiken at Harvard University.');
  });

  it('is deterministic, and a rebuild replaces the previous rows', async () => {
    await rebuild(tenantId);
    const first = await stored(tenantId);
    await rebuild(tenantId);
    const second = await stored(tenantId);
    expect(withoutIds(second)).toEqual(withoutIds(first));
    const firstIds = new Set(first.map((community) => community.id));
    expect(second.some((community) => firstIds.has(community.id))).toBe(false);
    const orphans = await withTenant(platform.database, tenantId, (transaction) =>
      transaction.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM community_members WHERE NOT (community_id = ANY($1::bigint[]))',
        [second.map((community) => community.id)],
      ),
    );
    expect(orphans.rows[0]?.count).toBe(0);
  });

  it('uses the summariser when one is given', async () => {
    const calls: { entities: readonly string[]; relations: number; excerpts: readonly string[] }[] = [];
    await rebuild(tenantId, async (entities, relations, excerpts) => {
      calls.push({ entities, relations: relations.length, excerpts });
      return `LLM summary of ${entities.join(' and ')}`;
    });
    const communities = await stored(tenantId);
    expect(calls).toHaveLength(communities.length);
    expect(communities.every((community) => community.summary.startsWith('LLM summary of '))).toBe(true);
    const hopper = calls.find((call) => call.entities.includes('Grace Hopper'));
    expect(hopper?.relations).toBeGreaterThan(0);
    expect(hopper?.excerpts.join(' ')).toContain('Howard Aiken');
  });

  it("keeps each tenant's communities to itself", async () => {
    await rebuild(otherTenantId);
    const other = await stored(otherTenantId);
    expect(other).toHaveLength(1);
    expect(other[0]?.members).toEqual(expect.arrayContaining(['Mary Somerville', 'Ada Lovelace', 'London']));
    await rebuild(tenantId);
    expect(withoutIds(await stored(otherTenantId))).toEqual(withoutIds(other));
    const mine = await stored(tenantId);
    expect(mine.flatMap((community) => community.members)).not.toContain('Mary Somerville');
  });

  it('refuses to run outside a tenant scope', async () => {
    await expect(
      platform.database.transaction((transaction) => rebuildCommunities(transaction, { embed })),
    ).rejects.toThrow(/tenant-scoped/);
  });
});
