import type { AnswerType, QuestionAnalysis } from '../question/analyze-question.js';

/**
 * Candidate answer spans inside one sentence, by the kind of answer the question expects: dates,
 * numbers, capitalised names (English), and — for any language — the span a question word stands
 * for when the question is aligned with the sentence ("X 是由哪两个公司开发的" against
 * "X 是由光荣和ω-force开发的" leaves "光荣和ω-force").
 */
export interface AnswerSpan {
  readonly text: string;
  /** Offset in the sentence. */
  readonly start: number;
  /** How the span was found; role and alignment spans are the most specific. */
  readonly source: 'role' | 'alignment' | 'date' | 'number' | 'name';
}

const month =
  '(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sep\\.?|Sept\\.?|Oct\\.?|Nov\\.?|Dec\\.?)';
const englishDate = new RegExp(
  `\\b(?:${month}\\s+\\d{1,2},?\\s+\\d{3,4}|\\d{1,2}\\s+${month},?\\s+\\d{3,4}|${month}\\s+\\d{3,4}|\\d{1,2}(?:st|nd|rd|th)\\s+century|(?:1[0-9]|20)\\d{2}s?)\\b`,
  'g',
);
const chineseDate =
  /(?:公元前?)?[0-9０-９]{1,4}年(?:[0-9０-９]{1,2}月)?(?:[0-9０-９]{1,2}日)?|[0-9０-９]{1,2}月[0-9０-９]{1,2}日|[一二三四五六七八九〇零]{4}年(?:[一二三四五六七八九十]{1,2}月)?|[0-9０-９一二三四五六七八九十]{1,3}世纪(?:[0-9０-９]{2}年代)?|[0-9０-９]{2,4}年代|[东西南北]?[汉唐宋元明清秦晋隋周商夏][代朝]/g;
const numberWords =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen';
const englishNumber = new RegExp(
  `(?:\\$|€|£)?\\b(?:\\d[\\d,]*(?:\\.\\d+)?|(?:${numberWords})(?:[- ](?:${numberWords}))*)\\b(?:\\s*(?:%|percent|million|billion|thousand|hundred))?(?:\\s+[a-z]+)?`,
  'gi',
);
const chineseNumber =
  /[0-9０-９][0-9０-９,.，．]*(?:\s*(?:万|亿|千|百|多|余))*\s*[^\s0-9０-９，。、；：,.;:（）()“”"《》]{0,2}|[一二三四五六七八九十百千万亿两]+(?:多|余)?[个位名种座部场届岁次人年件条家所项支首本册集期层米公里吨元]/g;
// A name starts with a capital letter; numbers may follow inside it ("Apollo 11"), never lead it.
const capitalisedName =
  /(?:\b[A-Z\u00C0-\u00DE][\p{L}\p{N}'’.&-]*)(?:\s+(?:(?:of|the|de|da|del|della|di|von|van|der|la|le|du|&|y|for|on)\s+)*(?:[A-Z\u00C0-\u00DE][\p{L}\p{N}'’.&-]*|\d+))*/gu;
