/**
 * English entity candidates without an NER model: wink-nlp's light model only recognises dates,
 * money, e-mails and URLs (DESIGN.md §2), but its part-of-speech tagger marks proper nouns well.
 * A candidate is a run of proper nouns in one sentence, which may
 * - continue with capitalised nouns and adjectives ("Apache Software Foundation") or a number
 *   ("Windows 11"),
 * - join names across "of", "of the", "de", "van", "von"…, "&" and tight hyphens
 *   ("University of Oxford", "Charles de Gaulle", "Rolls-Royce"),
 * - join across "and" only after an "of" ("Department of Health and Human Services"), because
 *   elsewhere "and" far more often separates two entities ("France and Germany").
 * A run may also start at a capitalised noun or adjective followed by another capitalised word
 * (wink tags "Bank" in "Bank of America" as a noun). Leading honorifics are dropped but mark a person
 * ("President Obama" → Obama). A lone capitalised word at a sentence start that the chunk also uses
 * in lower case is an ordinary word, not a name. E-mail addresses and URLs that wink recognises are
 * kept as entities of type 'other'; its dates, times and quantities are not, since they would link
 * unrelated passages through "2020".
 */
import type { ItemEntity } from 'wink-nlp';

import { englishStopWords } from '../analysis/english-stop-words.js';
import type { EntityCandidate, EntityType } from './extracted-entity.js';
import { getWink } from './wink-instance.js';

// prettier-ignore
const honorifics = new Set([
  'mr', 'mrs', 'ms', 'miss', 'dr', 'sir', 'dame', 'lady', 'prof', 'professor', 'president', 'king',
  'queen', 'prince', 'princess', 'saint', 'st', 'pope', 'general', 'gen', 'captain', 'capt', 'senator',
  'sen', 'governor', 'gov', 'judge', 'justice', 'chancellor', 'minister', 'emperor', 'empress', 'lord',
  'bishop',
]);

// prettier-ignore
const organizationWords = new Set([
  'university', 'college', 'institute', 'institution', 'inc', 'corp', 'corporation', 'company', 'co',
  'ltd', 'llc', 'plc', 'group', 'association', 'foundation', 'party', 'department', 'ministry', 'bank',
  'agency', 'committee', 'council', 'club', 'records', 'press', 'society', 'school', 'academy', 'church',
  'army', 'navy', 'team', 'fc', 'league', 'union', 'commission', 'organization', 'organisation', 'office',
  'bureau', 'laboratory', 'laboratories', 'labs', 'band', 'orchestra', 'studios', 'airlines', 'network',
  'systems', 'technologies', 'software', 'games', 'entertainment', 'pictures', 'federation', 'court',
  'senate', 'parliament', 'congress', 'police', 'hospital', 'museum',
]);

// prettier-ignore
const placeWords = new Set([
  'city', 'county', 'river', 'mountain', 'mountains', 'mount', 'mt', 'lake', 'island', 'islands',
  'street', 'avenue', 'road', 'province', 'state', 'states', 'kingdom', 'republic', 'valley', 'bay',
  'ocean', 'sea', 'park', 'airport', 'station', 'bridge', 'desert', 'peninsula', 'coast', 'district',
  'region', 'township', 'village', 'town', 'square', 'harbor', 'harbour', 'canyon', 'forest', 'falls',
  'beach', 'territory',
]);

/** Words between two names that keep them one name. */
// prettier-ignore
const nameConnectors = new Set([
  'of', 'de', 'da', 'di', 'du', 'del', 'della', 'des', 'van', 'von', 'der', 'den', 'la', 'le', 'y', 'al',
  'bin', 'ibn', 'for', 'on', 'upon',
]);

/** Connectors that join names only directly ("Newcastle upon Tyne"), never before "the". */
const looseConnectors = new Set(['for', 'on', 'upon']);

// prettier-ignore
const calendarWords = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

const keptWinkEntityTypes = new Set(['EMAIL', 'URL', 'HASHTAG', 'MENTION']);

