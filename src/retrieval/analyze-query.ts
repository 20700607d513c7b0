import { analyzeText } from '../ingest/analysis/analyze-text.js';

export interface QueryTerm {
  /** The index term, exactly as ingestion stores it. */
  readonly term: string;
  /** How often it occurs in the query (BM25's query term frequency). */
  readonly frequency: number;
  /** The words of the query it came from, for explanations ("runs" → run). */
  readonly surfaces: readonly string[];
}

/**
 * Query analysis with the very tokenizer ingestion uses (analyzeText), so a query term can only
 * be what the index could have stored.
 */
export function analyzeQuery(query: string): QueryTerm[] {
  const byTerm = new Map<string, { frequency: number; surfaces: Set<string> }>();
  for (const token of analyzeText(query)) {
    const entry = byTerm.get(token.term) ?? { frequency: 0, surfaces: new Set<string>() };
    entry.frequency += 1;
    entry.surfaces.add(query.slice(token.start, token.end));
    byTerm.set(token.term, entry);
  }
  return [...byTerm.entries()].map(([term, entry]) => ({
    term,
    frequency: entry.frequency,
    surfaces: [...entry.surfaces],
  }));
}
