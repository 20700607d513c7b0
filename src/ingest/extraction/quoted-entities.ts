/**
 * Titles and terms that writers mark with quotes: 《红楼梦》 (a book, film or law: a work), short
 * Chinese terms in “” or 「」 (usually a coined concept), and Title-Cased English phrases in double
 * quotes ("The Old Man and the Sea", a work). Long quotations are speech, not names, and are skipped.
 */
import type { EntityCandidate } from './extracted-entity.js';

const bookTitle = /《([^《》\n]{1,40})》/gu;
const chineseQuoted = /[“「『]([^“”「」『』\n，。！？；、]{2,12})[”」』]/gu;
const englishQuoted = /["“]([^"“”\n]{2,80})["”]/gu;
const hanCharacter = /\p{Script=Han}/u;
const minorWords = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'of',
  'in',
  'on',
  'at',
  'to',
  'for',
  'with',
  'by',
  'from',
  'but',
  'nor',
]);

function isTitleLike(phrase: string): boolean {
  const words = phrase.trim().split(/\s+/);
  if (words.length > 10) return false;
  const first = words[0] ?? '';
  if (!/^\p{Lu}/u.test(first)) return false;
  // Every word capitalised except short function words: "The Old Man and the Sea".
  return words.every((word) => /^[\p{Lu}\p{N}]/u.test(word) || minorWords.has(word.toLowerCase()));
}

export function quotedEntityCandidates(text: string): EntityCandidate[] {
  const candidates: EntityCandidate[] = [];
  const push = (match: RegExpMatchArray, type: EntityCandidate['type']): void => {
    const inner = match[1] ?? '';
    // The mention is the quoted text without its quotes.
    const start = (match.index ?? 0) + 1;
    candidates.push({ name: inner, type, start, end: start + inner.length });
  };
  for (const match of text.matchAll(bookTitle)) push(match, 'work');
  for (const match of text.matchAll(chineseQuoted)) {
    if (hanCharacter.test(match[1] ?? '')) push(match, 'concept');
  }
  for (const match of text.matchAll(englishQuoted)) {
    const inner = match[1] ?? '';
    if (!hanCharacter.test(inner) && isTitleLike(inner)) push(match, 'work');
  }
  return candidates;
}
