/**
 * Reorders the first candidates of a fused ranking by offline passage evidence
 * (passage-signals.ts): each candidate's score is its reciprocal fused rank plus its term
 * proximity (the mean of the ordered and unordered pair shares, in [0, 1]) — one unit of each, no
 * weights fitted to any set. A passage where the question's words stand together can pass one
 * where they are scattered, a few ranks up; a far lower one cannot pass the first.
 *
 * Answer type and coverage are computed and explained too, but do not move the ranking: on
 * HotpotQA-100 the answer-type signal cost 0.09 nDCG@10 (distractors hold dates and names as
 * often as the answer passage does) and coverage was neutral (docs/benchmarks.md).
 */
import type { PassageEvidence } from '../core/search.js';
import { expectedAnswerType, passageSignals } from './passage-signals.js';

/** Candidates reordered: the ones a user reads, with room for a passage to climb into them. */
export const evidenceDepth = 20;

export function rerankByEvidence<T extends { readonly chunkId: number }>(
  question: string,
  fused: readonly T[],
  textOf: (chunkId: number) => string | undefined,
): { ranking: T[]; evidence: Map<number, PassageEvidence> } {
  const answerType = expectedAnswerType(question);
  const evidence = new Map<number, PassageEvidence>();
  const head = fused.slice(0, evidenceDepth).map((chunk, index) => {
    const text = textOf(chunk.chunkId);
    if (text === undefined) return { chunk, score: 1 / (index + 1) };
    const signals = passageSignals(question, text, answerType);
    const proximity = (signals.orderedProximity + signals.unorderedProximity) / 2;
    const score = 1 / (index + 1) + proximity;
    evidence.set(chunk.chunkId, { ...signals, fusedRank: index + 1, score });
    return { chunk, score };
  });
  const reordered = head
    .map((entry, index) => ({ ...entry, index }))
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .map((entry) => entry.chunk);
  return { ranking: [...reordered, ...fused.slice(evidenceDepth)], evidence };
}
