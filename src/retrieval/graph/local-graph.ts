/**
 * The neighbourhood of the seeds that personalized PageRank runs on, loaded in one statement: the
 * seeds' strongest relations (1 hop, both directions), then the passages that mention the seeds and
 * those neighbours. Computing PageRank over this local graph instead of the tenant's whole graph is
 * what keeps it fast at scale (DESIGN.md §3): its size is bounded by the caps below, not by the corpus.
 *
 * Relations are stored once per pair with source < target, so "both directions" means two lookups:
 * `source_entity_id = seed` uses the unique index (tenant_id, source_entity_id, target_entity_id) and
 * `target_entity_id = seed` uses relations_target (tenant_id, target_entity_id). An OR of the two
 * would plan as one scan that uses neither, the same trap as AGE's undirected patterns.
 */
import type { Queryable } from '../../core/database.js';
import type { SearchFilters } from '../../core/search.js';
import { chunkFilterSql, hasFilters } from '../chunk-filter.js';
import type { SeedEntity } from './seed-entities.js';

export interface LocalGraphLimits {
  /** Strongest relations followed per seed and direction. */
  readonly relationsPerSeed?: number;
  /** Relations kept overall, by seed weight × relation weight. */
  readonly maxRelations?: number;
  /** Passages per entity, the ones naming it most often first. */
  readonly chunksPerEntity?: number;
  /** Mentions read per entity before choosing its passages. */
  readonly mentionScanLimit?: number;
}

export interface LocalGraph {
  /** Seeds and neighbours: id → name and mention count. */
  readonly entities: ReadonlyMap<number, { readonly name: string; readonly mentionCount: number }>;
  readonly relations: readonly {
    readonly sourceId: number;
    readonly targetId: number;
    readonly weight: number;
  }[];
  readonly mentions: readonly {
    readonly entityId: number;
    readonly chunkId: number;
    readonly count: number;
  }[];
}

const defaults = {
  relationsPerSeed: 20,
  maxRelations: 100,
  chunksPerEntity: 30,
  mentionScanLimit: 1_000,
} satisfies Required<LocalGraphLimits>;

interface LocalGraphRow {
  kind: 'relation' | 'mention';
  left_id: number;
  right_id: number;
  /** Relation weight, or the mention count of a mention. */
  weight: number;
  /** The neighbour's name and mention count, on relation rows. */
  name: string | null;
  neighbour_mentions: number | null;
}

export async function loadLocalGraph(
  transaction: Queryable,
  seeds: readonly SeedEntity[],
  filters: SearchFilters,
  limits: LocalGraphLimits = {},
): Promise<LocalGraph> {
  const settings = { ...defaults, ...limits };
  const filter = chunkFilterSql(filters, 'c', 7);
  // Without filters the chunks table adds nothing but a lookup per mention: leave it out.
  const chunkJoin = hasFilters(filters) ? 'JOIN chunks c ON c.id = m.chunk_id' : '';
  const result = await transaction.query<LocalGraphRow>(
    `WITH seed AS (
       SELECT * FROM unnest($1::bigint[], $2::float8[]) AS s(entity_id, weight)
     ),
     candidate AS (
       SELECT s.entity_id AS seed_id, s.weight AS seed_weight, r.neighbour_id, r.weight
       FROM seed s CROSS JOIN LATERAL (
         SELECT target_entity_id AS neighbour_id, weight FROM relations
         WHERE source_entity_id = s.entity_id ORDER BY weight DESC, target_entity_id LIMIT $3) r
       UNION ALL
       SELECT s.entity_id, s.weight, r.neighbour_id, r.weight
       FROM seed s CROSS JOIN LATERAL (
         SELECT source_entity_id AS neighbour_id, weight FROM relations
         WHERE target_entity_id = s.entity_id ORDER BY weight DESC, source_entity_id LIMIT $3) r
     ),
     -- Popular entities co-occur with everything, so their relations are the heaviest: rank the
     -- neighbours by specificity too, as the seeds are.
     edge AS (
       SELECT c.seed_id, c.neighbour_id, c.weight, n.name, n.mention_count
       FROM candidate c JOIN entities n ON n.id = c.neighbour_id
       ORDER BY c.seed_weight * c.weight / ln(2 + greatest(n.mention_count, 0)) DESC, c.seed_id, c.neighbour_id
       LIMIT $4
     ),
     local_entity AS (
       SELECT entity_id FROM seed UNION SELECT neighbour_id FROM edge
     )
     SELECT 'relation' AS kind, seed_id AS left_id, neighbour_id AS right_id, weight, name,
            mention_count AS neighbour_mentions
     FROM edge
     UNION ALL
     SELECT 'mention', l.entity_id, m.chunk_id, m.mention_count, NULL, NULL
     FROM local_entity l CROSS JOIN LATERAL (
       -- Bounded read: a hub's thousands of mentions would cost more than they tell; the first
       -- $6 in index order stand in for them, and the most frequent of those are kept.
       SELECT chunk_id, mention_count FROM (
         SELECT m.chunk_id, m.mention_count FROM entity_mentions m ${chunkJoin}
         WHERE m.entity_id = l.entity_id ${filter.sql}
         LIMIT $6) scanned
       ORDER BY mention_count DESC, chunk_id
       LIMIT $5) m`,
    [
      seeds.map((seed) => seed.id),
      seeds.map((seed) => seed.weight),
      settings.relationsPerSeed,
      settings.maxRelations,
      settings.chunksPerEntity,
      settings.mentionScanLimit,
      ...filter.parameters,
    ],
  );

  const entities = new Map<number, { name: string; mentionCount: number }>();
  for (const seed of seeds) entities.set(seed.id, { name: seed.name, mentionCount: seed.mentionCount });
  // A relation between two seeds comes back once from each side: keep it once.
  const relations = new Map<string, { sourceId: number; targetId: number; weight: number }>();
  const mentions: { entityId: number; chunkId: number; count: number }[] = [];
  for (const row of result.rows) {
    if (row.kind === 'mention') {
      mentions.push({ entityId: row.left_id, chunkId: row.right_id, count: row.weight });
      continue;
    }
    const [sourceId, targetId] =
      row.left_id < row.right_id ? [row.left_id, row.right_id] : [row.right_id, row.left_id];
    relations.set(`${sourceId}:${targetId}`, { sourceId, targetId, weight: row.weight });
    if (!entities.has(row.right_id)) {
      entities.set(row.right_id, { name: row.name ?? '', mentionCount: row.neighbour_mentions ?? 0 });
    }
  }
  return { entities, relations: [...relations.values()], mentions };
}
