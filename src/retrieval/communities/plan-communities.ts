/**
 * From the tenant's entity graph to the communities worth keeping: Louvain over the whole graph
 * (level 0), then Louvain again inside each large community (level 1) so a "global" question can
 * match a focused theme rather than a catch-all cluster of hundreds of entities. Groups smaller than
 * the minimum are dropped: two entities that co-occur once are a relation, not a theme, and a
 * summary of them would only add noise to community search.
 */
import { louvainPartition, type PartitionEdge, type PartitionOptions } from './louvain-partition.js';

export interface GraphEntity {
  readonly id: number;
  readonly name: string;
  readonly mentionCount: number;
}

export interface PlanOptions extends PartitionOptions {
  /** Communities with fewer entities are skipped. */
  readonly minimumSize?: number;
  /** Level-0 communities with more entities are split again into level 1. */
  readonly subdivideAbove?: number;
  /** Resolution of the level-1 split (default: `resolution`); higher gives finer themes. */
  readonly subdivideResolution?: number;
}

export interface PlannedCommunity {
  readonly level: number;
  /** Index of the level-0 community in the returned list that this one subdivides. */
  readonly parentIndex: number | undefined;
  /** Entity ids, most central first: weighted degree inside the community, then mentions, then id. */
  readonly members: readonly number[];
  /** Relations between members, strongest first. */
  readonly relations: readonly PartitionEdge[];
  /** Sum of the relation weights inside the community. */
  readonly weight: number;
}

const defaultMinimumSize = 3;
const defaultSubdivideAbove = 40;

/** `internal` holds exactly the edges whose two ends are members. */
function describe(
  members: readonly number[],
  internal: readonly PartitionEdge[],
  entities: ReadonlyMap<number, GraphEntity>,
  level: number,
  parentIndex: number | undefined,
): PlannedCommunity {
  const degree = new Map<number, number>();
  let weight = 0;
  for (const edge of internal) {
    degree.set(edge.source, (degree.get(edge.source) ?? 0) + edge.weight);
    degree.set(edge.target, (degree.get(edge.target) ?? 0) + edge.weight);
    weight += edge.weight;
  }
  const ranked = [...members].sort(
    (left, right) =>
      (degree.get(right) ?? 0) - (degree.get(left) ?? 0) ||
      (entities.get(right)?.mentionCount ?? 0) - (entities.get(left)?.mentionCount ?? 0) ||
      left - right,
  );
  const relations = [...internal].sort(
    (left, right) => right.weight - left.weight || left.source - right.source || left.target - right.target,
  );
  return { level, parentIndex, members: ranked, relations, weight };
}

export function planCommunities(
  entities: ReadonlyMap<number, GraphEntity>,
  edges: readonly PartitionEdge[],
  options: PlanOptions = {},
): PlannedCommunity[] {
  const minimumSize = Math.max(2, options.minimumSize ?? defaultMinimumSize);
  const subdivideAbove = options.subdivideAbove ?? defaultSubdivideAbove;
  const topLevel = louvainPartition([...entities.keys()], edges, options).filter(
    (group) => group.length >= minimumSize,
  );

  // Bucket edges by community once, instead of scanning every edge for every community.
  const groupOf = new Map<number, number>();
  topLevel.forEach((group, index) => group.forEach((id) => groupOf.set(id, index)));
  const internalEdges = topLevel.map((): PartitionEdge[] => []);
  for (const edge of edges) {
    const group = groupOf.get(edge.source);
    if (group !== undefined && group === groupOf.get(edge.target)) internalEdges[group]?.push(edge);
  }
  const planned = topLevel.map((group, index) =>
    describe(group, internalEdges[index] ?? [], entities, 0, undefined),
  );
  topLevel.forEach((group, parentIndex) => {
    if (group.length <= subdivideAbove) return;
    const parent = planned[parentIndex];
    if (parent === undefined) return;
    const subgroups = louvainPartition(group, parent.relations, {
      ...options,
      resolution: options.subdivideResolution ?? options.resolution,
    }).filter((subgroup) => subgroup.length >= minimumSize);
    // A split that finds one group (or only tiny ones around a core) repeats the parent: skip it.
    if (subgroups.length < 2) return;
    for (const subgroup of subgroups) {
      const members = new Set(subgroup);
      const internal = parent.relations.filter(
        (edge) => members.has(edge.source) && members.has(edge.target),
      );
      planned.push(describe(subgroup, internal, entities, 1, parentIndex));
    }
  });
  return planned;
}
