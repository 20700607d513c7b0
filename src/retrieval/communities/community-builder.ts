/**
 * Rebuilds the current tenant's communities (GraphRAG's "global" index): loads the entity graph,
 * partitions it with Louvain (plan-communities.ts), summarises every community — extractively, or
 * with `summarise` (an LLM) when given — embeds the summaries, and replaces the stored communities
 * in the caller's transaction, so a search sees either the old set or the new one, never a mix.
 *
 * Run it in the background after ingestion settles (debounced per tenant): it reads the whole
 * tenant graph, and with an LLM `summarise` it holds the transaction for as long as the calls take.
 */
import type { Queryable } from '../../core/database.js';
import type { PartitionEdge } from './louvain-partition.js';
import {
  type GraphEntity,
  type PlanOptions,
  type PlannedCommunity,
  planCommunities,
} from './plan-communities.js';
import {
  type CommunityRelation,
  communityTitle,
  extractiveSummary,
  representativeSentence,
} from './community-summary.js';
import { writeCommunities } from './community-writer.js';

export type SummariseCommunity = (
  entities: readonly string[],
  relations: readonly CommunityRelation[],
  excerpts: readonly string[],
) => Promise<string>;

export interface RebuildCommunitiesOptions extends PlanOptions {
  readonly embed: (texts: string[]) => Promise<number[][]>;
  readonly summarise?: SummariseCommunity;
  /** Relations lighter than this are left out of the graph (weak, distant co-occurrences). */
  readonly minimumRelationWeight?: number;
  /** Passages whose best sentence is quoted in a summary. */
  readonly excerptsPerCommunity?: number;
}

const summaryEntityCount = 20;
const summaryRelationCount = 10;
const defaultExcerpts = 3;

interface ExcerptRow {
  community: number;
  chunk_id: number;
  chunk_count: number;
  text: string | null;
}

/**
 * Refuses to run outside withTenant: as the tables' owner, row-level security would not apply and
 * the rebuild would read every tenant's graph. Then serialises rebuilds of one tenant: two at once
 * would each delete the old rows and both insert, leaving two copies of every community.
 */
async function lockTenantRebuild(transaction: Queryable): Promise<void> {
  const scope = await transaction.query<{ tenant: string | null }>(
    "SELECT NULLIF(current_setting('app.tenant_id', true), '') AS tenant",
  );
  const tenant = scope.rows[0]?.tenant;
  if (!tenant) throw new Error('rebuildCommunities must run inside a tenant-scoped transaction');
  await transaction.query("SELECT pg_advisory_xact_lock(hashtext('rhizome.communities'), hashtext($1))", [
    tenant,
  ]);
}

async function loadEntityGraph(
  transaction: Queryable,
  minimumRelationWeight: number,
): Promise<{ entities: Map<number, GraphEntity>; edges: PartitionEdge[] }> {
  const relations = await transaction.query<{ source: number; target: number; weight: number }>(
    `SELECT source_entity_id AS source, target_entity_id AS target, weight FROM relations
     WHERE weight >= $1 ORDER BY source_entity_id, target_entity_id`,
    [minimumRelationWeight],
  );
  const entityRows = await transaction.query<{ id: number; name: string; mention_count: number }>(
    `SELECT e.id, e.name, e.mention_count FROM entities e
     WHERE e.id IN (SELECT source_entity_id FROM relations WHERE weight >= $1
                    UNION SELECT target_entity_id FROM relations WHERE weight >= $1)
     ORDER BY e.id`,
    [minimumRelationWeight],
  );
  const entities = new Map(
    entityRows.rows.map((row) => [row.id, { id: row.id, name: row.name, mentionCount: row.mention_count }]),
  );
  return { entities, edges: relations.rows };
}

/** Per community: how many passages name a member, and the texts of those naming the most members. */
async function loadPassages(
  transaction: Queryable,
  planned: readonly PlannedCommunity[],
  excerpts: number,
): Promise<{ chunkCounts: number[]; texts: string[][] }> {
  const communityIndexes: number[] = [];
  const entityIds: number[] = [];
  planned.forEach((community, index) => {
    for (const member of community.members) {
      communityIndexes.push(index);
      entityIds.push(member);
    }
  });
  const result = await transaction.query<ExcerptRow>(
    `WITH member AS (
       SELECT * FROM unnest($1::int[], $2::bigint[]) AS m(community, entity_id)
     ),
     per_chunk AS (
       SELECT member.community, em.chunk_id, count(*) AS members, sum(em.mention_count) AS mentions
       FROM member JOIN entity_mentions em ON em.entity_id = member.entity_id
       GROUP BY member.community, em.chunk_id
     ),
     ranked AS (
       SELECT community, chunk_id,
              row_number() OVER (PARTITION BY community ORDER BY members DESC, mentions DESC, chunk_id) AS position,
              count(*) OVER (PARTITION BY community) AS chunk_count
       FROM per_chunk
     )
     SELECT r.community, r.chunk_id, r.chunk_count, CASE WHEN r.position <= $3 THEN c.text END AS text
     FROM ranked r JOIN chunks c ON c.id = r.chunk_id
     WHERE r.position = 1 OR r.position <= $3
     ORDER BY r.community, r.position`,
    [communityIndexes, entityIds, excerpts],
  );
  const chunkCounts = planned.map(() => 0);
  const texts = planned.map((): string[] => []);
  for (const row of result.rows) {
    chunkCounts[row.community] = row.chunk_count;
    if (row.text !== null) texts[row.community]?.push(row.text);
  }
  return { chunkCounts, texts };
}

export async function rebuildCommunities(
  transaction: Queryable,
  options: RebuildCommunitiesOptions,
): Promise<{ communities: number }> {
  await lockTenantRebuild(transaction);
  const { entities, edges } = await loadEntityGraph(transaction, options.minimumRelationWeight ?? 0);
  const planned = planCommunities(entities, edges, options);
  const { chunkCounts, texts } = await loadPassages(
    transaction,
    planned,
    options.excerptsPerCommunity ?? defaultExcerpts,
  );

  const nameOf = (id: number): string => entities.get(id)?.name ?? String(id);
  const contents: { title: string; summary: string }[] = [];
  for (const [index, community] of planned.entries()) {
    const names = community.members.slice(0, summaryEntityCount).map(nameOf);
    const relations = community.relations
      .slice(0, summaryRelationCount)
      .map((relation): CommunityRelation => ({
        source: nameOf(relation.source),
        target: nameOf(relation.target),
        weight: relation.weight,
      }));
    const excerpts = [
      ...new Set((texts[index] ?? []).flatMap((text) => representativeSentence(text, names) ?? [])),
    ];
    const summary = options.summarise
      ? await options.summarise(names, relations, excerpts)
      : extractiveSummary({ entities: names, relations, excerpts, entityCount: community.members.length });
    contents.push({ title: communityTitle(names), summary });
  }
  const embeddings =
    contents.length === 0
      ? []
      : await options.embed(contents.map(({ title, summary }) => `${title}\n${summary}`));
  if (embeddings.length !== contents.length) throw new Error('embed returned a different number of vectors');

  await writeCommunities(
    transaction,
    planned.map((community, index) => ({
      level: community.level,
      parentIndex: community.parentIndex,
      title: contents[index]?.title ?? '',
      summary: contents[index]?.summary ?? '',
      members: community.members,
      chunkCount: chunkCounts[index] ?? 0,
      weight: community.weight,
      embedding: embeddings[index] ?? null,
    })),
  );
  return { communities: planned.length };
}
