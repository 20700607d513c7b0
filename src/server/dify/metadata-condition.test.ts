import { describe, expect, it } from 'vitest';
import { matchesMetadataCondition, metadataConditionSchema } from './metadata-condition.js';

const metadata = {
  author: 'Ada Lovelace',
  year: 1843,
  tags: ['math', 'engine'],
  published: '1843-10-01',
  note: '',
};

function holds(condition: unknown): boolean {
  return matchesMetadataCondition(metadata, metadataConditionSchema.parse(condition));
}

const one = (name: string | string[], comparison_operator: string, value?: unknown) => ({
  conditions: [{ name, comparison_operator, ...(value === undefined ? {} : { value }) }],
});

describe('Dify metadata conditions', () => {
  it('compares strings', () => {
    expect(holds(one('author', 'contains', 'Love'))).toBe(true);
    expect(holds(one('author', 'not contains', 'Love'))).toBe(false);
    expect(holds(one('author', 'start with', 'Ada'))).toBe(true);
    expect(holds(one('author', 'end with', 'Ada'))).toBe(false);
    expect(holds(one('author', 'is', 'Ada Lovelace'))).toBe(true);
    expect(holds(one('author', 'is not', 'Ada Lovelace'))).toBe(false);
    expect(holds(one('tags', 'contains', 'eng'))).toBe(true);
    expect(holds(one('tags', 'is', 'math'))).toBe(true);
  });

  it('compares numbers, also sent as strings', () => {
    expect(holds(one('year', '=', 1843))).toBe(true);
    expect(holds(one('year', '=', '1843'))).toBe(true);
    expect(holds(one('year', '≠', 1843))).toBe(false);
    expect(holds(one('year', '!=', 1900))).toBe(true);
    expect(holds(one('year', '>', 1800))).toBe(true);
    expect(holds(one('year', '<', 1800))).toBe(false);
    expect(holds(one('year', '≥', 1843))).toBe(true);
    expect(holds(one('year', '<=', 1842))).toBe(false);
    expect(holds(one('author', '>', 1))).toBe(false);
  });

  it('tests membership, emptiness and dates', () => {
    expect(holds(one('year', 'in', ['1843', '1844']))).toBe(true);
    expect(holds(one('author', 'not in', ['Charles Babbage']))).toBe(true);
    expect(holds(one('tags', 'not in', ['engine']))).toBe(false);
    expect(holds(one('note', 'empty'))).toBe(true);
    expect(holds(one('missing', 'empty'))).toBe(true);
    expect(holds(one('missing', 'not empty'))).toBe(false);
    expect(holds(one('author', 'not null'))).toBe(true);
    expect(holds(one('published', 'before', '1900-01-01'))).toBe(true);
    expect(holds(one('published', 'after', '1900-01-01'))).toBe(false);
    // Dify's times are Unix seconds.
    expect(holds(one('published', 'before', 0))).toBe(true);
    expect(holds(one('published', 'after', -4_000_000_000))).toBe(true);
    expect(
      matchesMetadataCondition(
        { created: 1_700_000_000 },
        metadataConditionSchema.parse(one('created', 'after', '2023-01-01')),
      ),
    ).toBe(true);
  });

  it('joins with and/or; a list of names matches any of them', () => {
    const both = [
      { name: 'author', comparison_operator: 'contains', value: 'Ada' },
      { name: 'year', comparison_operator: '>', value: 1900 },
    ];
    expect(holds({ logical_operator: 'and', conditions: both })).toBe(false);
    expect(holds({ logical_operator: 'or', conditions: both })).toBe(true);
    expect(holds({ conditions: both })).toBe(false);
    expect(holds(one(['title', 'author'], 'contains', 'Ada'))).toBe(true);
    expect(holds({ conditions: [] })).toBe(true);
  });

  it('rejects unknown operators', () => {
    expect(metadataConditionSchema.safeParse(one('author', 'like', 'Ada')).success).toBe(false);
  });
});
