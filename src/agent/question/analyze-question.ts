import type { SearchMode } from '../../core/search.js';
import { analyzeText } from '../../ingest/analysis/analyze-text.js';
import { roleQuery, type RoleQuery } from './grammatical-roles.js';

/**
 * What the agent understands of a question before it retrieves anything: its language, what kind
 * of answer it expects (a person, a date, a place, a number, yes/no, a choice between named
 * options…), the content terms that evidence must cover, whether it needs two hops, and which
 * search mode suits it. Rules, not a model: they run offline in microseconds and are the same for
 * every corpus (nothing here is fitted to a benchmark's questions).
 */
export type AnswerType = 'person' | 'date' | 'place' | 'number' | 'yesno' | 'choice' | 'entity' | 'description';

export interface QuestionAnalysis {
  readonly text: string;
  readonly language: 'en' | 'zh';
  readonly answerType: AnswerType;
  /** Analysed index terms of the question (stemmed English, jieba words), without question words. */
  readonly terms: readonly string[];
  /** For `choice`: the named options ("X or Y"); for `yesno` with "both X and Y": the two subjects. */
  readonly options: readonly string[];
  /** For `choice`: which end of a scale wins (earlier/older/larger…), when the question says so. */
  readonly preference: 'earliest' | 'latest' | 'largest' | 'smallest' | null;
  /** The question word as written ("who", "哪一年"…), used to align the question with a sentence. */
  readonly questionWord: string | null;
  /** Likely needs two hops: a nested description ("the director of the film that…", "…的…的…"). */
  readonly multiHop: boolean;
  /** The search mode `auto` picks. */
  readonly mode: SearchMode;
  /** Sub-questions for a multi-hop question (the first hop first); the question itself otherwise. */
  readonly subQuestions: readonly string[];
  /** For an English "who" question about a participant of its verb: the verb and which participant. */
  readonly role?: RoleQuery | null;
}

const han = /\p{Script=Han}/u;

const englishRules: readonly { readonly type: AnswerType; readonly pattern: RegExp }[] = [
  { type: 'number', pattern: /\bhow (many|much|long|old|tall|far|large|big|high|deep|wide|fast)\b|\bwhat (number|percentage|amount|population)\b/i },
  { type: 'date', pattern: /\bwhen\b|\b(what|which|in what|in which) (year|date|decade|century|month|day|era|period)\b/i },
  { type: 'place', pattern: /\bwhere\b|\b(what|which|in what|in which) (city|country|state|town|place|county|region|province|continent|island|location|village|river|nation)\b/i },
  { type: 'person', pattern: /\bwho(m|se)?\b|\b(what|which) (person|man|woman|actor|actress|singer|author|writer|director|player|president|king|queen|musician|artist|politician|composer|producer)\b/i },
];

const chineseRules: readonly { readonly type: AnswerType; readonly pattern: RegExp }[] = [
  { type: 'date', pattern: /何时|什么时候|哪一年|哪年|何年|哪一天|哪天|几月|几年|什么时间|哪个时期|哪个朝代|何日|哪个世纪|什么年代|哪个年代/ },
  { type: 'number', pattern: /多少|几个|几次|几位|几名|几种|几座|几部|几场|几届|几岁|多大|多长|多高|多久|多重|多远|几[^乎]/ },
  { type: 'place', pattern: /哪里|哪儿|何地|何处|在哪|什么地方|哪个国家|哪个城市|哪座城市|哪个省|哪国|哪个地区|哪座/ },
  { type: 'person', pattern: /谁|哪位|什么人|哪个人|哪一位/ },
  { type: 'entity', pattern: /什么|哪个|哪些|哪一|哪|何种|怎样|如何|为什么|为何/ },
];

const englishQuestionWord = /\b(who|whom|whose|when|where|which|what|how (?:many|much|long|old|tall|far|large|big|high))\b/i;
const chineseQuestionWord =
  /什么时候|什么地方|什么人|哪一年|哪一天|哪一位|哪一|哪年|哪天|哪里|哪儿|哪个|哪些|哪位|哪座|哪国|多少|几[个次位名种座部场届岁月年]?|何时|何地|何处|何年|何种|谁|什么|哪|多大|多长|多高|多久|为什么|为何|如何|怎样/;

const yesNoStart = /^(is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|might)\b/i;
const preferenceWords: readonly { readonly preference: NonNullable<QuestionAnalysis['preference']>; readonly pattern: RegExp }[] = [
  { preference: 'earliest', pattern: /\b(first|earlier|earliest|older|oldest|before|sooner)\b|更早|最早|先/i },
  { preference: 'latest', pattern: /\b(later|latest|last|younger|youngest|newer|newest|more recent|most recent)\b|更晚|最晚|后/i },
  { preference: 'largest', pattern: /\b(more|most|larger|largest|bigger|biggest|higher|highest|taller|tallest|longer|longest|greater)\b|更多|最多|更大|最大/i },
  { preference: 'smallest', pattern: /\b(less|least|fewer|fewest|smaller|smallest|lower|lowest|shorter|shortest)\b|更少|最少|更小|最小/i },
];

