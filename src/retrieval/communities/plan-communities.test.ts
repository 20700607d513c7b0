import { describe, expect, it } from 'vitest';
import type { PartitionEdge } from './louvain-partition.js';
import { type GraphEntity, planCommunities } from './plan-communities.js';

function clique(ids: readonly number[], weight = 1): PartitionEdge[] {
  return ids.flatMap((source, index) => ids.slice(index + 1).map((target) => ({ source, target, weight })));
}

function entities(ids: readonly number[]): Map<number, GraphEntity> {
  return new Map(ids.map((id) => [id, { id, name: `Entity ${id}`, mentionCount: id }]));
}

describe('planCommunities', () => {
  const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  // Two cliques joined by one edge; a pair (11, 12) on its own.
  const edges = [
    ...clique([1, 2, 3, 4, 5]),
    ...clique([6, 7, 8, 9, 10]),
    { source: 5, target: 6, weight: 1 },
  ];
  edges.push({ source: 11, target: 12, weight: 5 });

  it('drops groups below the minimum size and ranks members by weighted degree', () => {
    const planned = planCommunities(entities(ids), edges);
    expect(planned.map((community) => [...community.members].sort((a, b) => a - b))).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    // 5 has the bridge, but bridges are not inside the community: ties fall to mention count.
    expect(planned[0]?.members).toEqual([5, 4, 3, 2, 1]);
    expect(planned[0]?.relations).toHaveLength(10);
    expect(planned[0]?.weight).toBe(10);
    expect(planned.every((community) => community.level === 0 && community.parentIndex === undefined)).toBe(
      true,
    );
  });

  it('splits a large community into a second level that points at its parent', () => {
    const planned = planCommunities(entities(ids), edges, {
      resolution: 0.01,
      subdivideAbove: 6,
      subdivideResolution: 1,
    });
    expect(planned[0]?.members).toHaveLength(10);
    const children = planned.filter((community) => community.level === 1);
    expect(children.map((community) => [...community.members].sort((a, b) => a - b))).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    expect(children.every((community) => community.parentIndex === 0)).toBe(true);
    expect(children.every((community) => community.relations.length === 10)).toBe(true);
  });

  it('does not repeat a community that will not split', () => {
    const planned = planCommunities(entities(ids), edges, { resolution: 0.01, subdivideAbove: 6 });
    expect(planned.filter((community) => community.level === 1)).toEqual([]);
  });
});
