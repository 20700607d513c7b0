/**
 * The extractive summary of a community, built without an LLM and identical on every rebuild of
 * the same graph: its most central entities, its strongest relations and a few sentences from the
 * passages that name the most of its members. It is what a "global" question is matched against
 * (through its embedding) and what the answer model reads, so it states names plainly rather than
 * paraphrasing them. GraphRAG writes these with an LLM; `summarise` in the builder still can.
 */
import { splitSentences } from '../../ingest/chunking/split-sentences.js';

export interface CommunityRelation {
  readonly source: string;
  readonly target: string;
  readonly weight: number;
}

export interface CommunitySummaryInput {
  /** Member names, most central first. */
  readonly entities: readonly string[];
  /** Relations inside the community, strongest first. */
  readonly relations: readonly CommunityRelation[];
  readonly excerpts: readonly string[];
  /** All members, when `entities` lists only the top ones. */
  readonly entityCount: number;
}

const titleEntities = 3;
const summaryEntities = 10;
const summaryRelations = 5;
const maxExcerptLength = 300;

export function communityTitle(entities: readonly string[]): string {
  return entities.slice(0, titleEntities).join(', ');
}

export function extractiveSummary(input: CommunitySummaryInput): string {
  const shown = input.entities.slice(0, summaryEntities);
  const more = input.entityCount - shown.length;
  const lines = [`Entities: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`];
  const relations = input.relations.slice(0, summaryRelations);
  if (relations.length > 0) {
    lines.push(
      `Relations: ${relations.map((relation) => `${relation.source} — ${relation.target}`).join('; ')}.`,
    );
  }
  if (input.excerpts.length > 0) lines.push(`Excerpts: ${input.excerpts.join(' … ')}`);
  return lines.join('\n');
}

/**
 * The sentence of a passage that names the most members (the earliest on a tie), or undefined when
 * it names none. Names match case-insensitively as written in the passage.
 */
export function representativeSentence(text: string, memberNames: readonly string[]): string | undefined {
  const names = memberNames.map((name) => name.toLowerCase()).filter((name) => name.length > 1);
  let best: { sentence: string; count: number } | undefined;
  for (const range of splitSentences(text)) {
    const sentence = text.slice(range.start, range.end).replace(/\s+/g, ' ').trim();
    const lower = sentence.toLowerCase();
    const count = names.filter((name) => lower.includes(name)).length;
    if (count > 0 && (best === undefined || count > best.count)) best = { sentence, count };
  }
  if (best === undefined) return undefined;
  return best.sentence.length <= maxExcerptLength
    ? best.sentence
    : `${best.sentence.slice(0, maxExcerptLength - 1)}…`;
}
