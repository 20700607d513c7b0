/**
 * Sentence boundaries for English and Chinese, as ranges into the given text (whitespace between
 * sentences belongs to none). Unicode's sentence rules (ICU, through `Intl.Segmenter`) already end
 * sentences at `. ! ?`, at Chinese `。！？` and at line breaks; two corrections make them fit
 * chunking better:
 * - Chinese `；` also ends a piece: it separates independent clauses that are often as long as
 *   sentences, and long Chinese paragraphs otherwise leave no place to split.
 * - ICU breaks after every "Dr." or "J." followed by a capital; a break after a known abbreviation
 *   or a single initial is undone, so "Dr. Smith" and "J. K. Rowling" stay whole.
 */
import type { TextRange } from './render-plain-text.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

const abbreviationEnd =
  /(?:^|[\s(])(?:mr|mrs|ms|dr|prof|sr|jr|st|vs|e\.g|i\.e|cf|no|fig|figs|eq|inc|ltd|co|corp|gen|gov|sen|rep|mt|approx|dept|est|jan|feb|mar|apr|aug|sept|sep|oct|nov|dec)\.$/i;
const initialEnd = /(?:^|[\s.(])\p{Lu}\.$/u;
const chineseClauseEnd = /；/g;

function endsWithAbbreviation(sentence: string): boolean {
  const trimmed = sentence.trimEnd();
  return abbreviationEnd.test(trimmed) || initialEnd.test(trimmed);
}

export function splitSentences(text: string): TextRange[] {
  const raw: TextRange[] = [];
  for (const { segment, index } of segmenter.segment(text)) {
    let start = index;
    for (const match of segment.matchAll(chineseClauseEnd)) {
      const end = index + match.index + match[0].length;
      raw.push({ start, end });
      start = end;
    }
    if (start < index + segment.length) raw.push({ start, end: index + segment.length });
  }
  const sentences: TextRange[] = [];
  let pending: TextRange | undefined;
  for (const range of raw) {
    const merged: TextRange = pending === undefined ? range : { start: pending.start, end: range.end };
    const piece = text.slice(merged.start, merged.end);
    // A break inside a line after an abbreviation is ICU's mistake; a break at a newline is not.
    if (endsWithAbbreviation(piece) && !piece.endsWith('\n')) {
      pending = merged;
      continue;
    }
    pending = undefined;
    pushTrimmed(text, merged, sentences);
  }
  if (pending !== undefined) pushTrimmed(text, pending, sentences);
  return sentences;
}

function pushTrimmed(text: string, range: TextRange, into: TextRange[]): void {
  let { start, end } = range;
  while (start < end && isWhitespace(text.charCodeAt(start))) start += 1;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end -= 1;
  if (end > start) into.push({ start, end });
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x3000 || code === 0xa0;
}
