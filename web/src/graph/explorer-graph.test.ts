import { describe, expect, it } from 'vitest';
import type { EntitySummary, RelationView } from '../api/types.js';
import {
  clearHighlight,
  createExplorerGraph,
  mergeAnswerSubgraph,
  mergeNeighbourhood,
} from './explorer-graph.js';

const entity = (id: number, name: string): EntitySummary => ({
  id,
  name,
  type: 'person',
  description: '',
  mentionCount: 4,
  communityId: null,
});
const relation = (id: number, source: number, target: number): RelationView => ({
  id,
  source,
  target,
  weight: 1,
  chunkCount: 1,
  description: '',
});

describe('explorer graph', () => {
  it('merges a neighbourhood once, marks the anchor expanded and keeps edges among known nodes', () => {
    const graph = createExplorerGraph();
    const nodes = [entity(1, 'Ada'), entity(2, 'Charles'), entity(3, 'Engine')];
    const edges = [relation(10, 1, 2), relation(11, 1, 3), relation(12, 1, 99)];
    expect(mergeNeighbourhood(graph, 1, nodes, edges, 'type')).toBe(3);
    expect(mergeNeighbourhood(graph, 1, nodes, edges, 'type')).toBe(0);
    expect(graph.order).toBe(3);
    expect(graph.size).toBe(2);
    expect(graph.getNodeAttribute('1', 'expanded')).toBe(true);
    expect(graph.getNodeAttribute('2', 'expanded')).toBe(false);
  });

  it("highlights exactly the answer's entities and relations, replacing an earlier highlight", () => {
    const graph = createExplorerGraph();
    mergeNeighbourhood(
      graph,
      1,
      [entity(1, 'Ada'), entity(2, 'Charles'), entity(3, 'Engine')],
      [relation(10, 1, 2), relation(11, 1, 3)],
      'type',
    );
    const first = mergeAnswerSubgraph(
      graph,
      [entity(1, 'Ada'), entity(2, 'Charles')],
      [relation(10, 1, 2)],
      'type',
    );
    expect(first).toEqual({ nodes: 2, edges: 1 });
    expect(graph.filterNodes((_key, attributes) => attributes.highlighted).sort()).toEqual(['1', '2']);
    expect(graph.getEdgeAttribute(graph.edge('1', '2')!, 'highlighted')).toBe(true);
    expect(graph.getEdgeAttribute(graph.edge('1', '3')!, 'highlighted')).toBe(false);

    // A second answer: new nodes join the graph, and only its own parts stay highlighted.
    const second = mergeAnswerSubgraph(
      graph,
      [entity(3, 'Engine'), entity(4, 'London')],
      [relation(13, 3, 4)],
      'type',
    );
    expect(second).toEqual({ nodes: 2, edges: 1 });
    expect(graph.order).toBe(4);
    expect(graph.filterNodes((_key, attributes) => attributes.highlighted).sort()).toEqual(['3', '4']);
    expect(graph.getEdgeAttribute(graph.edge('1', '2')!, 'highlighted')).toBe(false);
    const widened = graph.getEdgeAttributes(graph.edge('3', '4')!);
    expect(widened.size).toBeGreaterThan(widened.baseSize);

    clearHighlight(graph);
    expect(graph.filterNodes((_key, attributes) => attributes.highlighted)).toEqual([]);
    expect(graph.filterEdges((_key, attributes) => attributes.highlighted)).toEqual([]);
    expect(widened.baseSize).toBe(graph.getEdgeAttribute(graph.edge('3', '4')!, 'size'));
  });
});
