import { describe, expect, it } from 'vitest';
import { inverseDocumentFrequency, termFrequencyWeight } from './bm25-scoring.js';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.js';
import { convexScoreFusion } from './convex-score-fusion.js';
import { analyzeQuery } from './analyze-query.js';
import { termFrequencies } from '../ingest/analysis/analyze-text.js';

describe('BM25 scoring', () => {
  it('matches hand-computed IDF and term-frequency weights', () => {
    // N = 10, df = 2: ln(1 + (10 − 2 + 0.5) / (2 + 0.5)) = ln(1 + 3.4) = ln 4.4 = 1.48160454…
    expect(inverseDocumentFrequency(10, 2)).toBeCloseTo(1.4816045409, 9);
    // A term in every chunk still has a small positive IDF: ln(1 + 0.5 / 10.5) = 0.04652…
    expect(inverseDocumentFrequency(10, 10)).toBeCloseTo(0.0465200156, 9);
    // tf 3, len 20, avg 10, k1 0.9, b 0.4: 3·1.9 / (3 + 0.9·(0.6 + 0.8)) = 5.7 / 4.26 = 1.33802816…
    expect(termFrequencyWeight(3, 20, 10)).toBeCloseTo(1.3380281690, 9);
    // At average length the length norm is 1: tf 1 → 1.9 / 1.9 = 1.
    expect(termFrequencyWeight(1, 10, 10)).toBeCloseTo(1, 12);
  });

  it('analyses queries with the ingestion tokenizer (parity)', () => {
    const text = 'Running runners ran to 清华大学 in Beijing; ＰｏｓｔｇｒｅＳＱＬ indexes!';
    const indexed = termFrequencies(text).terms;
    const query = analyzeQuery(text);
    expect(new Set(query.map((term) => term.term))).toEqual(new Set(indexed.keys()));
    for (const term of query) expect(term.frequency).toBe(indexed.get(term.term));
    const run = query.find((term) => term.term === 'run');
    expect(run?.surfaces).toEqual(['Running']);
  });
});

describe('reciprocal rank fusion', () => {
  it('sums weighted reciprocal ranks and explains every contribution', () => {
    const fused = reciprocalRankFusion(
      [
        { name: 'bm25', weight: 1, chunks: [{ chunkId: 1, score: 9, matchedTerms: ['ada'] }, { chunkId: 2, score: 5 }] },
        { name: 'vector', weight: 2, chunks: [{ chunkId: 2, score: 0.9 }, { chunkId: 3, score: 0.8 }] },
      ],
      60,
    );
    // chunk 2: 1/(60+2) + 2/(60+1) = 0.016129 + 0.032787 = 0.048916
    // chunk 3: 2/(60+2) = 0.032258; chunk 1: 1/(60+1) = 0.016393
    expect(fused.map((chunk) => chunk.chunkId)).toEqual([2, 3, 1]);
    expect(fused[0]!.fusedScore).toBeCloseTo(1 / 62 + 2 / 61, 12);
    expect(fused[0]!.contributions).toEqual([
      { list: 'bm25', rank: 2, score: 5, weight: 1 },
      { list: 'vector', rank: 1, score: 0.9, weight: 2 },
    ]);
    expect(fused[2]!.matchedTerms).toEqual(['ada']);
  });

  it('breaks ties deterministically and ignores zero-weight lists', () => {
    const fused = reciprocalRankFusion([
      { name: 'bm25', weight: 1, chunks: [{ chunkId: 7, score: 1 }] },
      { name: 'vector', weight: 1, chunks: [{ chunkId: 5, score: 1 }] },
      { name: 'graph', weight: 0, chunks: [{ chunkId: 9, score: 1 }] },
    ]);
    expect(fused.map((chunk) => chunk.chunkId)).toEqual([5, 7]);
  });
});

describe('convex score fusion', () => {
  it('sums weighted min–max normalised scores, keeping score margins', () => {
    const fused = convexScoreFusion([
      // BM25: 10 → 1, 4 → (4−2)/(10−2) = 0.25, 2 → 0
      { name: 'bm25', weight: 1, chunks: [{ chunkId: 1, score: 10 }, { chunkId: 2, score: 4 }, { chunkId: 3, score: 2 }] },
      // vector: 1 → 1, 0.5 → 0.5, 0 → 0 (weight 0.5)
      { name: 'vector', weight: 0.5, chunks: [{ chunkId: 3, score: 1 }, { chunkId: 2, score: 0.5 }, { chunkId: 4, score: 0 }] },
    ]);
    // 1: 1; 2: 0.25 + 0.25 = 0.5; 3: 0 + 0.5 = 0.5 (tie: 3 has the better best rank); 4: 0
    expect(fused.map((chunk) => chunk.chunkId)).toEqual([1, 3, 2, 4]);
    const expected = [1, 0.5, 0.5, 0];
    fused.forEach((chunk, index) => expect(chunk.fusedScore).toBeCloseTo(expected[index]!, 9));
    expect(fused[1]!.contributions.map((contribution) => [contribution.list, contribution.rank])).toEqual([
      ['bm25', 3],
      ['vector', 1],
    ]);
  });

  it('gives every candidate of a flat list the full weight', () => {
    const fused = convexScoreFusion([{ name: 'graph', weight: 2, chunks: [{ chunkId: 5, score: 3 }, { chunkId: 6, score: 3 }] }]);
    expect(fused.map((chunk) => chunk.fusedScore)).toEqual([2, 2]);
  });
});
