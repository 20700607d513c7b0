/**
 * Offline entity extraction for the knowledge graph (no LLM), in the spirit of FastGraphRAG and
 * LazyGraphRAG: cheap, deterministic candidates from part-of-speech tags, capitalisation and
 * quotes, merged per chunk under a normalised name. Recall matters more than precision here:
 * graph retrieval ranks passages by entities shared with the question, so a spurious entity costs
 * little while a missed one breaks a multi-hop path.
 *
 * English (and any Latin-script text) goes through english-entities.ts, Chinese through
 * chinese-entities.ts, both when the text mixes them; quoted titles and terms through
 * quoted-entities.ts. Within the chunk:
 * - a mention nested inside a longer one is dropped ("Old Man" inside "The Old Man and the Sea");
 * - mentions merge under `normalizeEntityName`, and the type most often assigned wins;
 * - a lone surname merges into the one full name that ends with it ("Obama" → "Barack Obama"), and
 *   a two- or three-word capitalised name with such a short form is taken to be a person;
 * - stop-like names go: single letters, numbers, stop words, pronouns.
 *
 * The chunk's headings count too (heading-entities.ts): the document title names the passage's
 * topic, often without the passage repeating it in full ("Lilu (mythology)" over a text that says
 * "Lilu or lilu is…"), and a title's short form in the text ("Nolan") then folds into it.
 */
import { englishStopWords } from '../analysis/english-stop-words.js';
import { splitSentences } from '../chunking/split-sentences.js';
import { headingEntityNames } from './heading-entities.js';
import type { EntityCandidate, EntityMention, EntityType, ExtractedEntity } from './extracted-entity.js';
import { normalizeEntityName } from './normalize-entity-name.js';
import { textEntityCandidates } from './text-entity-candidates.js';

export interface ExtractEntitiesOptions {
  /** Most entities kept per chunk, the most mentioned first; bounds a list-like chunk's graph. */
  readonly maxEntities?: number;
  /** The chunk's heading path, outermost first (`ChunkContext.headings`). */
  readonly headings?: readonly string[];
}

const defaultMaxEntities = 100;
const maxNameLength = 100;

const latinLetter = /\p{Script=Latin}/u;
const hanCharacters = /\p{Script=Han}/gu;
const letters = /\p{L}/gu;
const titleCaseWord = /^\p{Lu}\p{Ll}+$/u;

const typePriority: readonly EntityType[] = ['person', 'organization', 'place', 'work', 'concept', 'other'];

interface Group {
  readonly key: string;
  readonly names: Map<string, number>;
  readonly types: Map<EntityType, number>;
  readonly mentions: { start: number; end: number }[];
}

function isMeaningfulKey(key: string): boolean {
  if (key.length === 0 || key.length > maxNameLength) return false;
  if (englishStopWords.has(key)) return false;
  const hanCount = key.match(hanCharacters)?.length ?? 0;
  const letterCount = key.match(letters)?.length ?? 0;
  // Numbers alone, single Latin letters and single Han characters are not entities.
  if (hanCount === 0 && letterCount < 2) return false;
  if (hanCount > 0 && hanCount < 2 && letterCount - hanCount < 2) return false;
  return true;
}

/**
 * Drops candidates whose span lies inside a longer kept candidate. Of two candidates with the same
 * span, the first with a specific type wins: quoted titles come first, so 《红楼梦》 is a work even
 * though jieba tags 红楼梦 as a generic proper noun.
 */
function dropNested(candidates: readonly EntityCandidate[]): EntityCandidate[] {
  // Array.prototype.sort is stable: equal spans keep the extractors' order.
  const sorted = [...candidates].sort((left, right) => left.start - right.start || right.end - left.end);
  const kept: EntityCandidate[] = [];
  let coverEnd = -1;
  for (const candidate of sorted) {
    const last = kept.at(-1);
    if (last !== undefined && last.start === candidate.start && last.end === candidate.end) {
      if (last.type === 'other' && candidate.type !== 'other') kept[kept.length - 1] = candidate;
      continue;
    }
    if (candidate.end <= coverEnd) continue;
    kept.push(candidate);
    coverEnd = Math.max(coverEnd, candidate.end);
  }
  return kept;
}

function group(candidates: readonly EntityCandidate[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const candidate of candidates) {
    const key = normalizeEntityName(candidate.name);
    if (!isMeaningfulKey(key)) continue;
    let entry = groups.get(key);
    if (entry === undefined) {
      entry = { key, names: new Map(), types: new Map(), mentions: [] };
      groups.set(key, entry);
    }
    const name = candidate.name.trim();
    entry.names.set(name, (entry.names.get(name) ?? 0) + 1);
    entry.types.set(candidate.type, (entry.types.get(candidate.type) ?? 0) + 1);
    entry.mentions.push({ start: candidate.start, end: candidate.end });
  }
  return groups;
}

