/**
 * The `global` retrieval list: communities matched to the question, then the passages that best
 * represent them. A community scores by the similarity of its summary's embedding to the question
 * plus the share of the question's entities (weighted as graph seeds) that are its members:
 * embeddings alone confuse communities that speak of the same kind of thing, while a named entity
 * pins the right one. A passage scores by the central members of the top communities it names:
 * each community spreads its score over its top members, the most central weighing most.
 */
import type { Queryable } from '../../core/database.js';
import type { CommunitySummary, RankedChunk, SearchFilters } from '../../core/search.js';
import { chunkFilterSql, hasFilters } from '../chunk-filter.js';
import { findSeedEntities, type SeedEntity } from '../graph/seed-entities.js';
import { vectorLiteral } from '../../db/vector-literal.js';

export interface CommunitySearchOptions {
  /** Communities whose passages are returned. */
  readonly communityLimit?: number;
  /** Weight of entity overlap (a share in [0, 1]) next to the cosine similarity of the summary. */
  readonly overlapWeight?: number;
  /** Members per community whose passages are considered, the most central first. */
  readonly membersPerCommunity?: number;
  /** Passages kept per member, the ones naming it most often first. */
  readonly chunksPerMember?: number;
  /** Mentions read per member before choosing its passages; bounds the cost of a hub. */
  readonly mentionScanLimit?: number;
  /** Entity names given with each hit to explain it. */
  readonly entitiesPerHit?: number;
}

export interface CommunitySearchInput {
  readonly query: string;
  readonly queryVector: readonly number[];
  readonly limit: number;
  readonly filters: SearchFilters;
  readonly options?: CommunitySearchOptions;
  /**
   * The question's seed entities when the caller already has them (`questionSeeds`: the search
   * shares one lookup between the graph and community lists); looked up here otherwise.
   */
  readonly seeds?: readonly SeedEntity[];
  /** The caller folded `seedSearchSettings` into the transaction's settings. */
  readonly settingsApplied?: boolean;
}

const defaults = {
  communityLimit: 5,
  overlapWeight: 0.5,
  membersPerCommunity: 30,
  chunksPerMember: 100,
  mentionScanLimit: 1_000,
  entitiesPerHit: 5,
} satisfies Required<CommunitySearchOptions>;

interface CommunityRow {
  id: number;
  level: number;
  title: string;
  summary: string;
  entity_count: number;
  score: number;
}

async function rankCommunities(
  transaction: Queryable,
  input: CommunitySearchInput,
  settings: Required<CommunitySearchOptions>,
): Promise<CommunitySummary[]> {
  const seeds =
    input.seeds ??
    (await findSeedEntities(transaction, { ...input, seedChunks: [] }, input.settingsApplied ? { settingsApplied: true } : {}));
  const seedTotal = seeds.reduce((sum, seed) => sum + seed.weight, 0);
  const hasVector = input.queryVector.length > 0;
  const result = await transaction.query<CommunityRow>(
    `WITH query_entity AS (
       SELECT * FROM unnest($1::bigint[], $2::float8[]) AS q(entity_id, weight)
     ),
     overlap AS (
       SELECT cm.community_id, sum(q.weight) AS weight
       FROM query_entity q JOIN community_members cm ON cm.entity_id = q.entity_id
       GROUP BY cm.community_id
     ),
     scored AS (
       SELECT c.id, c.level, c.title, c.summary, c.entity_count, c.weight AS prior,
              ${hasVector ? 'coalesce(1 - (c.embedding <=> $6::vector), 0)' : '0::float8'}
                + $3 * least(1, coalesce(o.weight, 0) / $4) AS score
       FROM communities c LEFT JOIN overlap o ON o.community_id = c.id
     )
     SELECT id, level, title, summary, entity_count, score FROM scored
     WHERE score > 0
     ORDER BY score DESC, prior DESC, id
     LIMIT $5`,
    [
      seeds.map((seed) => seed.id),
      seeds.map((seed) => seed.weight),
      settings.overlapWeight,
      seedTotal > 0 ? seedTotal : 1,
      settings.communityLimit,
      ...(hasVector ? [vectorLiteral(input.queryVector)] : []),
    ],
  );
  return result.rows.map((row) => ({
    id: row.id,
    level: row.level,
    title: row.title,
    summary: row.summary,
    entityCount: row.entity_count,
    score: row.score,
  }));
}

