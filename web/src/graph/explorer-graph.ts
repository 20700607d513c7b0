import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { EntitySummary, RelationView } from '../api/types.js';
import { colorFor } from './graph-colors.js';

export type ColorBy = 'type' | 'community';

export interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  /** The size before selection enlarged it. */
  baseSize: number;
  label: string;
  color: string;
  entityType: string;
  communityId: number | null;
  expanded: boolean;
}

export interface EdgeAttributes {
  size: number;
  color: string;
  label: string;
}

export type ExplorerGraph = Graph<NodeAttributes, EdgeAttributes>;

export function createExplorerGraph(): ExplorerGraph {
  return new Graph<NodeAttributes, EdgeAttributes>({ type: 'undirected', multi: false });
}

function nodeColor(attributes: Pick<NodeAttributes, 'entityType' | 'communityId'>, colorBy: ColorBy): string {
  return colorBy === 'type' ? colorFor(attributes.entityType) : colorFor(attributes.communityId);
}

/**
 * Merges a neighbourhood into the graph: new nodes start on a circle around the anchor, then a
 * short ForceAtlas2 run settles the whole (small) graph. Returns how many nodes were added.
 */
export function mergeNeighbourhood(
  graph: ExplorerGraph,
  anchorId: number,
  nodes: readonly EntitySummary[],
  edges: readonly RelationView[],
  colorBy: ColorBy,
): number {
  const anchorKey = String(anchorId);
  const anchor = graph.hasNode(anchorKey) ? graph.getNodeAttributes(anchorKey) : { x: 0, y: 0 };
  const fresh = nodes.filter((node) => !graph.hasNode(String(node.id)));
  fresh.forEach((node, index) => {
    const angle = (2 * Math.PI * index) / Math.max(fresh.length, 1);
    const isAnchor = node.id === anchorId;
    const attributes = {
      x: isAnchor ? anchor.x : anchor.x + Math.cos(angle) * 10,
      y: isAnchor ? anchor.y : anchor.y + Math.sin(angle) * 10,
      size: 3 + Math.min(9, Math.sqrt(node.mentionCount) * 1.5),
      baseSize: 3 + Math.min(9, Math.sqrt(node.mentionCount) * 1.5),
      label: node.name,
      entityType: node.type,
      communityId: node.communityId,
      expanded: false,
    };
    graph.addNode(String(node.id), { ...attributes, color: nodeColor(attributes, colorBy) });
  });
  if (graph.hasNode(anchorKey)) graph.setNodeAttribute(anchorKey, 'expanded', true);
  const maxWeight = Math.max(1, ...edges.map((edge) => edge.weight));
  for (const edge of edges) {
    const source = String(edge.source);
    const target = String(edge.target);
    if (!graph.hasNode(source) || !graph.hasNode(target) || graph.hasEdge(source, target)) continue;
    graph.addEdge(source, target, {
      size: 1 + (3 * edge.weight) / maxWeight,
      color: '#adb5bd',
      label: edge.description,
    });
  }
  if (graph.order > 1) {
    forceAtlas2.assign(graph, {
      iterations: 60,
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 200 },
    });
  }
  return fresh.length;
}

export function recolor(graph: ExplorerGraph, colorBy: ColorBy): void {
  graph.forEachNode((key, attributes) =>
    graph.setNodeAttribute(key, 'color', nodeColor(attributes, colorBy)),
  );
}

/** Enlarges the selected node (and only it), so it stands out in the view. */
export function markSelected(graph: ExplorerGraph, selected: number | null): void {
  graph.forEachNode((key, attributes) => {
    const size = key === String(selected) ? attributes.baseSize + 4 : attributes.baseSize;
    if (attributes.size !== size) graph.setNodeAttribute(key, 'size', size);
  });
}
