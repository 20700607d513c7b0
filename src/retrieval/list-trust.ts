/**
 * How much fusion trusts each retrieval list, per query, from evidence rather than fixed weights:
 *
 * - **BM25 is the anchor** (weight 1): on every set measured it is the best single list, and its
 *   scores carry real margins (docs/benchmarks.md).
 * - **The vector list counts by what the embedder is.** A semantic model finds paraphrases BM25
 *   cannot: it is BM25's peer (weight 1). A lexical hashing embedder scores the same shared words
 *   with more noise: it is not fused while BM25 has candidates (it pulled BM25 down on every set),
 *   and stands in for BM25 only when BM25 found nothing (words the index does not know).
 * - **Graph and community lists count when the question's own entities resolve.** Their walks are
 *   seeded by the question's entities and by the top BM25 passages; without a question entity they
 *   only reshuffle BM25's neighbourhood. Their weight is the strength with which the question names
 *   graph entities (1 for an exact name, less for a surname or a near vector), capped at 1.
 * - **A list that agrees with no other cannot displace BM25's hits.** Every supporting list is
 *   scaled by its agreement: the share of its top candidates that some other list also ranks near
 *   its top. A list whose head nobody else finds is guessing, whatever its own scores say.
 *
 * The result says, per list, the weight applied and why, for the hit explanations.
 */
import type { ListWeight, RankedChunk, RetrievalListName } from '../core/search.js';

export interface ListTrustContext {
  /** Whether the embedder that made the vectors is semantic (`Embedder.semantic`). */
  readonly semanticEmbedder: boolean;
  /**
   * How strongly the question names entities of the graph: the sum of the walk seeds'
   * `questionStrength` (0 when the question names none).
   */
  readonly questionEntityStrength: number;
}

export interface CandidateList {
  readonly name: RetrievalListName;
  /** The mode's weight for the list: 0 or absent lists are not fused. */
  readonly weight: number;
  readonly chunks: readonly RankedChunk[];
}

/** Candidates of a list whose agreement is measured: the head a user sees. */
export const agreementHead = 10;
/** How deep another list may rank a candidate and still count as agreeing on it. */
export const agreementDepth = 30;

/**
 * The share of `list`'s first `agreementHead` candidates that another list ranks within its first
 * `agreementDepth` (1 when the list is alone: there is nothing to disagree with).
 */
