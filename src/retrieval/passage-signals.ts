/**
 * Offline evidence that a passage answers the question, as classic QA systems scored it before
 * neural rerankers — cheap, deterministic and explainable:
 *
 * - **answer type**: the type of answer the question asks for (who → a person, when → a date or
 *   year, how many → a number, where → a place; 谁/何时/多少/哪里 in Chinese), and whether the
 *   passage holds such a thing near the question's words (distractors on the same topic often
 *   lack it);
 * - **term proximity**, sequential-dependence style: the share of adjacent question-term pairs the
 *   passage has in order within a small window, and unordered within a wider one;
 * - **coverage**: the share of the question's distinct terms the passage contains.
 *
 * Terms come from the index's own tokenizer (`analyzeText`), so a question term matches exactly
 * what BM25 matched.
 */
import { analyzeText, type AnalyzedTerm } from '../ingest/analysis/analyze-text.js';
import { getJieba } from '../ingest/analysis/jieba-instance.js';

export type AnswerType = 'person' | 'time' | 'number' | 'place';

const englishTypes: readonly (readonly [RegExp, AnswerType])[] = [
  [/\b(who|whom|whose)\b|\bwhich (person|man|woman|actor|actress|author|writer|director|singer|player)\b/i, 'person'],
  [/\bwhen\b|\b(what|which) (year|date|day|month|century|decade)\b|\bhow long ago\b/i, 'time'],
  [/\bhow (many|much|long|old|far|tall|high|big|large|deep|wide)\b|\bwhat (number|percentage|amount)\b/i, 'number'],
  [/\bwhere\b|\b(what|which|in what) (city|country|state|town|county|province|region|place|continent|island)\b/i, 'place'],
];
const chineseTypes: readonly (readonly [RegExp, AnswerType])[] = [
  [/谁|哪位|哪个人|何人/u, 'person'],
  [/何时|什么时候|哪一?年|哪一?天|几月|何年|哪个朝代|什么时间|几点/u, 'time'],
  [/多少|几[个位次年岁名种条项座部]|多大|多长|多久|多高|多远|多重/u, 'number'],
  [/哪里|哪儿|何地|何处|哪个(国家|城市|省|地方)|哪[国省市县]/u, 'place'],
];

/** The answer type the question asks for, or null when it asks for something else (what, why…). */
export function expectedAnswerType(question: string): AnswerType | null {
  for (const [pattern, type] of [...chineseTypes, ...englishTypes]) if (pattern.test(question)) return type;
  return null;
}

const monthNames =
  'January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.';
const timePattern = new RegExp(
  `\\b(1[0-9]{3}|20[0-9]{2})s?\\b|\\b(${monthNames})\\b|\\d{1,4}\\s*[年月日]|[〇零一二三四五六七八九十百千两]+[年月日]|世纪|年代|朝`,
  'gu',
);
const numberPattern = /\d[\d,.]*|[〇零一二三四五六七八九十百千万亿两]{1,}(?=[个位次年岁名种条项座部米里公斤吨元人%％倍])/gu;
const englishName = /\b\p{Lu}[\p{Ll}'’.-]+(?:\s+(?:de |van |von |da |del )?\p{Lu}[\p{Ll}'’.-]+)+/gu;
const englishPlace = /\b(?:in|at|from|near|of)\s+(\p{Lu}[\p{Ll}.-]+(?:\s+\p{Lu}[\p{Ll}.-]+)*)/gu;

interface Span {
  readonly start: number;
  readonly end: number;
}

function matches(pattern: RegExp, text: string, group = 0): Span[] {
  return [...text.matchAll(pattern)].flatMap((match) => {
    const value = match[group];
    if (match.index === undefined || value === undefined) return [];
    const start = match.index + match[0].indexOf(value);
    return [{ start, end: start + value.length }];
  });
}

