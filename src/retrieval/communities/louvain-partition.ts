/**
 * Louvain communities of a weighted undirected graph through graphology's maintained
 * implementation, made reproducible: Louvain visits nodes in random order, so the library's `rng`
 * gets a seeded generator and nodes and edges are added in sorted order. The same graph then always
 * yields the same partition, and a rebuild after an unrelated change does not reshuffle every
 * community (which would churn their summaries and the answers built on them).
 */
import { UndirectedGraph } from 'graphology';
import louvainExport from 'graphology-communities-louvain';

// The package is CommonJS with an ES-style declaration file: under NodeNext TypeScript types the
// default import as `{ default }`, while Node hands over `module.exports`, the function itself.
type Louvain = typeof louvainExport.default;
const louvain: Louvain =
  (louvainExport as unknown as { default?: Louvain }).default ?? (louvainExport as unknown as Louvain);

export interface PartitionEdge {
  readonly source: number;
  readonly target: number;
  readonly weight: number;
}

export interface PartitionOptions {
  /** Above 1 favours smaller communities, below 1 larger ones. */
  readonly resolution?: number;
  /** Seed of the node-visiting order. */
  readonly seed?: number;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit generator; all that node shuffling needs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Groups of node ids, each sorted ascending; groups ordered by size (largest first), then by their
 * smallest id. Nodes without edges come back as groups of one.
 */
export function louvainPartition(
  nodeIds: readonly number[],
  edges: readonly PartitionEdge[],
  options: PartitionOptions = {},
): number[][] {
  const graph = new UndirectedGraph<Record<string, never>, { weight: number }>();
  for (const id of [...new Set(nodeIds)].sort((left, right) => left - right)) graph.addNode(String(id));
  const merged = new Map<string, PartitionEdge>();
  for (const edge of edges) {
    if (edge.source === edge.target || !(edge.weight > 0)) continue;
    const [source, target] =
      edge.source < edge.target ? [edge.source, edge.target] : [edge.target, edge.source];
    if (!graph.hasNode(String(source)) || !graph.hasNode(String(target))) continue;
    const key = `${source}:${target}`;
    merged.set(key, { source, target, weight: (merged.get(key)?.weight ?? 0) + edge.weight });
  }
  const sortedEdges = [...merged.values()].sort(
    (left, right) => left.source - right.source || left.target - right.target,
  );
  for (const edge of sortedEdges)
    graph.addEdge(String(edge.source), String(edge.target), { weight: edge.weight });

  const assignment =
    graph.size === 0
      ? Object.fromEntries(graph.nodes().map((node, index) => [node, index]))
      : louvain(graph, {
          getEdgeWeight: 'weight',
          resolution: options.resolution ?? 1,
          rng: seededRandom(options.seed ?? 42),
        });
  const groups = new Map<number, number[]>();
  for (const [node, community] of Object.entries(assignment)) {
    const group = groups.get(community) ?? [];
    group.push(Number(node));
    groups.set(community, group);
  }
  return [...groups.values()]
    .map((group) => group.sort((left, right) => left - right))
    .sort((left, right) => right.length - left.length || (left[0] ?? 0) - (right[0] ?? 0));
}