export function listAgreement(list: CandidateList, others: readonly CandidateList[]): number {
  const head = list.chunks.slice(0, agreementHead);
  if (head.length === 0) return 0;
  if (others.length === 0) return 1;
  const elsewhere = new Set(others.flatMap((other) => other.chunks.slice(0, agreementDepth).map((chunk) => chunk.chunkId)));
  return head.filter((chunk) => elsewhere.has(chunk.chunkId)).length / head.length;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

export function trustLists(lists: readonly CandidateList[], context: ListTrustContext): ListWeight[] {
  const active = lists.filter((list) => list.weight > 0);
  const bm25 = active.find((list) => list.name === 'bm25');
  const bm25Found = (bm25?.chunks.length ?? 0) > 0;
  const entityStrength = Math.min(1, Math.max(0, context.questionEntityStrength));

  // The prior: what the list is, and what the question lets it be.
  // Anchors are the evidence the other lists are checked against; they are not scaled by agreement.
  const prior = new Map<RetrievalListName, { weight: number; reason: string; anchor?: boolean }>();
  for (const list of active) {
    switch (list.name) {
      case 'bm25':
        prior.set(list.name, { weight: list.weight, reason: 'lexical anchor', anchor: true });
        break;
      case 'vector':
        if (context.semanticEmbedder) {
          prior.set(list.name, { weight: list.weight, reason: 'semantic embedder: evidence BM25 lacks', anchor: true });
        } else if (bm25 && bm25Found) {
          prior.set(list.name, { weight: 0, reason: 'lexical embedder: repeats the words BM25 already scored' });
        } else {
          prior.set(list.name, {
            weight: list.weight,
            reason: bm25 ? 'lexical embedder standing in: BM25 found nothing' : 'lexical embedder, the only lexical list',
            anchor: true,
          });
        }
        break;
      case 'bridge':
        // The second hop: its passages are those BM25 misses by construction, so it is not
        // gated by the question's entities (the bridges came from the first hop's passages).
        prior.set(list.name, { weight: list.weight, reason: 'second hop: walk from the bridge entities of the top passages' });
        break;
      case 'community':
        // Communities are the coarse view, for questions that name nothing in particular; when
        // the question names graph entities the local walk is the more specific evidence.
        if (active.length === 1) {
          prior.set(list.name, { weight: list.weight, reason: 'the only list' });
        } else if (entityStrength < 1) {
          prior.set(list.name, {
            weight: list.weight * (1 - entityStrength),
            reason:
              entityStrength > 0
                ? `question entities resolve weakly (strength ${round(entityStrength)}): communities fill in`
                : 'no entity of the question resolves: a thematic question, communities fill in',
          });
        } else {
          prior.set(list.name, { weight: 0, reason: 'question entities resolve: the local graph walk is more specific' });
        }
        break;
      case 'graph':
        if (active.length === 1) {
          prior.set(list.name, { weight: list.weight, reason: 'the only list' });
        } else if (entityStrength > 0) {
          prior.set(list.name, {
            weight: list.weight * entityStrength,
            reason: `question entities resolve (strength ${round(entityStrength)})`,
          });
        } else {
          prior.set(list.name, { weight: 0, reason: 'no entity of the question resolves: the walk only reshuffles BM25' });
        }
        break;
    }
  }

  // Agreement: among the lists that count (and found something), a supporting list is scaled by how
  // much of its head the others find too.
  const counted = active.filter((list) => (prior.get(list.name)?.weight ?? 0) > 0 && list.chunks.length > 0);
  return active.map((list): ListWeight => {
    const { weight, reason, anchor } = prior.get(list.name)!;
    if (weight === 0 || anchor) return { list: list.name, weight, reason };
    const others = counted.filter((other) => other.name !== list.name);
    if (others.length === 0) return { list: list.name, weight, reason };
    const agreement = listAgreement(list, others);
    return {
      list: list.name,
      weight: round(weight * agreement),
      reason: `${reason}; agrees with the other lists on ${Math.round(agreement * 100)}% of its top ${agreementHead}`,
    };
  });
}

/**
 * BM25's confident head: its hits before the largest drop in score among its first
 * `agreementHead` — the point where its evidence thins out. Supporting lists (graph, community,
 * a lexical embedder) reorder and add candidates below the head, never above it: a passage only a
 * walk or a community found must not displace a strong lexical match. The drop is measured on the
 * list's own scores, so the head adapts per query: one passage when BM25 has a clear winner, more
 * when its first scores are close.
 */
export function confidentHead(bm25: readonly RankedChunk[]): number[] {
  const scores = bm25.slice(0, agreementHead).map((chunk) => chunk.score);
  if (scores.length < 2) return bm25.slice(0, scores.length).map((chunk) => chunk.chunkId);
  let cut = 1;
  let largestDrop = -Infinity;
  for (let index = 0; index + 1 < scores.length; index += 1) {
    const drop = scores[index]! - scores[index + 1]!;
    if (drop > largestDrop) {
      largestDrop = drop;
      cut = index + 1;
    }
  }
  return [...new Set(bm25.slice(0, cut).map((chunk) => chunk.chunkId))];
}

/** Puts the head's chunks first, in the head's order, then the rest of the fused ranking. */
export function anchorHead<T extends { readonly chunkId: number }>(fused: readonly T[], head: readonly number[]): T[] {
  const byId = new Map(fused.map((chunk) => [chunk.chunkId, chunk]));
  const first = head.flatMap((chunkId) => {
    const chunk = byId.get(chunkId);
    return chunk ? [chunk] : [];
  });
  const taken = new Set(first.map((chunk) => chunk.chunkId));
  return [...first, ...fused.filter((chunk) => !taken.has(chunk.chunkId))];
}
