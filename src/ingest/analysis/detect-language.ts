/**
 * A cheap language guess from script ratios, good enough to pick a chunk's sentence rules or a
 * query's analysis path; not a language identifier (it cannot tell French from English, nor Chinese
 * from Japanese kanji-only text).
 *
 * The unit is a Han character or a non-Han word: one Chinese character carries about as much as one
 * English word, so "我们使用PostgreSQL数据库" (9 Han, 1 Latin word) is Chinese, while
 * "使用PostgreSQL构建知识图谱 with graphs" (8 Han, 3 Latin words) is mixed.
 */
export type DetectedLanguage = 'zh' | 'en' | 'mixed' | 'other';

const unitPattern = /(\p{Script=Han})|((?:(?!\p{Script=Han})[\p{L}\p{M}])+)/gu;
const latinPattern = /\p{Script=Latin}/u;

/** A language's share of units above which the text counts as that language alone. */
const dominantShare = 0.8;
/** Longest prefix examined: the ratios settle long before, and detection must stay cheap. */
const maxCharactersExamined = 20_000;

export function detectLanguage(text: string): DetectedLanguage {
  const sample = text.length > maxCharactersExamined ? text.slice(0, maxCharactersExamined) : text;
  let han = 0;
  let latin = 0;
  let other = 0;
  for (const match of sample.matchAll(unitPattern)) {
    if (match[1] !== undefined) han += 1;
    else if (latinPattern.test(match[0])) latin += 1;
    else other += 1;
  }
  const total = han + latin + other;
  if (total === 0) return 'other';
  if (han / total >= dominantShare) return 'zh';
  if (latin / total >= dominantShare) return 'en';
  if (han > 0 && latin > 0 && (han + latin) / total >= 0.5) return 'mixed';
  if (han > latin && han > other) return 'zh';
  if (latin > han && latin > other) return 'en';
  return 'other';
}