async function representativeChunks(
  transaction: Queryable,
  communities: readonly CommunitySummary[],
  input: CommunitySearchInput,
  settings: Required<CommunitySearchOptions>,
): Promise<RankedChunk[]> {
  // A community's score is spread over its top members with weights 1/√rank that sum to one, so a
  // passage naming all of a community's central members gets about the community's whole score.
  const scale = communities.map((community) => {
    let total = 0;
    for (let rank = 1; rank <= Math.min(community.entityCount, settings.membersPerCommunity); rank += 1) {
      total += 1 / Math.sqrt(rank);
    }
    return community.score / (total || 1);
  });
  const filter = chunkFilterSql(input.filters, 'c', 8);
  // Without filters the chunks table adds nothing but a lookup per mention: leave it out.
  const chunkJoin = hasFilters(input.filters) ? 'JOIN chunks c ON c.id = m.chunk_id' : '';
  const result = await transaction.query<{ chunk_id: number; score: number; entities: string[] }>(
    `WITH top_community AS (
       SELECT * FROM unnest($1::bigint[], $2::float8[]) AS t(community_id, scale)
     ),
     community_member AS (
       SELECT t.community_id, t.scale, cm.entity_id, cm.rank
       FROM top_community t JOIN community_members cm ON cm.community_id = t.community_id
       WHERE cm.rank <= $3
     ),
     mention AS (
       SELECT member.community_id, member.entity_id, member.rank, member.scale / sqrt(member.rank) AS weight, m.chunk_id
       FROM community_member member CROSS JOIN LATERAL (
         SELECT chunk_id FROM (
           SELECT m.chunk_id, m.mention_count FROM entity_mentions m ${chunkJoin}
           WHERE m.entity_id = member.entity_id ${filter.sql}
           LIMIT $7) scanned
         ORDER BY mention_count DESC, chunk_id
         LIMIT $4) m
     ),
     hit AS (
       SELECT chunk_id, sum(weight) AS score, (array_agg(entity_id ORDER BY weight DESC, rank, entity_id))[1:$5::int] AS entity_ids
       FROM mention GROUP BY chunk_id
       ORDER BY score DESC, chunk_id
       LIMIT $6
     )
     SELECT h.chunk_id, h.score,
            ARRAY(SELECT e.name FROM unnest(h.entity_ids) WITH ORDINALITY AS u(id, position)
                  JOIN entities e ON e.id = u.id ORDER BY u.position) AS entities
     FROM hit h ORDER BY h.score DESC, h.chunk_id`,
    [
      communities.map((community) => community.id),
      scale,
      settings.membersPerCommunity,
      settings.chunksPerMember,
      // Twice the names shown: the same entity may come from a community and its subdivision.
      settings.entitiesPerHit * 2,
      input.limit,
      settings.mentionScanLimit,
      ...filter.parameters,
    ],
  );
  return result.rows.map((row) => ({
    chunkId: row.chunk_id,
    score: row.score,
    entities: [...new Set(row.entities)].slice(0, settings.entitiesPerHit),
  }));
}

export async function communitySearch(
  transaction: Queryable,
  input: CommunitySearchInput,
): Promise<{ chunks: RankedChunk[]; communities: CommunitySummary[] }> {
  const settings = { ...defaults, ...input.options };
  const communities = await rankCommunities(transaction, input, settings);
  if (communities.length === 0 || input.limit <= 0) return { chunks: [], communities };
  const chunks = await representativeChunks(transaction, communities, input, settings);
  return { chunks, communities };
}
