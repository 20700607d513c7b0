import type { ListContribution, RankedChunk, RetrievalListName } from '../core/search.js';

export interface RankedList {
  readonly name: RetrievalListName;
  readonly weight: number;
  readonly chunks: readonly RankedChunk[];
}

export interface FusedChunk {
  readonly chunkId: number;
  readonly fusedScore: number;
  readonly contributions: readonly ListContribution[];
  readonly matchedTerms: readonly string[];
  readonly entities: readonly string[];
}

/** The usual RRF constant: damps the difference between the very first ranks. */
export const defaultRankConstant = 60;

/**
 * Weighted reciprocal-rank fusion: score(d) = Σ weight_l / (k + rank_l(d)). Ranks, not raw scores,
 * are fused, so lists with incomparable scores (BM25, cosine, PageRank mass) combine fairly.
 * Ties break by the best single rank, then by chunk id, so results are deterministic.
 */
export function reciprocalRankFusion(lists: readonly RankedList[], rankConstant = defaultRankConstant): FusedChunk[] {
  const fused = new Map<
    number,
    { score: number; contributions: ListContribution[]; terms: Set<string>; entities: Set<string>; bestRank: number }
  >();
  for (const list of lists) {
    if (list.weight <= 0) continue;
    list.chunks.forEach((chunk, index) => {
      const rank = index + 1;
      const entry = fused.get(chunk.chunkId) ?? {
        score: 0,
        contributions: [],
        terms: new Set<string>(),
        entities: new Set<string>(),
        bestRank: Number.POSITIVE_INFINITY,
      };
      entry.score += list.weight / (rankConstant + rank);
      entry.contributions.push({ list: list.name, rank, score: chunk.score, weight: list.weight });
      for (const term of chunk.matchedTerms ?? []) entry.terms.add(term);
      for (const entity of chunk.entities ?? []) entry.entities.add(entity);
      entry.bestRank = Math.min(entry.bestRank, rank);
      fused.set(chunk.chunkId, entry);
    });
  }
  return [...fused.entries()]
    .sort(
      ([leftId, left], [rightId, right]) =>
        right.score - left.score || left.bestRank - right.bestRank || leftId - rightId,
    )
    .map(([chunkId, entry]) => ({
      chunkId,
      fusedScore: entry.score,
      contributions: entry.contributions,
      matchedTerms: [...entry.terms],
      entities: [...entry.entities],
    }));
}