function mostFrequent<T>(counts: ReadonlyMap<T, number>, order?: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    const better =
      count > bestCount ||
      (count === bestCount &&
        order !== undefined &&
        best !== undefined &&
        order.indexOf(value) < order.indexOf(best));
    if (better) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

function groupType(entry: Group): EntityType {
  const specific = new Map([...entry.types].filter(([type]) => type !== 'other'));
  return mostFrequent(specific, typePriority) ?? 'other';
}

/** Folds "obama" into "barack obama" when exactly one multi-word Latin name ends with it. */
function mergeShortForms(groups: Map<string, Group>, inferredPersons: Set<string>): void {
  const byLastWord = new Map<string, Group[]>();
  for (const entry of groups.values()) {
    const words = entry.key.split(' ');
    const last = words.at(-1);
    if (words.length < 2 || last === undefined || !latinLetter.test(entry.key)) continue;
    byLastWord.set(last, [...(byLastWord.get(last) ?? []), entry]);
  }
  for (const entry of [...groups.values()]) {
    if (entry.key.includes(' ')) continue;
    const owners = byLastWord.get(entry.key);
    const owner = owners?.length === 1 ? owners[0] : undefined;
    if (owner === undefined) continue;
    const ownerType = groupType(owner);
    if (ownerType !== 'person' && ownerType !== 'other') continue;
    // An untyped owner must be shaped like a person's name: "Recovery of Aristotle" (a title) does
    // not absorb "Aristotle".
    if (ownerType === 'other' && !(mostFrequent(owner.names) ?? '').split(/\s+/).every((word) => titleCaseWord.test(word))) {
      continue;
    }
    owner.mentions.push(...entry.mentions);
    for (const [type, count] of entry.types) owner.types.set(type, (owner.types.get(type) ?? 0) + count);
    groups.delete(entry.key);
    const surface = mostFrequent(owner.names) ?? '';
    const surfaceWords = surface.split(/\s+/);
    if (
      ownerType === 'other' &&
      surfaceWords.length <= 3 &&
      surfaceWords.every((word) => titleCaseWord.test(word))
    ) {
      inferredPersons.add(owner.key);
    }
  }
}

function sentenceIndexer(text: string): (offset: number) => number {
  const starts = splitSentences(text).map((sentence) => sentence.start);
  return (offset) => {
    // The last sentence starting at or before the offset.
    let low = 0;
    let high = starts.length - 1;
    let found = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((starts[middle] ?? 0) <= offset) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  };
}

/**
 * Adds the headings' names as mentions. A heading precedes the text, so its mention is an empty
 * span at offset 0 (in the first sentence: relations pair the topic with the opening sentence most).
 */
function addHeadingMentions(groups: Map<string, Group>, headings: readonly string[]): void {
  for (const { name, type } of headingEntityNames(headings)) {
    const key = normalizeEntityName(name);
    if (!isMeaningfulKey(key)) continue;
    let entry = groups.get(key);
    if (entry === undefined) {
      entry = { key, names: new Map(), types: new Map(), mentions: [] };
      groups.set(key, entry);
    }
    entry.names.set(name, (entry.names.get(name) ?? 0) + 1);
    entry.types.set(type, (entry.types.get(type) ?? 0) + 1);
    entry.mentions.push({ start: 0, end: 0 });
  }
}

export function extractEntities(text: string, options: ExtractEntitiesOptions = {}): ExtractedEntity[] {
  const candidates = textEntityCandidates(text);
  const headings = options.headings ?? [];
  if (candidates.length === 0 && headings.length === 0) return [];

  const groups = group(dropNested(candidates));
  addHeadingMentions(groups, headings);
  if (groups.size === 0) return [];
  const inferredPersons = new Set<string>();
  mergeShortForms(groups, inferredPersons);
  const sentenceOf = sentenceIndexer(text);
  const entities = [...groups.values()].map((entry): ExtractedEntity => {
    const mentions: EntityMention[] = entry.mentions
      .sort((left, right) => left.start - right.start)
      .map((mention) => ({ ...mention, sentence: sentenceOf(mention.start) }));
    const type = groupType(entry);
    return {
      name: mostFrequent(entry.names) ?? entry.key,
      normalizedName: entry.key,
      type: type === 'other' && inferredPersons.has(entry.key) ? 'person' : type,
      count: mentions.length,
      mentions,
    };
  });
  entities.sort(
    (left, right) =>
      right.count - left.count || (left.mentions[0]?.start ?? 0) - (right.mentions[0]?.start ?? 0),
  );
  return entities.slice(0, options.maxEntities ?? defaultMaxEntities);
}
