/**
 * Character-level normalisation shared by every term: NFKC folds full-width and compatibility forms
 * ("ＡＢＣ１２" → "abc12", "ﬁ" → "fi"), lower-casing makes case irrelevant, and Latin diacritics are
 * removed so a query typed without accents ("cafe") finds "café".
 */
const nonAscii = /[^\p{ASCII}]/u;
const latinOnly = /^[\p{Script=Latin}\p{M}\p{N}]+$/u;
const combiningMarks = /\p{M}+/gu;

export function normalizeCharacters(value: string): string {
  const folded = value.normalize('NFKC').toLowerCase();
  if (!nonAscii.test(folded)) return folded;
  // Only Latin: in Devanagari or Thai the marks are vowels, and removing them changes the word.
  if (!latinOnly.test(folded)) return folded;
  return folded.normalize('NFD').replace(combiningMarks, '').normalize('NFC');
}

/** Longest term kept, in UTF-16 code units: a base64 blob or a hash must not bloat the index. */
export const maxTermLength = 64;

export function capTermLength(term: string): string {
  if (term.length <= maxTermLength) return term;
  // Do not leave half of a surrogate pair at the cut.
  const cut = term.slice(0, maxTermLength);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
