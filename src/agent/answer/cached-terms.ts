import { LRUCache } from 'lru-cache';
import { analyzeText } from '../../ingest/analysis/analyze-text.js';

/**
 * Analysed terms of a sentence or title, cached by text: the same passages come back question
 * after question (several questions per document, follow-ups in a thread), and analysis — jieba
 * for Chinese — is most of the answerer's time.
 */
const analysedTerms = new LRUCache<string, readonly string[]>({
  // Bounded by the text it holds (keys and terms together), about 16 MB of strings at most.
  maxSize: 8_000_000,
  sizeCalculation: (terms, text) => text.length + terms.reduce((sum, term) => sum + term.length, 1),
});

export function termsOfText(text: string): readonly string[] {
  let terms = analysedTerms.get(text);
  if (!terms) {
    terms = analyzeText(text).map((term) => term.term);
    analysedTerms.set(text, terms);
  }
  return terms;
}
