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
  /** Part of what an answer used ("show in graph"): sigma draws it with its label and a halo. */
  highlighted: boolean;
  forceLabel: boolean;
}

export interface EdgeAttributes {
  size: number;
  /** The size before highlighting thickened it. */
  baseSize: number;
  color: string;
  label: string;
  highlighted: boolean;
}

const edgeColor = '#adb5bd';
const highlightedEdgeColor = '#f76707';

export type ExplorerGraph = Graph<NodeAttributes, EdgeAttributes>;

export function createExplorerGraph(): ExplorerGraph {
  return new Graph<NodeAttributes, EdgeAttributes>({ type: 'undirected', multi: false });
}

function nodeColor(attributes: Pick<NodeAttributes, 'entityType' | 'communityId'>, colorBy: ColorBy): string {
  return colorBy === 'type' ? colorFor(attributes.entityType) : colorFor(attributes.communityId);
}

function addNodes(
  graph: ExplorerGraph,
  center: { x: number; y: number },
  nodes: readonly EntitySummary[],
  colorBy: ColorBy,
  /** Stays at the centre instead of on the circle. */
  anchorId: number | null,
): void {
  const fresh = nodes.filter((node) => !graph.hasNode(String(node.id)));
  fresh.forEach((node, index) => {
    const angle = (2 * Math.PI * index) / Math.max(fresh.length, 1);
    const isAnchor = node.id === anchorId;
    const size = 3 + Math.min(9, Math.sqrt(node.mentionCount) * 1.5);
    const attributes = {
      x: isAnchor ? center.x : center.x + Math.cos(angle) * 10,
      y: isAnchor ? center.y : center.y + Math.sin(angle) * 10,
      size,
      baseSize: size,
      label: node.name,
      entityType: node.type,
      communityId: node.communityId,
      expanded: false,
      highlighted: false,
      forceLabel: false,
    };
    graph.addNode(String(node.id), { ...attributes, color: nodeColor(attributes, colorBy) });
  });
}

function addEdges(graph: ExplorerGraph, edges: readonly RelationView[]): void {
  const maxWeight = Math.max(1, ...edges.map((edge) => edge.weight));
  for (const edge of edges) {
    const source = String(edge.source);
    const target = String(edge.target);
    if (!graph.hasNode(source) || !graph.hasNode(target) || graph.hasEdge(source, target)) continue;
    const size = 1 + (3 * edge.weight) / maxWeight;
    graph.addEdge(source, target, {
      size,
      baseSize: size,
      color: edgeColor,
      label: edge.description,
      highlighted: false,
    });
  }
}

function settle(graph: ExplorerGraph): void {
  if (graph.order > 1) {
    forceAtlas2.assign(graph, {
      iterations: 60,
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 200 },
    });
  }
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
  const before = graph.order;
  const anchor = graph.hasNode(anchorKey) ? graph.getNodeAttributes(anchorKey) : { x: 0, y: 0 };
  addNodes(graph, anchor, nodes, colorBy, anchorId);
  if (graph.hasNode(anchorKey)) graph.setNodeAttribute(anchorKey, 'expanded', true);
  addEdges(graph, edges);
  settle(graph);
  return graph.order - before;
}

/**
 * Merges the part of the graph an answer used and highlights exactly it: its entities and the
 * relations its passages evidence (earlier highlights are cleared). Returns what is highlighted.
 */
export function mergeAnswerSubgraph(
  graph: ExplorerGraph,
  nodes: readonly EntitySummary[],
  edges: readonly RelationView[],
  colorBy: ColorBy,
): { nodes: number; edges: number } {
  addNodes(graph, { x: 0, y: 0 }, nodes, colorBy, null);
  addEdges(graph, edges);
  settle(graph);
  clearHighlight(graph);
  const used = new Set(nodes.map((node) => String(node.id)));
  for (const key of used) {
    graph.mergeNodeAttributes(key, { highlighted: true, forceLabel: true });
  }
  let highlightedEdges = 0;
  for (const edge of edges) {
    const key = graph.edge(String(edge.source), String(edge.target));
    if (key === undefined) continue;
    const attributes = graph.getEdgeAttributes(key);
    graph.mergeEdgeAttributes(key, {
      highlighted: true,
      color: highlightedEdgeColor,
      size: attributes.baseSize + 2,
    });
    highlightedEdges += 1;
  }
  return { nodes: used.size, edges: highlightedEdges };
}

export function clearHighlight(graph: ExplorerGraph): void {
  graph.forEachNode((key, attributes) => {
    if (attributes.highlighted) graph.mergeNodeAttributes(key, { highlighted: false, forceLabel: false });
  });
  graph.forEachEdge((key, attributes) => {
    if (attributes.highlighted)
      graph.mergeEdgeAttributes(key, { highlighted: false, color: edgeColor, size: attributes.baseSize });
  });
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
