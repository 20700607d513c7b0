/**
 * The second hop of multi-hop retrieval. A two-hop question ("What language were books translated
 * into during the era of Haymo of Faversham?") names the first passage's entity; the answer sits in
 * a passage about an entity that only the first passage names — the bridge. After a first
 * retrieval, the entities of its top passages that the question does not name are the bridge
 * candidates; a second walk seeded by the question's entities AND those bridges (personalized
 * PageRank over the passage–entity graph, as HippoRAG) reaches the passages about the bridges.
 *
 * A bridge links to the question: only top passages that name one of the question's entities
 * offer bridges (all top passages when the question names none, or none of them does) — a passage
 * that only shares common words with the question offers entities unrelated to it. A bridge's
 * weight: each such passage gives a budget 1/rank, shared by the entities it names in proportion to
 * how often it names them, and the sum is divided by log(2 + mention count) as for every seed — an
 * entity named everywhere is no bridge to anything in particular.
 */
import type { Queryable } from '../../core/database.js';
import type { SeedEntity } from './seed-entities.js';

export interface BridgeOptions {
  /** Top passages of the first hop whose entities are bridge candidates. */
  readonly passages?: number;
  /** Entities read per passage, the most mentioned first. */
  readonly entitiesPerPassage?: number;
  /** Bridges kept, the heaviest first. */
  readonly maxBridges?: number;
}

const defaults = { passages: 5, entitiesPerPassage: 20, maxBridges: 10 } satisfies Required<BridgeOptions>;

interface BridgeRow {
  rank: number;
  passage_mentions: number;
  mention_count: number;
  id: number;
  name: string;
  entity_mentions: number;
}

export async function findBridgeEntities(
  transaction: Queryable,
  firstHop: readonly { readonly chunkId: number }[],
  questionEntityIds: ReadonlySet<number>,
  options: BridgeOptions = {},
): Promise<SeedEntity[]> {
  const settings = { ...defaults, ...options };
  const chunkIds = firstHop.slice(0, settings.passages).map((chunk) => chunk.chunkId);
  if (chunkIds.length === 0) return [];
  const result = await transaction.query<BridgeRow>(
    `SELECT s.rank::int AS rank, sum(m.mention_count) OVER (PARTITION BY s.rank)::int AS passage_mentions,
            m.mention_count, e.id, e.name, e.mention_count AS entity_mentions
     FROM unnest($1::bigint[]) WITH ORDINALITY AS s(chunk_id, rank)
     CROSS JOIN LATERAL (SELECT entity_id, mention_count FROM entity_mentions
                         WHERE chunk_id = s.chunk_id
                         ORDER BY mention_count DESC, entity_id LIMIT $2) m
     JOIN entities e ON e.id = m.entity_id`,
    [chunkIds, settings.entitiesPerPassage],
  );
  const linked = new Set(result.rows.filter((row) => questionEntityIds.has(row.id)).map((row) => row.rank));
  const bridges = new Map<number, { name: string; mentionCount: number; strength: number }>();
  for (const row of result.rows) {
    if (questionEntityIds.has(row.id)) continue;
    if (linked.size > 0 && !linked.has(row.rank)) continue;
    const share = row.mention_count / Math.max(1, row.passage_mentions);
    const entry = bridges.get(row.id) ?? { name: row.name, mentionCount: row.entity_mentions, strength: 0 };
    entry.strength += share / row.rank;
    bridges.set(row.id, entry);
  }
  return [...bridges.entries()]
    .map(([id, entry]): SeedEntity => ({
      id,
      name: entry.name,
      mentionCount: entry.mentionCount,
      weight: entry.strength / Math.log(2 + Math.max(0, entry.mentionCount)),
      questionStrength: 0,
    }))
    .sort((left, right) => right.weight - left.weight || left.id - right.id)
    .slice(0, settings.maxBridges);
}

/**
 * The second walk's seeds: the question's own entities, and the bridges scaled so that together
 * they weigh as much as the question's entities (each hop has an equal say; without question
 * entities the bridges alone seed the walk).
 */
export function secondHopSeeds(questionSeeds: readonly SeedEntity[], bridges: readonly SeedEntity[]): SeedEntity[] {
  const question = questionSeeds.filter((seed) => seed.questionStrength > 0);
  const questionMass = question.reduce((sum, seed) => sum + seed.weight, 0);
  const bridgeMass = bridges.reduce((sum, seed) => sum + seed.weight, 0);
  if (!(bridgeMass > 0)) return [...question];
  const scale = questionMass > 0 ? questionMass / bridgeMass : 1;
  return [...question, ...bridges.map((bridge) => ({ ...bridge, weight: bridge.weight * scale }))];
}
