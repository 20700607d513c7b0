/**
 * Relations between the entities of one chunk, from co-occurrence (no LLM): every unordered pair of
 * distinct entities is related, weighted by how often and how closely they appear together.
 *
 *   closeness = Σ over sentences that mention both (1)  +  0.5 / (1 + d)
 *   weight    = closeness / (1 + closeness)
 *
 * where d is the smallest distance in sentences between a mention of one and a mention of the
 * other (0 when they share a sentence). So one shared sentence weighs 0.6, two 0.71, neighbours in
 * adjacent sentences 0.2, and a pair five sentences apart 0.08. The weight is symmetric by
 * construction and lies in (0, 1); the graph adds weights from different chunks.
 *
 * Pairs are returned with `source` < `target` (by normalised name, code-unit order) so the same pair
 * found in two chunks merges into one edge. A list-like chunk with many entities would produce a
 * quadratic number of pairs: only the `maxEntities` most mentioned entities take part, and only the
 * `maxPairs` heaviest pairs are returned.
 */
import type { ExtractedRelation } from '../../core/knowledge-extractor.js';
import type { ExtractedEntity } from './extracted-entity.js';

export interface CooccurrenceRelation extends ExtractedRelation {
  /** normalizedName of one entity; always less than `target`. */
  readonly source: string;
  readonly target: string;
  /** In [0, 1) (0 only for entities without mentions); see the formula above. */
  readonly weight: number;
  /** Sentences of the chunk that mention both. */
  readonly sharedSentences: number;
}

export interface ExtractRelationsOptions {
  readonly maxPairs?: number;
  readonly maxEntities?: number;
}

const defaultMaxPairs = 50;
const defaultMaxEntities = 40;

interface Profile {
  readonly key: string;
  /** Sorted unique sentence indexes. */
  readonly sentences: number[];
}

function profile(entity: ExtractedEntity): Profile {
  const sentences = [...new Set(entity.mentions.map((mention) => mention.sentence))].sort((a, b) => a - b);
  return { key: entity.normalizedName, sentences };
}

/** Shared sentence count and smallest sentence distance, by a merge of two sorted lists. */
function compare(left: readonly number[], right: readonly number[]): { shared: number; distance: number } {
  let shared = 0;
  let distance = Number.POSITIVE_INFINITY;
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const a = left[i] ?? 0;
    const b = right[j] ?? 0;
    distance = Math.min(distance, Math.abs(a - b));
    if (a === b) {
      shared += 1;
      i += 1;
      j += 1;
    } else if (a < b) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return { shared, distance };
}

export function extractRelations(
  entities: readonly ExtractedEntity[],
  options: ExtractRelationsOptions = {},
): CooccurrenceRelation[] {
  const maxPairs = options.maxPairs ?? defaultMaxPairs;
  const maxEntities = options.maxEntities ?? defaultMaxEntities;
  // The most mentioned entities; ties broken by name so the choice does not depend on input order.
  const chosen = [...entities]
    .sort((left, right) => right.count - left.count || (left.normalizedName < right.normalizedName ? -1 : 1))
    .slice(0, maxEntities)
    .map(profile);
  const seen = new Set<string>();
  const profiles = chosen.filter((entry) => !seen.has(entry.key) && seen.add(entry.key));

  const relations: CooccurrenceRelation[] = [];
  for (let i = 0; i < profiles.length; i += 1) {
    for (let j = i + 1; j < profiles.length; j += 1) {
      const left = profiles[i];
      const right = profiles[j];
      if (left === undefined || right === undefined) continue;
      const { shared, distance } = compare(left.sentences, right.sentences);
      const closeness = shared + 0.5 / (1 + distance);
      const [source, target] = left.key < right.key ? [left.key, right.key] : [right.key, left.key];
      relations.push({ source, target, weight: closeness / (1 + closeness), sharedSentences: shared });
    }
  }
  relations.sort(
    (left, right) =>
      right.weight - left.weight ||
      (left.source === right.source
        ? left.target < right.target
          ? -1
          : 1
        : left.source < right.source
          ? -1
          : 1),
  );
  return relations.slice(0, maxPairs);
}