// Nested descriptions that usually hide a bridge entity: "the director of X", "the woman who…".
const englishNesting = /\b(of the|of a|who|whom|whose|which|that)\b.*\b(of|who|whose|which|that|by|in)\b/i;

/** "X or Y" at the end of a question ("…, Arthur's Magazine or First for Women?"). */
function choiceOptions(question: string): string[] {
  const body = question.replace(/[?？]\s*$/, '');
  const tail = body.includes(',') ? body.slice(body.lastIndexOf(',') + 1) : body.replace(/^.*?\b(between|among)\b/i, '');
  const parts = tail.split(/\s+or\s+|还是/);
  if (parts.length !== 2) return [];
  const clean = (part: string) =>
    part
      .replace(/^\s*(which|who|what|is|are|was|were|did|does|do|the)\b\s*/i, '')
      .replace(/^\s*(?:is|are|was|were|did|does)\s+/i, '')
      .trim();
  const options = parts.map(clean).filter((option) => option.length > 0 && option.split(/\s+/).length <= 8);
  return options.length === 2 ? options : [];
}

/** "Are both X and Y …?" / "Were X and Y both …?": the two subjects a yes/no question compares. */
function yesNoSubjects(question: string): string[] {
  const match =
    /^(?:is|are|was|were|do|does|did|have|has)\s+(?:both\s+)?(.+?)\s+and\s+(.+?)\s+(?:both|each|either|considered|from|in|of|the same|located|part|based|used|American|British|known|found)\b/i.exec(
      question,
    ) ?? /^(?:is|are|was|were|do|does|did|have|has)\s+(?:both\s+)?(.+?)\s+and\s+(.+?)\s+\w+/i.exec(question);
  if (!match) return [];
  return [match[1]!.trim(), match[2]!.trim()].filter((subject) => subject.split(/\s+/).length <= 8);
}

function detectPreference(question: string): QuestionAnalysis['preference'] {
  for (const { preference, pattern } of preferenceWords) if (pattern.test(question)) return preference;
  return null;
}

export function analyzeQuestion(question: string): QuestionAnalysis {
  const text = question.trim();
  const language: 'en' | 'zh' = han.test(text) ? 'zh' : 'en';
  const terms = [...new Set(analyzeText(text).map((term) => term.term))];
  let answerType: AnswerType = 'description';
  let options: string[] = [];
  let questionWord: string | null = null;

  if (language === 'en') {
    questionWord = englishQuestionWord.exec(text)?.[1]?.toLowerCase() ?? null;
    const choice = / or /i.test(text) ? choiceOptions(text) : [];
    if (choice.length === 2 && (/^(which|who|what)\b/i.test(text) || yesNoStart.test(text))) {
      answerType = 'choice';
      options = choice;
    } else if (yesNoStart.test(text)) {
      answerType = 'yesno';
      options = yesNoSubjects(text);
    } else {
      answerType = englishRules.find((rule) => rule.pattern.test(text))?.type ?? (questionWord ? 'entity' : 'description');
    }
  } else {
    questionWord = chineseQuestionWord.exec(text)?.[0] ?? null;
    const choice = /还是/.test(text) ? choiceOptions(text) : [];
    if (choice.length === 2) {
      answerType = 'choice';
      options = choice;
    } else if (/[吗么][？?]?$|是否/.test(text) && !questionWord) {
      answerType = 'yesno';
    } else {
      answerType = chineseRules.find((rule) => rule.pattern.test(text))?.type ?? 'description';
    }
  }

  const multiHop =
    answerType === 'choice' ||
    (answerType === 'yesno' && options.length === 2) ||
    (language === 'en' ? englishNesting.test(text) && text.split(/\s+/).length >= 9 : (text.match(/的/g) ?? []).length >= 3);
  const subQuestions = answerType === 'choice' || (answerType === 'yesno' && options.length === 2) ? options : [text];
  return {
    text,
    language,
    answerType,
    terms,
    options,
    preference: answerType === 'choice' ? detectPreference(text) : null,
    questionWord,
    multiHop,
    // Entity-centred and multi-hop questions gain from the graph walk; every list is fused in `mix`.
    mode: answerType === 'description' && !multiHop && language === 'en' && terms.length > 8 ? 'hybrid' : 'mix',
    subQuestions,
    role: language === 'en' && answerType === 'person' ? roleQuery(text) : null,
  };
}
