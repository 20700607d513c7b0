import { describe, expect, it } from 'vitest';

import { ValidationError } from '../../core/errors.js';
import { HashedEmbedder } from './hashed-embedder.js';

function cosine(left: readonly number[], right: readonly number[]): number {
  return left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);
}

function norm(vector: readonly number[]): number {
  return Math.sqrt(cosine(vector, vector));
}

describe('HashedEmbedder', () => {
  const embedder = new HashedEmbedder();

  it('describes itself', () => {
    expect(embedder.model).toBe('rhizome-hashed-v1');
    expect(embedder.dimensions).toBe(384);
    expect(embedder.maxBatchSize).toBeGreaterThan(0);
  });

  it('is deterministic across calls and instances', async () => {
    const texts = ['Apache AGE adds graph queries to PostgreSQL.', '知识图谱把实体连接起来。'];
    const first = await embedder.embed(texts);
    const second = await new HashedEmbedder().embed(texts);
    expect(first).toEqual(second);
  });

  it('returns unit vectors of the configured dimension, even for text without words', async () => {
    const small = new HashedEmbedder({ dimensions: 64 });
    const vectors = await small.embed(['Knowledge graphs', '图谱', '!!! 🙂', '']);
    for (const vector of vectors) {
      expect(vector).toHaveLength(64);
      expect(norm(vector)).toBeCloseTo(1, 10);
    }
  });

  it('puts similar texts closer than unrelated ones', async () => {
    const [query, related, unrelated] = await embedder.embed([
      'How do knowledge graphs store entities and relations?',
      'A knowledge graph stores entities as nodes and their relations as edges.',
      'The recipe needs two eggs, flour and a pinch of salt.',
    ]);
    if (query === undefined || related === undefined || unrelated === undefined)
      throw new Error('missing vectors');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });

  it('matches Chinese text that shares words or characters', async () => {
    const [query, related, unrelated] = await embedder.embed([
      '清华大学在哪里',
      '清华大学位于北京市海淀区',
      '今天的天气非常晴朗',
    ]);
    if (query === undefined || related === undefined || unrelated === undefined)
      throw new Error('missing vectors');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });

  it('tolerates inflection and typos through stems and character trigrams', async () => {
    const [base, typo, other] = await embedder.embed([
      'PostgreSQL databases',
      'Postgresql databse',
      'Jazz music',
    ]);
    if (base === undefined || typo === undefined || other === undefined) throw new Error('missing vectors');
    expect(cosine(base, typo)).toBeGreaterThan(0.5);
    expect(cosine(base, typo)).toBeGreaterThan(cosine(base, other) + 0.3);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(embedder.embed(['text'], controller.signal)).rejects.toThrow('cancelled');
  });

  it('rejects a bad dimension', () => {
    expect(() => new HashedEmbedder({ dimensions: 3 })).toThrow(ValidationError);
  });
});
