import { describe, expect, it } from 'vitest';
import type { RetrievalListName } from '../core/search.js';
import { listAgreement, trustLists, type CandidateList } from './list-trust.js';

const list = (name: RetrievalListName, chunkIds: readonly number[], weight = 1): CandidateList => ({
  name,
  weight,
  chunks: chunkIds.map((chunkId, index) => ({ chunkId, score: 100 - index })),
});
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);
const weightOf = (weights: ReturnType<typeof trustLists>, name: RetrievalListName) => weights.find((entry) => entry.list === name);

describe('list trust', () => {
  it('does not fuse a lexical embedder while BM25 has candidates, and explains why', () => {
    const weights = trustLists([list('bm25', range(1, 20)), list('vector', range(1, 20))], {
      semanticEmbedder: false,
      questionEntityStrength: 0,
    });
    expect(weightOf(weights, 'bm25')).toMatchObject({ weight: 1, reason: 'lexical anchor' });
    expect(weightOf(weights, 'vector')).toMatchObject({ weight: 0, reason: expect.stringContaining('lexical embedder') });
  });

  it('lets a lexical embedder stand in when BM25 found nothing', () => {
    const weights = trustLists([list('bm25', []), list('vector', range(1, 20))], { semanticEmbedder: false, questionEntityStrength: 0 });
    expect(weightOf(weights, 'vector')).toMatchObject({ weight: 1, reason: expect.stringContaining('BM25 found nothing') });
  });

  it('weighs a semantic embedder as BM25s peer, whatever it agrees with', () => {
    const weights = trustLists([list('bm25', range(1, 20)), list('vector', range(100, 20))], {
      semanticEmbedder: true,
      questionEntityStrength: 0,
    });
    expect(weightOf(weights, 'vector')).toMatchObject({ weight: 1, reason: expect.stringContaining('semantic') });
  });

  it('counts the graph list by how strongly the question names graph entities, scaled by agreement', () => {
    // The graph's top 10 are 5 BM25 candidates and 5 it alone found: agreement 50 %.
    const lists = [list('bm25', range(1, 30)), list('graph', [...range(1, 5), ...range(200, 5)])];
    expect(weightOf(trustLists(lists, { semanticEmbedder: false, questionEntityStrength: 2 }), 'graph')).toMatchObject({
      weight: 0.5,
      reason: expect.stringMatching(/question entities resolve.*50% of its top 10/),
    });
    expect(weightOf(trustLists(lists, { semanticEmbedder: false, questionEntityStrength: 0.5 }), 'graph')?.weight).toBe(0.25);
    expect(weightOf(trustLists(lists, { semanticEmbedder: false, questionEntityStrength: 0 }), 'graph')).toMatchObject({
      weight: 0,
      reason: expect.stringContaining('no entity of the question resolves'),
    });
  });

  it('gives no weight to a list that agrees with no other', () => {
    const weights = trustLists([list('bm25', range(1, 30)), list('community', range(500, 30), 0.5)], {
      semanticEmbedder: false,
      questionEntityStrength: 1,
    });
    expect(weightOf(weights, 'community')?.weight).toBe(0);
  });

  it('keeps a list alone in its mode at its own weight', () => {
    expect(trustLists([list('graph', range(1, 5))], { semanticEmbedder: false, questionEntityStrength: 0 })).toEqual([
      { list: 'graph', weight: 1, reason: 'the only list' },
    ]);
  });

  it('measures agreement on the head of a list against the depth of the others', () => {
    // BM25 ranks 2..31 in its first 30: 9 of the graph's first 10.
    expect(listAgreement(list('graph', range(1, 10)), [list('bm25', range(2, 30))])).toBe(0.9);
    // Chunk 1 at BM25's rank 31 is too deep to count.
    expect(listAgreement(list('graph', [1]), [list('bm25', [...range(100, 30), 1])])).toBe(0);
    expect(listAgreement(list('graph', []), [list('bm25', [1])])).toBe(0);
  });
});
