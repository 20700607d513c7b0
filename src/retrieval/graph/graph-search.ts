/**
 * The `local` retrieval list: HippoRAG-style personalized PageRank over the passages and entities
 * around the question. Seeds (the question's entities, the nearest entities by vector, the entities
 * of the top lexical passages) restart the walk; the walk runs over the seeds' 1-hop neighbourhood
 * with the passages that mention them, and a passage's score is the mass it collects. A passage
 * that names only an entity related to the question's entity — "Charles Babbage was born in
 * London" for a question about Ada Lovelace's collaborator — is found this way although it shares
 * no word with the question. Two round trips: the seeds, then the local graph.
 */
import type { Queryable } from '../../core/database.js';
import type { RankedChunk, SearchFilters } from '../../core/search.js';
import { type LocalGraph, type LocalGraphLimits, loadLocalGraph } from './local-graph.js';
import { type PageRankOptions, type WeightedEdge, personalizedPageRank } from './personalized-pagerank.js';
import { type SeedEntity, type SeedOptions, findSeedEntities } from './seed-entities.js';

export type GraphSearchOptions = SeedOptions &
  LocalGraphLimits &
  PageRankOptions & {
    /** Entity names given with each hit to explain it. */
    readonly entitiesPerHit?: number;
  };

export interface GraphSearchInput {
  readonly query: string;
  readonly queryVector: readonly number[];
  /** The first-stage (BM25) ranking; the entities of its top passages become weaker seeds. */
  readonly seedChunks: readonly RankedChunk[];
  readonly limit: number;
  readonly filters: SearchFilters;
  readonly options?: GraphSearchOptions;
}

const defaultEntitiesPerHit = 3;

export async function graphSearch(transaction: Queryable, input: GraphSearchInput): Promise<RankedChunk[]> {
  return (await graphSearchWithSeeds(transaction, input)).chunks;
}

export interface GraphSearchResult {
  readonly chunks: RankedChunk[];
  /** The walk's seeds: `questionStrength` tells those the question names from those of the top passages. */
  readonly seeds: readonly SeedEntity[];
}

/** The graph list and the seeds it started from (fusion weighs the list by the question's seeds). */
export async function graphSearchWithSeeds(transaction: Queryable, input: GraphSearchInput): Promise<GraphSearchResult> {
  if (input.limit <= 0) return { chunks: [], seeds: [] };
  const options = input.options ?? {};
  const seeds = await findSeedEntities(transaction, input, options);
  return { chunks: await walkFromSeeds(transaction, seeds, input), seeds };
}

/** Personalized PageRank from given seeds over their local passage–entity graph. */
export async function walkFromSeeds(
  transaction: Queryable,
  seeds: readonly SeedEntity[],
  input: Pick<GraphSearchInput, 'limit' | 'filters' | 'options'>,
): Promise<RankedChunk[]> {
  if (seeds.length === 0 || input.limit <= 0) return [];
  const options = input.options ?? {};
  const graph = await loadLocalGraph(transaction, seeds, input.filters, options);
  if (graph.mentions.length === 0) return [];
  return rankChunks(seeds, graph, input.limit, options);
}

/** Node numbering: entities first, then chunks, each in ascending id order so ties break stably. */
function rankChunks(
  seeds: readonly SeedEntity[],
  graph: LocalGraph,
  limit: number,
  options: GraphSearchOptions,
): RankedChunk[] {
  const entityIds = [...graph.entities.keys()].sort((left, right) => left - right);
  const chunkIds = [...new Set(graph.mentions.map((mention) => mention.chunkId))].sort(
    (left, right) => left - right,
  );
  const entityNode = new Map(entityIds.map((id, index) => [id, index]));
  const chunkNode = new Map(chunkIds.map((id, index) => [id, entityIds.length + index]));
  const node = (map: ReadonlyMap<number, number>, id: number): number => {
    const index = map.get(id);
    if (index === undefined) throw new Error(`graph node ${id} is missing`);
    return index;
  };

  const edges: WeightedEdge[] = [];
  for (const relation of graph.relations) {
    edges.push({
      from: node(entityNode, relation.sourceId),
      to: node(entityNode, relation.targetId),
      weight: relation.weight,
    });
  }
  for (const mention of graph.mentions) {
    edges.push({
      from: node(entityNode, mention.entityId),
      to: node(chunkNode, mention.chunkId),
      weight: mention.count,
    });
  }
  const restart = new Array<number>(entityIds.length + chunkIds.length).fill(0);
  for (const seed of seeds) restart[node(entityNode, seed.id)] = seed.weight;
  const rank = personalizedPageRank(restart.length, edges, restart, options);

  const strength = new Float64Array(restart.length);
  for (const edge of edges) {
    strength[edge.from] = (strength[edge.from] ?? 0) + edge.weight;
    strength[edge.to] = (strength[edge.to] ?? 0) + edge.weight;
  }
  // What each entity passed to each chunk in the last step: the entities that explain the hit.
  const contributions = new Map<number, { entityId: number; share: number }[]>();
  for (const mention of graph.mentions) {
    const entity = node(entityNode, mention.entityId);
    const share = ((rank[entity] ?? 0) * mention.count) / (strength[entity] || 1);
    const list = contributions.get(mention.chunkId) ?? [];
    list.push({ entityId: mention.entityId, share });
    contributions.set(mention.chunkId, list);
  }

  const entitiesPerHit = options.entitiesPerHit ?? defaultEntitiesPerHit;
  return chunkIds
    .map((chunkId) => ({ chunkId, score: rank[node(chunkNode, chunkId)] ?? 0 }))
    .filter((hit) => hit.score > 0)
    .sort((left, right) => right.score - left.score || left.chunkId - right.chunkId)
    .slice(0, limit)
    .map((hit): RankedChunk => {
      const explained = (contributions.get(hit.chunkId) ?? [])
        .sort((left, right) => right.share - left.share || left.entityId - right.entityId)
        .slice(0, entitiesPerHit)
        .map((contribution) => graph.entities.get(contribution.entityId)?.name ?? '')
        .filter((name) => name !== '');
      return { chunkId: hit.chunkId, score: hit.score, entities: explained };
    });
}