const hasUppercase = /\p{Lu}/u;
const hasLetter = /\p{L}/u;
const hanCharacter = /\p{Script=Han}/u;
const initial = /^\p{Lu}\.$/u;
const titleWord = /^\p{Lu}[\p{Ll}'’.-]*$/u;

interface TokenTable {
  readonly values: string[];
  readonly lower: string[];
  readonly pos: string[];
  readonly types: string[];
  readonly starts: number[];
  readonly ends: number[];
  readonly spaceBefore: boolean[];
  readonly sentenceOf: number[];
  readonly sentenceStart: boolean[];
}

function readTokens(text: string): { table: TokenTable; entities: EntityCandidate[] } {
  const wink = getWink();
  const its = wink.its;
  const document = wink.readDoc(text);
  const tokens = document.tokens();
  const values = tokens.out(its.value) as string[];
  const pos = tokens.out(its.pos) as string[];
  const types = tokens.out(its.type) as string[];
  const spaces = tokens.out(its.precedingSpaces) as string[];
  const starts: number[] = [];
  const ends: number[] = [];
  let cursor = 0;
  values.forEach((value, index) => {
    // wink's tokenisation is lossless, so spaces + value walk the text; indexOf guards the rare case
    // where a token was normalised.
    let start = cursor + (spaces[index]?.length ?? 0);
    if (!text.startsWith(value, start)) {
      const found = text.indexOf(value, cursor);
      start = found === -1 ? start : found;
    }
    starts.push(start);
    ends.push(start + value.length);
    cursor = start + value.length;
  });
  const sentenceOf = new Array<number>(values.length).fill(0);
  const sentenceStart = new Array<boolean>(values.length).fill(false);
  (document.sentences().out(its.span) as unknown as [number, number][]).forEach(([first, last], sentence) => {
    for (let index = first; index <= last; index += 1) sentenceOf[index] = sentence;
    // The first word of the sentence (skipping opening quotes and brackets).
    let word = first;
    while (word <= last && types[word] !== 'word') word += 1;
    if (word <= last) sentenceStart[word] = true;
  });
  const entities: EntityCandidate[] = [];
  document.entities().each((entity: ItemEntity) => {
    const detail = entity.out(its.detail) as unknown as { value: string; type: string };
    if (!keptWinkEntityTypes.has(detail.type)) return;
    const [first, last] = entity.out(its.span) as unknown as [number, number];
    const start = starts[first];
    const end = ends[last];
    if (start === undefined || end === undefined) return;
    entities.push({ name: text.slice(start, end), type: 'other', start, end });
  });
  const table: TokenTable = {
    values,
    lower: values.map((value) => value.toLowerCase()),
    pos,
    types,
    starts,
    ends,
    spaceBefore: spaces.map((space) => space.length > 0),
    sentenceOf,
    sentenceStart,
  };
  return { table, entities };
}

function isCapitalisedWord(table: TokenTable, index: number): boolean {
  const value = table.values[index] ?? '';
  return table.types[index] === 'word' && hasUppercase.test(value) && !hanCharacter.test(value);
}

function isName(table: TokenTable, index: number): boolean {
  return table.pos[index] === 'PROPN' && isCapitalisedWord(table, index);
}

/** A capitalised word that may continue a name: "Software" in "Apache Software Foundation". */
function continuesName(table: TokenTable, index: number): boolean {
  if (isName(table, index)) return true;
  const pos = table.pos[index];
  if (pos === 'NUM') return table.types[index] === 'number';
  return (pos === 'NOUN' || pos === 'ADJ' || pos === 'X') && isCapitalisedWord(table, index);
}

function startsName(table: TokenTable, index: number): boolean {
  if (isName(table, index)) return !englishStopWords.has(table.lower[index] ?? '');
  const pos = table.pos[index];
  if ((pos !== 'NOUN' && pos !== 'ADJ') || !isCapitalisedWord(table, index)) return false;
  if (englishStopWords.has(table.lower[index] ?? '')) return false;
  const next = index + 1;
  return (
    table.sentenceOf[next] === table.sentenceOf[index] &&
    continuesName(table, next) &&
    table.types[next] !== 'number'
  );
}

/** Index of the last token of the name run starting at `first`. */
function runEnd(table: TokenTable, first: number): number {
  const sentence = table.sentenceOf[first];
  const inSentence = (index: number): boolean =>
    index < table.values.length && table.sentenceOf[index] === sentence;
  let last = first;
  let sawOf = false;
  for (;;) {
    const next = last + 1;
    if (!inSentence(next)) break;
    if (continuesName(table, next) && table.types[last] !== 'number') {
      last = next;
      continue;
    }
    const word = table.lower[next] ?? '';
    // Tight hyphen: "Rolls-Royce", never "Obama - the".
    if (
      word === '-' &&
      !table.spaceBefore[next] &&
      !table.spaceBefore[next + 1] &&
      continuesName(table, next + 1)
    ) {
      last = next + 1;
      continue;
    }
    let after = next;
    if (nameConnectors.has(word)) {
      after = next + 1;
      if (table.lower[after] === 'the') {
        // "Bank of the West" is one name; "Babbage on the Analytical Engine" is two.
        if (looseConnectors.has(word)) break;
        after += 1;
      }
    } else if (word === '&' || (word === 'and' && sawOf)) {
      after = next + 1;
    } else {
      break;
    }
    if (!inSentence(after) || !isName(table, after)) break;
    sawOf ||= word === 'of';
    last = after;
  }
  return last;
}

function classify(words: readonly string[], honorific: boolean): EntityType {
  if (honorific) return 'person';
  const lower = words.map((word) => word.toLowerCase().replace(/\.$/, ''));
  if (lower.some((word) => organizationWords.has(word))) return 'organization';
  if (lower.some((word) => placeWords.has(word))) return 'place';
  if (words.length >= 2 && words.slice(0, -1).every((word) => initial.test(word))) return 'person';
  return 'other';
}

export function englishEntityCandidates(text: string): EntityCandidate[] {
  const { table, entities } = readTokens(text);
  const candidates: EntityCandidate[] = [...entities];
  const lowerCaseWords = new Set<string>();
  table.values.forEach((value, index) => {
    if (table.types[index] === 'word' && !hasUppercase.test(value)) lowerCaseWords.add(value);
  });
  const runs: { first: number; last: number; honorific: boolean }[] = [];
  let index = 0;
  while (index < table.values.length) {
    if (!startsName(table, index)) {
      index += 1;
      continue;
    }
    let first = index;
    const last = runEnd(table, index);
    let honorific = false;
    // Only when a name follows: "Lord" in "Lord of the Rings" is part of the title.
    while (
      first < last &&
      honorifics.has((table.lower[first] ?? '').replace(/\.$/, '')) &&
      isName(table, first + 1)
    ) {
      first += 1;
      honorific = true;
    }
    // "Dr." is its own token; honorifics may also precede the run as a separate non-name token.
    const previous = table.lower[first - 1]?.replace(/\.$/, '');
    if (
      previous !== undefined &&
      honorifics.has(previous) &&
      table.sentenceOf[first - 1] === table.sentenceOf[first]
    ) {
      honorific = true;
    }
    runs.push({ first, last, honorific });
    index = last + 1;
  }
  for (const { first, last, honorific } of runs) {
    const words = table.values
      .slice(first, last + 1)
      .filter((_, offset) => table.types[first + offset] === 'word');
    if (first === last && !keepSingleWord(table, first, lowerCaseWords, honorific)) continue;
    // "July 1970" (numbers are not in `words`): dates are not graph entities.
    if (words.every((word) => calendarWords.has(word.toLowerCase()))) continue;
    const start = table.starts[first] ?? 0;
    const end = table.ends[last] ?? start;
    candidates.push({
      name: text.slice(start, end),
      type: classify(words, honorific),
      start,
      end,
    });
  }
  return candidates;
}

function keepSingleWord(
  table: TokenTable,
  index: number,
  lowerCaseWords: ReadonlySet<string>,
  honorific: boolean,
): boolean {
  const value = table.values[index] ?? '';
  const lower = table.lower[index] ?? '';
  const letters = value.replace(/[^\p{L}]/gu, '');
  if (letters.length < 2 || !hasLetter.test(value)) return false;
  if (englishStopWords.has(lower) || calendarWords.has(lower)) return false;
  if (honorific) return true;
  // "Interpretations include…": capitalised only because it opens the sentence.
  if (table.sentenceStart[index] && titleWord.test(value) && lowerCaseWords.has(lower)) return false;
  return true;
}