/** Spans of the passage that could be an answer of the type: dates, numbers, names, places. */
export function answerCandidates(text: string, type: AnswerType): Span[] {
  switch (type) {
    case 'time':
      return matches(timePattern, text);
    case 'number':
      return matches(numberPattern, text);
    case 'person':
    case 'place': {
      // A name's pattern allows the dots of initials ("J. R. Tolkien"); a sentence's full stop is not part of it.
      const spans = (type === 'person' ? matches(englishName, text) : matches(englishPlace, text, 1)).map((span) =>
        text[span.end - 1] === '.' ? { start: span.start, end: span.end - 1 } : span,
      );
      if (/\p{Script=Han}/u.test(text)) {
        // jieba's part-of-speech tags: nr person names, ns place names.
        const wanted = type === 'person' ? 'nr' : 'ns';
        let offset = 0;
        for (const { word, tag } of getJieba().tag(text, true)) {
          const start = text.startsWith(word, offset) ? offset : Math.max(text.indexOf(word, offset), offset);
          offset = start + word.length;
          if (tag === wanted && word.length >= 2) spans.push({ start, end: offset });
        }
      }
      return spans;
    }
  }
}

export interface PassageSignals {
  /** Share of the question's distinct terms found in the passage. */
  readonly coverage: number;
  /** Share of adjacent question-term pairs found in order within `orderedWindow` positions. */
  readonly orderedProximity: number;
  /** Share of adjacent question-term pairs found in any order within `unorderedWindow` positions. */
  readonly unorderedProximity: number;
  /** The expected answer type, and whether a candidate of it lies near a question term (1) or not (0). */
  readonly answerType: AnswerType | null;
  readonly answerNearby: number;
}

/** Positions apart for an ordered pair ("#1"–"#2" windows; stop words take positions too). */
const orderedWindow = 3;
/** Positions apart for an unordered pair (the sequential-dependence model's #uw8). */
const unorderedWindow = 8;
/** Characters between an answer candidate and a question term for it to count as near. */
const nearbyCharacters = 60;

export function passageSignals(question: string, passage: string, answerType = expectedAnswerType(question)): PassageSignals {
  const questionTerms = analyzeText(question);
  const distinct = [...new Set(questionTerms.map((term) => term.term))];
  const passageTerms = analyzeText(passage);
  const positions = new Map<string, AnalyzedTerm[]>();
  for (const term of passageTerms) {
    const list = positions.get(term.term) ?? [];
    list.push(term);
    positions.set(term.term, list);
  }
  const coverage = distinct.length === 0 ? 0 : distinct.filter((term) => positions.has(term)).length / distinct.length;

  let pairs = 0;
  let ordered = 0;
  let unordered = 0;
  for (let index = 0; index + 1 < questionTerms.length; index += 1) {
    const left = questionTerms[index]!.term;
    const right = questionTerms[index + 1]!.term;
    if (left === right) continue;
    pairs += 1;
    const lefts = positions.get(left) ?? [];
    const rights = positions.get(right) ?? [];
    if (lefts.some((a) => rights.some((b) => b.position > a.position && b.position - a.position <= orderedWindow))) ordered += 1;
    if (lefts.some((a) => rights.some((b) => Math.abs(b.position - a.position) <= unorderedWindow))) unordered += 1;
  }

  let answerNearby = 0;
  if (answerType) {
    const matched = distinct.flatMap((term) => positions.get(term) ?? []);
    // A candidate that is itself a question word ("Zephyr Nights" in "who directed Zephyr Nights")
    // is not an answer.
    const candidates = answerCandidates(passage, answerType).filter(
      (span) => !matched.some((term) => term.start < span.end && span.start < term.end),
    );
    answerNearby = candidates.some((span) =>
      matched.some((term) => Math.min(Math.abs(span.start - term.end), Math.abs(term.start - span.end)) <= nearbyCharacters),
    )
      ? 1
      : 0;
  }
  return {
    coverage,
    orderedProximity: pairs === 0 ? 0 : ordered / pairs,
    unorderedProximity: pairs === 0 ? 0 : unordered / pairs,
    answerType,
    answerNearby,
  };
}

/**
 * One number from the signals, in [0, 1]: each signal counts equally (no weights fitted to any
 * set); answer type counts only when the question asks for one.
 */
export function passageEvidence(signals: PassageSignals): number {
  const parts = [signals.coverage, signals.orderedProximity, signals.unorderedProximity];
  if (signals.answerType) parts.push(signals.answerNearby);
  return parts.reduce((sum, value) => sum + value, 0) / parts.length;
}
