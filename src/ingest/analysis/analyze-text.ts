/**
 * The one tokenizer behind BM25, used at ingestion and at query time alike: a query term can only
 * match what the index stored if both went through exactly this function, so nothing else in the
 * project should split text into index terms.
 *
 * - Every token is NFKC-normalised and lower-cased (full-width "ＰｏｓｔｇｒｅＳＱＬ" = "postgresql").
 * - English and other Latin-script words lose their diacritics, drop if they are Snowball stop words,
 *   and are stemmed with the Porter stemmer ("runners" → "runner", "running" → "run").
 * - Han runs are segmented into words by jieba's dictionary (HMM off); function words drop; single
 *   characters that jieba leaves alone are kept because in Chinese they carry meaning (山, 水, 狗).
 *   Measured with in-memory BM25 (k1 0.9, b 0.4) on CMRC 2018 dev (848 passages, 3,219 questions):
 *   dictionary + HMM nDCG@10 0.986; HMM off 0.990 (the HMM guesses new words differently in a short
 *   question and in a passage, so they stop matching); adding overlapping Han bigrams gave 0.990
 *   over HMM off, i.e. nothing, while growing the index by about a term per character; jieba's
 *   search mode 0.985. So: dictionary words only, no bigrams.
 * - Numbers are kept ("1,000" and "1000" are the same term); terms are capped at 64 characters.
 *
 * Mixed text needs no language detection: the scanner splits it at script changes and each run is
 * analysed by its own rules.
 */
import { stemmer } from 'stemmer';

import { chineseStopWords } from './chinese-stop-words.js';
import { englishStopWords } from './english-stop-words.js';
import { getJieba } from './jieba-instance.js';
import { capTermLength, normalizeCharacters } from './normalize-term.js';
import { scanTokens } from './scan-tokens.js';

export type TermScript = 'han' | 'latin' | 'number' | 'other';

export interface AnalyzedTerm {
  /** The index term: normalised, stemmed where the language has a stemmer. */
  readonly term: string;
  /**
   * Ordinal of the token in the text. Stop words consume a position without emitting a term, as in
   * Lucene, so the distance between two kept terms reflects the original text.
   */
  readonly position: number;
  /** Offsets of the source token in the original text (UTF-16 code units). */
  readonly start: number;
  readonly end: number;
  readonly script: TermScript;
}

export interface TermFrequencies {
  /** Term → number of occurrences. */
  readonly terms: Map<string, number>;
  /** Number of terms emitted: the document length that BM25 normalises by. */
  readonly length: number;
}

const asciiLetters = /^[a-z]+$/;
const digitsOnly = /^\p{Nd}+$/u;
const latinLetter = /\p{Script=Latin}/u;
const thousandsGrouping = /^\d{1,3}(?:,\d{3})+$/;

// Stemming dominates the cost of English analysis, and a corpus repeats a few thousand words, so
// stems are memoised. The bound keeps a long-running worker's memory flat: the cache is dropped
// whole when full, which is cheaper than LRU bookkeeping and just as good for a Zipfian vocabulary.
const stemCacheLimit = 50_000;
const stemCache = new Map<string, string>();

function stem(word: string): string {
  let stemmed = stemCache.get(word);
  if (stemmed === undefined) {
    stemmed = stemmer(word);
    if (stemCache.size >= stemCacheLimit) stemCache.clear();
    stemCache.set(word, stemmed);
  }
  return stemmed;
}

/** Analyse a word token (letters and digits that are not Han); undefined when it is a stop word. */
function analyzeWord(raw: string): { term: string; script: TermScript } | undefined {
  const normalized = normalizeCharacters(raw);
  // Combining marks with no letter to sit on ("\u0301" alone) normalise to nothing: an empty term
  // would match every chunk that holds a stray mark (found by test/fuzz/text-analysis.fuzz.test.ts).
  if (normalized.length === 0) return undefined;
  if (digitsOnly.test(normalized)) return { term: capTermLength(normalized), script: 'number' };
  if (asciiLetters.test(normalized)) {
    if (englishStopWords.has(normalized)) return undefined;
    return { term: capTermLength(stem(normalized)), script: 'latin' };
  }
  const script: TermScript = latinLetter.test(normalized) ? 'latin' : 'other';
  return { term: capTermLength(normalized), script };
}

function analyzeNumber(raw: string): string {
  const normalized = normalizeCharacters(raw);
  return capTermLength(thousandsGrouping.test(normalized) ? normalized.replaceAll(',', '') : normalized);
}

export function analyzeText(text: string): AnalyzedTerm[] {
  const terms: AnalyzedTerm[] = [];
  let position = 0;
  for (const token of scanTokens(text)) {
    if (token.kind === 'han') {
      let offset = token.start;
      // HMM off (second argument): see the measurement in the header.
      for (const word of getJieba().cut(token.text, false)) {
        const start = offset;
        offset += word.length;
        const normalized = word.normalize('NFKC');
        if (!chineseStopWords.has(normalized)) {
          terms.push({ term: capTermLength(normalized), position, start, end: offset, script: 'han' });
        }
        position += 1;
      }
      continue;
    }
    if (token.kind === 'number') {
      terms.push({
        term: analyzeNumber(token.text),
        position,
        start: token.start,
        end: token.end,
        script: 'number',
      });
    } else {
      const analyzed = analyzeWord(token.text);
      if (analyzed !== undefined) {
        terms.push({ ...analyzed, position, start: token.start, end: token.end });
      }
    }
    position += 1;
  }
  return terms;
}

export function termFrequencies(text: string): TermFrequencies {
  const terms = new Map<string, number>();
  let length = 0;
  for (const { term } of analyzeText(text)) {
    terms.set(term, (terms.get(term) ?? 0) + 1);
    length += 1;
  }
  return { terms, length };
}
