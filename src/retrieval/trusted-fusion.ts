import type { ListWeight } from '../core/search.js';
import { convexScoreFusion } from './convex-score-fusion.js';
import { anchorHead, confidentHead, trustLists } from './list-trust.js';
import { reciprocalRankFusion, type FusedChunk, type RankedList } from './reciprocal-rank-fusion.js';

/** Weighs every list by the evidence for it (list-trust.ts), then fuses them. */
export function fuseWithTrust(
  lists: readonly RankedList[],
  fusion: 'rrf' | 'convex',
  semanticEmbedder: boolean,
  questionEntityStrength: number,
): { fused: FusedChunk[]; weights: ListWeight[] } {
  const weights = trustLists(lists, { semanticEmbedder, questionEntityStrength });
  const weightOf = new Map(weights.map((entry) => [entry.list, entry.weight]));
  const weighted = lists.map((list) => ({ ...list, weight: weightOf.get(list.name) ?? 0 }));
  const fused = fusion === 'convex' ? convexScoreFusion(weighted) : reciprocalRankFusion(weighted);
  // BM25 anchors the ranking unless a semantic embedder is its peer: its confident head stays on
  // top, the other lists reorder and add below it.
  const bm25 = weighted.find((list) => list.name === 'bm25' && list.weight > 0);
  const supported = weighted.some((list) => list.name !== 'bm25' && list.weight > 0);
  const semanticPeer = weighted.some((list) => list.name === 'vector' && list.weight > 0 && semanticEmbedder);
  if (!bm25 || !supported || semanticPeer) return { fused, weights };
  const head = confidentHead(bm25.chunks);
  return {
    fused: anchorHead(fused, head),
    weights: weights.map((entry) =>
      entry.list === 'bm25'
        ? { ...entry, reason: `${entry.reason}; its first ${head.length} hit${head.length === 1 ? '' : 's'} (before its largest score drop) stay on top` }
        : entry,
    ),
  };
}


