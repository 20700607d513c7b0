import { analyzeText } from '../../ingest/analysis/analyze-text.js';

/**
 * Whether a passage supports a claim, offline: the share of the claim's content terms (stemmed
 * English words, Chinese words, numbers) that the passage contains. Numbers must all be there —
 * a passage that says 1998 does not support a sentence that says 1989.
 */
export function supportScore(claim: string, passage: string): number {
  const claimTerms = [...new Set(analyzeText(stripCitations(claim)).map((term) => term))];
  if (claimTerms.length === 0) return 1;
  const passageTerms = new Set(analyzeText(passage).map((term) => term.term));
  const numbersMissing = claimTerms.some((term) => term.script === 'number' && !passageTerms.has(term.term));
  if (numbersMissing) return 0;
  const distinct = new Set(claimTerms.map((term) => term.term));
  let covered = 0;
  for (const term of distinct) if (passageTerms.has(term)) covered += 1;
  return covered / distinct.size;
}

export const supportThreshold = 0.5;

export function supports(claim: string, passage: string): boolean {
  return supportScore(claim, passage) >= supportThreshold;
}

export function stripCitations(text: string): string {
  return text.replace(/\s*\[\d+\]/g, '');
}
