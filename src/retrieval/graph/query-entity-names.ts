/**
 * The names under which a question may refer to entities of the graph. A question is short and
 * often typed in lower case ("who did ada lovelace work with"), where the part-of-speech extractor
 * that built the graph finds nothing, so besides the extractor's own entities every run of 1–4
 * analysed tokens is a candidate name: a lookup on the unique (tenant_id, normalized_name) index
 * costs the same for one name or a few hundred. Spans are cut from the original text and go
 * through `normalizeEntityName`, the function the graph was built with, so "Babbage's" and
 * "the Beatles" find "babbage" and "beatles", and stop words inside a span survive ("bank of america").
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

export function queryEntityNames(query: string, options: QueryEntityNameOptions = {}): QueryEntityNames {
  const maxTokens = options.maxTokens ?? defaultMaxTokens;
  const maxNames = options.maxNames ?? defaultMaxNames;
  const names = new Set<string>();
  for (const entity of extractEntities(query)) names.add(entity.normalizedName);

  const terms = analyzeText(query);
  const lastWords = new Set<string>();
  for (let first = 0; first < terms.length && names.size < maxNames; first += 1) {
    const start = terms[first]!.start;
    for (let last = first; last < Math.min(terms.length, first + maxTokens); last += 1) {
      const term = terms[last]!;
      if (term.end - start > maxNameLength) break;
      const name = normalizeEntityName(query.slice(start, term.end));
      // A bare number is never an entity on its own ("1984" as a title comes through the extractor).
      if (name.length < 2 || (first === last && term.script === 'number')) continue;
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
