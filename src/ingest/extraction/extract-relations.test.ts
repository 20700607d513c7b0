import { describe, expect, it } from 'vitest';

import { extractEntities } from './extract-entities.js';
import { extractRelations } from './extract-relations.js';
import type { ExtractedEntity } from './extracted-entity.js';

function entity(normalizedName: string, sentences: number[]): ExtractedEntity {
  return {
    name: normalizedName,
    normalizedName,
    type: 'other',
    count: sentences.length,
    mentions: sentences.map((sentence) => ({ start: 0, end: 1, sentence })),
  };
}

describe('extractRelations', () => {
  it('orders each pair canonically and weighs same-sentence pairs above distant ones', () => {
    const relations = extractRelations([entity('zeta', [0]), entity('alpha', [0]), entity('mid', [5])]);
    for (const relation of relations) expect(relation.source < relation.target).toBe(true);
    const close = relations.find((relation) => relation.source === 'alpha' && relation.target === 'zeta');
    const far = relations.find((relation) => relation.source === 'alpha' && relation.target === 'mid');
    expect(close?.sharedSentences).toBe(1);
    expect(far?.sharedSentences).toBe(0);
    expect(close?.weight).toBeGreaterThan(far?.weight ?? 1);
  });

  it('is symmetric: input order does not change any weight', () => {
    const entities = [entity('a', [0, 2]), entity('b', [2, 3]), entity('c', [7])];
    const forward = extractRelations(entities);
    const backward = extractRelations([...entities].reverse());
    expect(backward).toEqual(forward);
  });

  it('keeps weights in [0, 1) and grows them with repeated co-occurrence', () => {
    const once = extractRelations([entity('a', [0]), entity('b', [0])])[0];
    const often = extractRelations([entity('a', [0, 1, 2, 3]), entity('b', [0, 1, 2, 3])])[0];
    expect(once?.weight).toBeCloseTo(0.6, 5);
    expect(often?.weight).toBeGreaterThan(once?.weight ?? 1);
    expect(often?.weight).toBeLessThan(1);
  });

  it('bounds the pairs of a list-like chunk', () => {
    const many = Array.from({ length: 200 }, (_, index) => entity(`entity-${index}`, [index % 10]));
    const relations = extractRelations(many);
    expect(relations).toHaveLength(50);
    expect(extractRelations(many, { maxPairs: 10 })).toHaveLength(10);
    const weights = relations.map((relation) => relation.weight);
    expect(weights).toEqual([...weights].sort((left, right) => right - left));
  });

  it('relates entities found in a real sentence', () => {
    const relations = extractRelations(
      extractEntities('Barack Obama was born in Hawaii. He later moved to Chicago, Illinois.'),
    );
    const pair = relations.find(
      (relation) => relation.source === 'barack obama' && relation.target === 'hawaii',
    );
    expect(pair?.sharedSentences).toBe(1);
    expect(relations.every((relation) => relation.source !== relation.target)).toBe(true);
  });
});
