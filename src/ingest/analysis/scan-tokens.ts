/**
 * The first pass of text analysis: find the raw tokens of a text by Unicode script, before any
 * language-specific processing. Han runs come out whole (jieba segments them later); everything else
 * is split at non-letters, so mixed text such as "使用PostgreSQL构建" yields 使用 / PostgreSQL / 构建
 * runs without a language guess. Offsets refer to the original text, so callers can highlight.
 */
export type RawTokenKind = 'han' | 'number' | 'word';

export interface RawToken {
  readonly kind: RawTokenKind;
  /** The token as written: not yet normalised. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

// Alternatives in priority order: a Han run; a decimal or grouped number ("3.14", "1,000") so its
// separator survives; then a word of letters, marks and digits that are not Han (so "PostgreSQL构建"
// splits at the script change). Full-width Latin letters and digits match the same classes as
// ASCII ones: NFKC folds them later.
const rawTokenPattern =
  /(\p{Script=Han}+)|(\p{Nd}+(?:[.,]\p{Nd}+)+(?![\p{L}\p{Nd}]))|((?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+)/gu;

export function* scanTokens(text: string): Generator<RawToken> {
  for (const match of text.matchAll(rawTokenPattern)) {
    const start = match.index;
    const value = match[0];
    const kind: RawTokenKind = match[1] !== undefined ? 'han' : match[2] !== undefined ? 'number' : 'word';
    yield { kind, text: value, start, end: start + value.length };
  }
}
