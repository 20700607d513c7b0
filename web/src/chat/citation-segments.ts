import type { Citation } from '../api/types.js';

export type AnswerSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'citation'; readonly index: number; readonly citation: Citation };

/**
 * Splits an answer with inline markers (`[1]`, `[2, 3]`, `[1][4]`) into text and citation
 * segments. A marker whose number no citation has stays plain text, so the UI never links to a
 * passage that does not exist.
 */
export function segmentAnswer(text: string, citations: readonly Citation[]): AnswerSegment[] {
  const byIndex = new Map(citations.map((citation) => [citation.index, citation]));
  const segments: AnswerSegment[] = [];
  const pushText = (value: string) => {
    if (value.length === 0) return;
    const last = segments[segments.length - 1];
    if (last?.kind === 'text') segments[segments.length - 1] = { kind: 'text', text: last.text + value };
    else segments.push({ kind: 'text', text: value });
  };
  const marker = /\[(\d+(?:\s*[,，]\s*\d+)*)\]/g;
  let position = 0;
  for (const match of text.matchAll(marker)) {
    const numbers = match[1]!.split(/[,，]/).map((part) => Number(part.trim()));
    const cited = numbers.map((number) => byIndex.get(number));
    pushText(text.slice(position, match.index));
    if (cited.every((citation) => citation !== undefined)) {
      for (const citation of cited)
        segments.push({ kind: 'citation', index: citation!.index, citation: citation! });
    } else {
      pushText(match[0]);
    }
    position = match.index + match[0].length;
  }
  pushText(text.slice(position));
  return segments;
}

/** Where a citation opens: its document view, scrolled to and highlighting the cited chunk. */
export function citationLink(citation: Pick<Citation, 'documentId' | 'chunkId'>): string {
  return `/documents/${encodeURIComponent(citation.documentId)}?chunk=${citation.chunkId}`;
}

/** The part of a passage to highlight: the supporting quote when it occurs in the passage, else all of it. */
export function highlightRange(passage: string, quote: string | undefined): { start: number; end: number } {
  if (quote) {
    const start = passage.indexOf(quote.trim());
    if (start >= 0) return { start, end: start + quote.trim().length };
  }
  return { start: 0, end: passage.length };
}
