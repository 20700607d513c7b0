/**
 * Ranking metrics as BEIR reports them (pytrec_eval's `ndcg_cut`, `recall`, and MRR@k):
 * - nDCG@k with graded relevance: gain = the qrels grade (linear, as pytrec_eval and BEIR use it,
 *   not 2^grade − 1), discount 1 / log2(rank + 1), ideal DCG from the judged grades sorted
 *   descending — so a relevant document missing from the corpus lowers the score, as it should;
 * - recall@k: relevant documents (grade > 0) in the top k over all relevant documents;
 * - MRR@k: 1 / rank of the first relevant document in the top k, 0 when there is none;
 * - all-supporting@k: 1 when every relevant document is in the top k, else 0 — for multi-hop sets,
 *   where a question is answerable only with all of its supporting passages, the share of
 *   questions that have them all says more than recall.
 * A ranking is a list of document ids, best first; repeated ids count once, at their first rank.
 */

export type Grades = ReadonlyMap<string, number>;

function distinct(ranking: readonly string[]): string[] {
  return [...new Set(ranking)];
}

function discount(rank: number): number {
  return 1 / Math.log2(rank + 1);
}

function assertCutoff(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`cutoff must be a positive integer, got ${k}`);
}

export function dcgAtK(ranking: readonly string[], grades: Grades, k: number): number {
  assertCutoff(k);
  let dcg = 0;
  distinct(ranking)
    .slice(0, k)
    .forEach((documentId, index) => {
      const grade = grades.get(documentId) ?? 0;
      if (grade > 0) dcg += grade * discount(index + 1);
    });
  return dcg;
}

export function idealDcgAtK(grades: Grades, k: number): number {
  assertCutoff(k);
  return [...grades.values()]
    .filter((grade) => grade > 0)
    .sort((left, right) => right - left)
    .slice(0, k)
    .reduce((sum, grade, index) => sum + grade * discount(index + 1), 0);
}

/** 0 when the query has no relevant document (it should not have been evaluated). */
export function ndcgAtK(ranking: readonly string[], grades: Grades, k: number): number {
  const ideal = idealDcgAtK(grades, k);
  return ideal === 0 ? 0 : dcgAtK(ranking, grades, k) / ideal;
}

export function recallAtK(ranking: readonly string[], grades: Grades, k: number): number {
  assertCutoff(k);
  const relevant = [...grades.values()].filter((grade) => grade > 0).length;
  if (relevant === 0) return 0;
  const found = distinct(ranking)
    .slice(0, k)
    .filter((documentId) => (grades.get(documentId) ?? 0) > 0).length;
  return found / relevant;
}

export function reciprocalRankAtK(ranking: readonly string[], grades: Grades, k: number): number {
  assertCutoff(k);
  const index = distinct(ranking)
    .slice(0, k)
    .findIndex((documentId) => (grades.get(documentId) ?? 0) > 0);
  return index === -1 ? 0 : 1 / (index + 1);
}

/** 1 when every relevant document is in the top k, else 0 (and 0 for a query with none). */
export function allSupportingAtK(ranking: readonly string[], grades: Grades, k: number): number {
  assertCutoff(k);
  const relevant = [...grades.values()].filter((grade) => grade > 0).length;
  if (relevant === 0) return 0;
  return recallAtK(ranking, grades, k) === 1 ? 1 : 0;
}

export interface QueryMetrics {
  readonly queryId: string;
  readonly ndcg: Readonly<Record<number, number>>;
  readonly recall: Readonly<Record<number, number>>;
  readonly mrr: Readonly<Record<number, number>>;
  readonly allSupporting: Readonly<Record<number, number>>;
}

export interface RankingEvaluation {
  readonly perQuery: readonly QueryMetrics[];
  /** Means over the evaluated queries, per cutoff. */
  readonly mean: {
    readonly ndcg: Readonly<Record<number, number>>;
    readonly recall: Readonly<Record<number, number>>;
    readonly mrr: Readonly<Record<number, number>>;
    readonly allSupporting: Readonly<Record<number, number>>;
  };
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Evaluates every query of `queryIds` at every cutoff; a query with no ranking counts as having
 * retrieved nothing (all zeros), never as skipped.
 */
export function evaluateRankings(
  queryIds: readonly string[],
  qrels: ReadonlyMap<string, Grades>,
  rankings: ReadonlyMap<string, readonly string[]>,
  cutoffs: readonly number[],
): RankingEvaluation {
  if (queryIds.length === 0) throw new RangeError('no queries to evaluate');
  const perQuery = queryIds.map((queryId): QueryMetrics => {
    const grades = qrels.get(queryId) ?? new Map<string, number>();
    const ranking = rankings.get(queryId) ?? [];
    const at = (metric: (ranking: readonly string[], grades: Grades, k: number) => number) =>
      Object.fromEntries(cutoffs.map((k) => [k, metric(ranking, grades, k)]));
    return {
      queryId,
      ndcg: at(ndcgAtK),
      recall: at(recallAtK),
      mrr: at(reciprocalRankAtK),
      allSupporting: at(allSupportingAtK),
    };
  });
  const average = (pick: (metrics: QueryMetrics) => Readonly<Record<number, number>>) =>
    Object.fromEntries(cutoffs.map((k) => [k, mean(perQuery.map((metrics) => pick(metrics)[k] ?? 0))]));
  return {
    perQuery,
    mean: {
      ndcg: average((m) => m.ndcg),
      recall: average((m) => m.recall),
      mrr: average((m) => m.mrr),
      allSupporting: average((m) => m.allSupporting),
    },
  };
}

/**
 * Nearest-rank percentile: the smallest value such that at least p% of the values are ≤ it, i.e.
 * the value at 1-based rank ⌈p/100 · n⌉ of the sorted values (rank 1 for p = 0).
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((left, right) => left - right);
  // p · n first: (p / 100) · n picks up rounding error (0.999 · 1000 = 999.0000000000001) and would skip a rank.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}
