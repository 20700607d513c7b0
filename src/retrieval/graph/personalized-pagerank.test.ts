import { describe, expect, it } from 'vitest';
import { personalizedPageRank } from './personalized-pagerank.js';

const sum = (values: Float64Array): number => values.reduce((total, value) => total + value, 0);

describe('personalizedPageRank', () => {
  // A path 0 — 1 — 2 — 3 plus an isolated node 4.
  const path = [
    { from: 0, to: 1, weight: 1 },
    { from: 1, to: 2, weight: 1 },
    { from: 2, to: 3, weight: 1 },
  ];

  it('keeps a probability distribution and decays with distance from the seed', () => {
    const rank = personalizedPageRank(5, path, [1, 0, 0, 0, 0]);
    expect(sum(rank)).toBeCloseTo(1, 9);
    expect(rank[0]).toBeGreaterThan(rank[1]!);
    expect(rank[1]).toBeGreaterThan(rank[2]!);
    expect(rank[2]).toBeGreaterThan(rank[3]!);
    expect(rank[4]).toBe(0);
  });

  it('returns mass to the seeds from a node without edges', () => {
    const rank = personalizedPageRank(5, path, [0, 0, 0, 0, 1]);
    expect(rank[4]).toBeCloseTo(1, 9);
    expect(sum(rank)).toBeCloseTo(1, 9);
  });

  it('follows heavier edges more', () => {
    const star = [
      { from: 0, to: 1, weight: 3 },
      { from: 0, to: 2, weight: 1 },
    ];
    const rank = personalizedPageRank(3, star, [1, 0, 0]);
    expect(rank[1]! / rank[2]!).toBeCloseTo(3, 6);
  });

  it('restarts more often with a lower damping', () => {
    const sticky = personalizedPageRank(5, path, [1, 0, 0, 0, 0], { damping: 0.2 });
    const wandering = personalizedPageRank(5, path, [1, 0, 0, 0, 0], { damping: 0.8 });
    expect(sticky[0]).toBeGreaterThan(wandering[0]!);
    expect(sticky[3]).toBeLessThan(wandering[3]!);
  });

  it('gives nothing without a seed and rejects a restart vector of the wrong size', () => {
    expect([...personalizedPageRank(3, path.slice(0, 2), [0, 0, 0])]).toEqual([0, 0, 0]);
    expect(() => personalizedPageRank(3, [], [1])).toThrow();
  });
});
