import { describe, expect, it } from 'vitest';
import {
  allSupportingAtK,
  dcgAtK,
  evaluateRankings,
  idealDcgAtK,
  ndcgAtK,
  percentile,
  recallAtK,
  reciprocalRankAtK,
} from './retrieval-metrics.js';

// log2(2) = 1, log2(3) = 1.5849625, log2(4) = 2, log2(5) = 2.3219281.
const ranking = ['a', 'b', 'c', 'd', 'e'];
// Graded judgements: b = 2 and d = 1 are retrieved, x = 3 never is; c is judged not relevant (0).
const grades = new Map([
  ['b', 2],
  ['c', 0],
  ['d', 1],
  ['x', 3],
]);

describe('nDCG', () => {
  it('uses the grade as gain with a log2 discount, and the judged grades for the ideal', () => {
    // DCG@5 = 2/log2(3) + 1/log2(5) = 1.2618595 + 0.4306766 = 1.6925361
    expect(dcgAtK(ranking, grades, 5)).toBeCloseTo(1.6925361, 6);
    // IDCG@5 from grades 3, 2, 1: 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.2618595 + 0.5 = 4.7618595
    expect(idealDcgAtK(grades, 5)).toBeCloseTo(4.7618595, 6);
    // nDCG@5 = 1.6925361 / 4.7618595 = 0.3554360
    expect(ndcgAtK(ranking, grades, 5)).toBeCloseTo(0.355436, 6);
    // nDCG@2: DCG = 2/log2(3) = 1.2618595; IDCG = 3 + 2/log2(3) = 4.2618595; 1.2618595 / 4.2618595 = 0.2960819
    expect(ndcgAtK(ranking, grades, 2)).toBeCloseTo(0.2960819, 6);
    // nDCG@1: a is not judged, DCG = 0.
    expect(ndcgAtK(ranking, grades, 1)).toBe(0);
  });

  it('is 1 for the ideal ranking and counts a repeated document once, at its first rank', () => {
    // x(3), b(2), d(1) is ideal: DCG = IDCG.
    expect(ndcgAtK(['x', 'b', 'd'], grades, 10)).toBeCloseTo(1, 12);
    // ['b','b','d'] is ['b','d']: DCG@3 = 2/1 + 1/log2(3) = 2.6309298; IDCG@3 = 4.7618595; ratio 0.5525084
    expect(ndcgAtK(['b', 'b', 'd'], grades, 3)).toBeCloseTo(2.6309298 / 4.7618595, 6);
  });

  it('is 0 for an empty ranking and for a query without relevant documents', () => {
    expect(ndcgAtK([], grades, 10)).toBe(0);
    expect(ndcgAtK(ranking, new Map([['a', 0]]), 10)).toBe(0);
  });

  it('rejects a cutoff that is not a positive integer', () => {
    expect(() => ndcgAtK(ranking, grades, 0)).toThrow(RangeError);
    expect(() => recallAtK(ranking, grades, 2.5)).toThrow(RangeError);
  });
});

describe('recall and MRR', () => {
  it('counts relevant documents (grade > 0) within the cutoff over all relevant ones', () => {
    // Relevant: b, d, x (3). Top 2 = a, b → 1/3; top 5 → b, d → 2/3.
    expect(recallAtK(ranking, grades, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranking, grades, 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(['b', 'b'], grades, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('takes the reciprocal rank of the first relevant document within the cutoff', () => {
    // c (rank 3) is judged 0, so the first relevant is b at rank 2: 1/2.
    expect(reciprocalRankAtK(ranking, grades, 5)).toBe(0.5);
    expect(reciprocalRankAtK(ranking, grades, 1)).toBe(0);
    expect(reciprocalRankAtK(['c', 'a', 'e', 'd'], grades, 10)).toBe(0.25);
  });
});

describe('all-supporting', () => {
  it('is 1 only when every relevant document is within the cutoff', () => {
    const twoHop = new Map([
      ['b', 1],
      ['d', 2],
      ['c', 0],
    ]);
    // b at rank 2, d at rank 4: both within 4, not within 3; c (grade 0) is not needed.
    expect(allSupportingAtK(ranking, twoHop, 4)).toBe(1);
    expect(allSupportingAtK(ranking, twoHop, 3)).toBe(0);
    expect(allSupportingAtK(ranking, grades, 10)).toBe(0); // x is never retrieved
    expect(allSupportingAtK(ranking, new Map([['a', 0]]), 10)).toBe(0);
  });
});

describe('evaluateRankings', () => {
  it('averages per query; a query with no ranking counts as retrieving nothing', () => {
    const qrels = new Map([
      ['q1', grades],
      ['q2', new Map([['z', 1]])],
    ]);
    const result = evaluateRankings(['q1', 'q2'], qrels, new Map([['q1', ranking]]), [5, 10]);
    expect(result.perQuery.map((query) => query.queryId)).toEqual(['q1', 'q2']);
    // q1: nDCG@5 0.3554360, recall@5 2/3, MRR@5 1/2; q2: all 0.
    expect(result.perQuery[1]).toEqual({
      queryId: 'q2',
      ndcg: { 5: 0, 10: 0 },
      recall: { 5: 0, 10: 0 },
      mrr: { 5: 0, 10: 0 },
      allSupporting: { 5: 0, 10: 0 },
    });
    // Means: nDCG@5 = 0.3554360 / 2 = 0.1777180; recall@5 = (2/3) / 2 = 1/3; MRR@5 = 0.5 / 2 = 0.25
    expect(result.mean.ndcg[5]).toBeCloseTo(0.177718, 6);
    expect(result.mean.recall[5]).toBeCloseTo(1 / 3, 12);
    expect(result.mean.mrr[5]).toBe(0.25);
    // q1 misses x at any cutoff, q2 misses z: nobody has all its supporting documents.
    expect(result.mean.allSupporting[10]).toBe(0);
  });

  it('refuses to average nothing', () => {
    expect(() => evaluateRankings([], new Map(), new Map(), [10])).toThrow(/no queries/);
  });
});

describe('percentile (nearest rank)', () => {
  it('takes the value at rank ⌈p/100 · n⌉ of the sorted values', () => {
    const values = [40, 15, 50, 20, 35]; // sorted: 15 20 35 40 50
    // p50: ⌈0.5 · 5⌉ = ⌈2.5⌉ = 3 → 35; p95: ⌈4.75⌉ = 5 → 50; p20: ⌈1⌉ = 1 → 15; p0 → rank 1 → 15
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 95)).toBe(50);
    expect(percentile(values, 20)).toBe(15);
    expect(percentile(values, 0)).toBe(15);
    expect(percentile(values, 100)).toBe(50);
  });

  it('does not skip a rank through floating-point error', () => {
    const oneToTwenty = Array.from({ length: 20 }, (_, index) => index + 1);
    // p95 of 1..20: ⌈0.95 · 20⌉ = 19 → 19; p50: ⌈10⌉ = 10 → 10
    expect(percentile(oneToTwenty, 95)).toBe(19);
    expect(percentile(oneToTwenty, 50)).toBe(10);
    const oneToThousand = Array.from({ length: 1000 }, (_, index) => index + 1);
    // p99.9 of 1..1000: 99.9 · 1000 / 100 = 999 exactly → 999 (0.999 · 1000 would give 999.0000000000001 → 1000)
    expect(percentile(oneToThousand, 99.9)).toBe(999);
  });

  it('rejects no values and out-of-range percentiles', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});
