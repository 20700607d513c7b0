import { describe, expect, it } from 'vitest';
import { louvainPartition, seededRandom, type PartitionEdge } from './louvain-partition.js';

function clique(ids: readonly number[], weight = 1): PartitionEdge[] {
  const edges: PartitionEdge[] = [];
  for (const [index, source] of ids.entries()) {
    for (const target of ids.slice(index + 1)) edges.push({ source, target, weight });
  }
  return edges;
}

// Two dense groups joined by one weak edge, plus an isolated node.
const nodes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const edges = [
  ...clique([1, 2, 3, 4, 5]),
  ...clique([6, 7, 8, 9, 10]),
  { source: 5, target: 6, weight: 0.1 },
];

describe('louvainPartition', () => {
  it('separates weakly joined groups; isolated nodes stay alone', () => {
    expect(louvainPartition(nodes, edges)).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11]]);
  });

  it('gives the same partition whatever the input order', () => {
    const shuffled = [...edges]
      .reverse()
      .map((edge) => ({ source: edge.target, target: edge.source, weight: edge.weight }));
    const expected = louvainPartition(nodes, edges);
    for (let run = 0; run < 3; run += 1)
      expect(louvainPartition([...nodes].reverse(), shuffled)).toEqual(expected);
  });

  it('merges duplicate edges and ignores self-loops, unknown nodes and non-positive weights', () => {
    const noisy = [
      ...edges,
      ...edges,
      { source: 1, target: 1, weight: 5 },
      { source: 1, target: 99, weight: 5 },
      { source: 3, target: 8, weight: 0 },
    ];
    expect(louvainPartition(nodes, noisy)).toEqual(louvainPartition(nodes, edges));
  });

  it('finds smaller communities at a higher resolution', () => {
    const chain = [...clique([1, 2, 3]), ...clique([4, 5, 6]), { source: 3, target: 4, weight: 1 }];
    expect(louvainPartition([1, 2, 3, 4, 5, 6], chain, { resolution: 0.01 })).toHaveLength(1);
    expect(louvainPartition([1, 2, 3, 4, 5, 6], chain, { resolution: 1 })).toHaveLength(2);
  });

  it('has a reproducible generator in [0, 1)', () => {
    const first = seededRandom(7);
    const second = seededRandom(7);
    const values = Array.from({ length: 100 }, () => first());
    expect(values).toEqual(Array.from({ length: 100 }, () => second()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(new Set(values).size).toBe(100);
  });
});
