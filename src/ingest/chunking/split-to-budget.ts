/**
 * The last resort for a single sentence or code line longer than a whole chunk (minified JSON, OCR
 * output without punctuation, a Chinese run-on sentence): cut it into pieces that fit, preferring
 * clause punctuation, then whitespace, and cutting between characters only when a single "word" is
 * itself over budget. Embedding models truncate silently, so an oversized chunk would lose text.
 */
import { countTokens } from '../analysis/count-tokens.js';
import type { TextRange } from './render-plain-text.js';

// Each level splits a range into consecutive pieces that cover it; a piece still over budget is
// handed to the next level.
const clausePattern = /[^,;:，、；：]+[,;:，、；：]*\s*|[,;:，、；：]+\s*/gu;
const wordPattern = /\S+\s*|\s+/gu;

function piecesOf(text: string, range: TextRange, pattern: RegExp): TextRange[] {
  const pieces: TextRange[] = [];
  for (const match of text.slice(range.start, range.end).matchAll(pattern)) {
    pieces.push({ start: range.start + match.index, end: range.start + match.index + match[0].length });
  }
  return pieces;
}

/** The longest prefix of `range` within budget (at least one character, never half a surrogate pair). */
function longestPrefix(text: string, range: TextRange, maxTokens: number): number {
  let low = range.start + 1;
  let high = range.end;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (countTokens(text.slice(range.start, middle)) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  const code = text.charCodeAt(low - 1);
  if (code >= 0xd800 && code <= 0xdbff && low < range.end) low += 1;
  return low;
}

function splitCharacters(text: string, range: TextRange, maxTokens: number): TextRange[] {
  const pieces: TextRange[] = [];
  let start = range.start;
  while (start < range.end) {
    const end = longestPrefix(text, { start, end: range.end }, maxTokens);
    pieces.push({ start, end });
    start = end;
  }
  return pieces;
}

function split(text: string, range: TextRange, maxTokens: number, level: number): TextRange[] {
  if (countTokens(text.slice(range.start, range.end)) <= maxTokens) return [range];
  if (level === 2) return splitCharacters(text, range, maxTokens);
  const pieces = piecesOf(text, range, level === 0 ? clausePattern : wordPattern);
  const fitted = pieces.flatMap((piece) => split(text, piece, maxTokens, level + 1));
  // Greedily re-join neighbouring pieces while they fit, so a split yields as few pieces as needed.
  const joined: TextRange[] = [];
  let current: TextRange | undefined;
  for (const piece of fitted) {
    if (current !== undefined && countTokens(text.slice(current.start, piece.end)) <= maxTokens) {
      current = { start: current.start, end: piece.end };
    } else {
      if (current !== undefined) joined.push(current);
      current = piece;
    }
  }
  if (current !== undefined) joined.push(current);
  return joined;
}

/** Splits `range` of `text` into consecutive ranges of at most `maxTokens` each, trimmed of whitespace. */
export function splitToBudget(text: string, range: TextRange, maxTokens: number): TextRange[] {
  return split(text, range, maxTokens, 0)
    .map((piece) => trimRange(text, piece))
    .filter((piece) => piece.end > piece.start);
}

function trimRange(text: string, range: TextRange): TextRange {
  let { start, end } = range;
  while (start < end && /\s/.test(text[start] ?? '')) start += 1;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end -= 1;
  return { start, end };
}
