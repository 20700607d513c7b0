/**
 * The names under which a question may refer to entities of the graph. A question is short and
 * often typed in lower case ("who did ada lovelace work with"), where the part-of-speech extractor
 * that built the graph finds nothing, so besides the extractor's own entities every run of 1–4
 * analysed tokens is a candidate name: a lookup on the unique (tenant_id, normalized_name) index
 * costs the same for one name or a few hundred. Spans are cut from the original text and go
 * through `normalizeEntityName`, the function the graph was built with, so "Babbage's" and
 * "the Beatles" find "babbage" and "beatles", and stop words inside a span survive ("bank of america").
 *
 * A question that is written with capitals ("… Scott Howell … the mayor of what city?") says by its
 * casing which words are names: there a span that starts or ends with a lower-case word ("city",
 * "television film") is not a name, and only capitalised words may be surnames. Without that rule
 * "city" matched every "… City" of the graph as a surname (Kansas City, Mexico City, Gotham City)
 * and "film" an entity "Film", and those seeds pulled the walk away from the question's real names.
 * A question typed all in lower case has no such evidence, and keeps every span.
 */
import { analyzeText } from '../../ingest/analysis/analyze-text.js';
import { extractEntities } from '../../ingest/extraction/extract-entities.js';
import { normalizeEntityName } from '../../ingest/extraction/normalize-entity-name.js';

export interface QueryEntityNames {
  /** Normalised names to match exactly: the extractor's entities, then the question's n-grams. */
  readonly names: readonly string[];
  /**
   * Single Latin words that may end a longer name: the extractor folds a lone surname into the
   * full name, so the graph knows "charles babbage" but not "babbage".
   */
  readonly lastWords: readonly string[];
}

export interface QueryEntityNameOptions {
  /** Longest n-gram, in analysed tokens. */
  readonly maxTokens?: number;
  /** Bounds the lookup for a pasted paragraph; the extractor's names always come first. */
  readonly maxNames?: number;
}

const defaultMaxTokens = 4;
const defaultMaxNames = 400;
// The extractor keeps names up to this length; a longer span cannot match.
const maxNameLength = 100;
const minimumLastWordLength = 3;
const startsLowerCase = /^\p{Ll}/u;
const startsUpperCase = /^\p{Lu}/u;

/** Whether the question marks names by capitals: a capitalised Latin word other than its first. */
function isCased(query: string, terms: readonly { start: number; end: number; script: string }[]): boolean {
  return terms.some((term, index) => index > 0 && term.script === 'latin' && startsUpperCase.test(query.slice(term.start, term.end)));
}

export function queryEntityNames(query: string, options: QueryEntityNameOptions = {}): QueryEntityNames {
  const maxTokens = options.maxTokens ?? defaultMaxTokens;
  const maxNames = options.maxNames ?? defaultMaxNames;
  const names = new Set<string>();
  for (const entity of extractEntities(query)) names.add(entity.normalizedName);

  const terms = analyzeText(query);
  const cased = isCased(query, terms);
  const lowerCase = (index: number): boolean => {
    const term = terms[index]!;
    return term.script === 'latin' && startsLowerCase.test(query.slice(term.start, term.end));
  };
  const lastWords = new Set<string>();
  for (let first = 0; first < terms.length && names.size < maxNames; first += 1) {
    const start = terms[first]!.start;
    for (let last = first; last < Math.min(terms.length, first + maxTokens); last += 1) {
      const term = terms[last]!;
      if (term.end - start > maxNameLength) break;
      const name = normalizeEntityName(query.slice(start, term.end));
      // A bare number is never an entity on its own ("1984" as a title comes through the extractor).
      if (name.length < 2 || (first === last && term.script === 'number')) continue;
      if (cased && (lowerCase(first) || lowerCase(last))) continue;
      names.add(name);
      if (
        first === last &&
        term.script === 'latin' &&
        name.length >= minimumLastWordLength &&
        !name.includes(' ')
      ) {
        lastWords.add(name);
      }
    }
  }
  return { names: [...names].slice(0, maxNames), lastWords: [...lastWords].slice(0, maxNames) };
}