const sentenceOpeners = new Set([
  'The', 'A', 'An', 'In', 'On', 'At', 'He', 'She', 'It', 'They', 'His', 'Her', 'Its', 'Their', 'This', 'That', 'These',
  'Those', 'There', 'After', 'Before', 'During', 'When', 'While', 'As', 'From', 'By', 'With', 'For', 'Of', 'Since',
  'Although', 'However', 'Following', 'Today', 'Born', 'Also', 'Both', 'Some', 'Many', 'Most', 'One', 'Two', 'I',
  'We', 'You', 'If', 'But', 'And', 'Or', 'Then', 'Later', 'Despite', 'Under', 'Between', 'Among', 'Each', 'Other',
]);
const punctuation = /[，。、；：,.;:！？!?（）()“”"《》「」]/;

function matchesOf(pattern: RegExp, sentence: string, source: AnswerSpan['source']): AnswerSpan[] {
  return [...sentence.matchAll(pattern)].map((match) => ({ text: match[0].trim(), start: match.index, source }));
}

function names(sentence: string): AnswerSpan[] {
  return [...sentence.matchAll(capitalisedName)].flatMap((match) => {
    let text = match[0];
    let start = match.index;
    const words = text.split(/\s+/);
    // A capitalised sentence opener is not part of the name after it ("In Paris" → "Paris").
    while (words.length > 1 && sentenceOpeners.has(words[0]!)) {
      const dropped = words.shift()!;
      start += dropped.length + 1;
      text = words.join(' ');
    }
    if (words.length === 1 && sentenceOpeners.has(words[0]!)) return [];
    text = text.replace(/[.'’,]+$/, '');
    return text.length > 1 ? [{ text, start, source: 'name' as const }] : [];
  });
}

/** Longest suffix of `left` (at least `minimum` characters) that occurs in `sentence`; returns where it ends. */
function alignLeft(left: string, sentence: string, minimum: number): number {
  for (let length = Math.min(left.length, 12); length >= minimum; length -= 1) {
    const piece = left.slice(left.length - length);
    if (piece.trim().length < minimum) continue;
    const at = sentence.indexOf(piece);
    if (at >= 0) return at + piece.length;
  }
  return -1;
}

/** Longest prefix of `right` that occurs in `sentence` at or after `from`; returns where it starts. */
function alignRight(right: string, sentence: string, from: number, minimum: number): number {
  for (let length = Math.min(right.length, 12); length >= minimum; length -= 1) {
    const piece = right.slice(0, length);
    if (piece.trim().length < minimum) continue;
    const at = sentence.indexOf(piece, Math.max(0, from));
    if (at >= 0) return at;
  }
  return -1;
}

/**
 * The span a question word stands for, found by aligning the words around it with the sentence.
 * Works best for Chinese, where the answer sentence usually repeats the question's wording.
 */
export function alignedSpan(question: QuestionAnalysis, sentence: string): AnswerSpan | null {
  const word = question.questionWord;
  if (!word) return null;
  const text = question.text.replace(/[?？。!！\s]+$/u, '');
  const at = text.indexOf(word);
  if (at < 0) return null;
  const minimum = question.language === 'zh' ? 2 : 4;
  const left = text.slice(0, at).replace(/^(请问|问|what is|what was)/i, '');
  const right = text.slice(at + word.length).replace(/^(是|为|of|is|was|are|were)\s*/i, '');
  const leftEnd = left.length >= minimum ? alignLeft(left, sentence, minimum) : -1;
  const rightStart = right.length >= 1 ? alignRight(right, sentence, leftEnd < 0 ? 0 : leftEnd, Math.min(minimum, right.length)) : -1;
  let start = -1;
  let end = -1;
  if (leftEnd >= 0 && rightStart > leftEnd) {
    start = leftEnd;
    end = rightStart;
  } else if (leftEnd >= 0) {
    start = leftEnd;
    end = start;
    while (end < sentence.length && !punctuation.test(sentence[end]!) && end - start < 24) end += 1;
  } else if (rightStart > 0) {
    end = rightStart;
    start = end;
    while (start > 0 && !punctuation.test(sentence[start - 1]!) && end - start < 24) start -= 1;
  }
  if (start < 0 || end <= start) return null;
  const raw = sentence.slice(start, end);
  const span = raw.replace(/^[\s,，、:：是为的了在于被由]+|[\s,，、:：的了是]+$/gu, '');
  if (span.length === 0 || span.length > 40) return null;
  return { text: span, start: start + raw.indexOf(span), source: 'alignment' };
}

/** Candidate spans of the expected type, in sentence order. */
export function typedCandidates(type: AnswerType, language: 'en' | 'zh', sentence: string): AnswerSpan[] {
  if (language === 'zh') {
    if (type === 'date') return matchesOf(chineseDate, sentence, 'date');
    if (type === 'number') return matchesOf(chineseNumber, sentence, 'number');
    return names(sentence);
  }
  if (type === 'date') return matchesOf(englishDate, sentence, 'date');
  if (type === 'number') {
    return matchesOf(englishNumber, sentence, 'number').filter((span) => !/^(?:1[0-9]|20)\d{2}$/.test(span.text));
  }
  if (type === 'person' || type === 'place' || type === 'entity' || type === 'choice') return names(sentence);
  return [];
}
