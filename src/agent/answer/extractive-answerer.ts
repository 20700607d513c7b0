import { analyzeText } from '../../ingest/analysis/analyze-text.js';
import { splitSentences } from '../../ingest/chunking/split-sentences.js';
import { termsOfText } from './cached-terms.js';
import type { QuestionAnalysis } from '../question/analyze-question.js';
import { roleSpan } from '../question/grammatical-roles.js';
import type { Passage } from '../tools/agent-tools.js';
import { alignedSpan, typedCandidates, type AnswerSpan } from './answer-candidates.js';

/**
 * The offline answerer: extractive, question-type aware, two-hop aware. No network, no weights.
 *
 * 1. Every sentence of every evidence passage is scored by the share of the question's weight
 *    (IDF of its terms in the tenant's corpus) that it covers together with its passage's title —
 *    and, for a passage linked to another one (one names the other's title: the bridge of a
 *    two-hop question), together with that linked passage. So the sentence that holds the answer
 *    wins even when the first half of the question is answered by a different passage.
 * 2. A sentence holding a span of the expected kind (a date for "when", a number for "how many"…)
 *    gains; the span closest to the question's terms in it becomes the short answer.
 * 3. Choice ("A or B?") and two-subject yes/no questions compare the two subjects' passages.
 * 4. Below a coverage floor the answer is "not in the documents" — said plainly, never guessed.
 */
export interface AnswerEvidence {
  /** Index into the passages given. */
  readonly passage: number;
  readonly sentence: string;
}

export interface AnswerDraft {
  readonly notFound: boolean;
  /** The short answer (a span, yes/no, an option, or the sentence when no span is found). */
  readonly shortAnswer: string;
  /** The sentences the answer rests on, each with its passage, in citation order. */
  readonly evidence: readonly AnswerEvidence[];
  /** Question weight covered by the evidence, 0–1. */
  readonly coverage: number;
}

export interface ExtractiveAnswerOptions {
  /** Term → inverse document frequency in the tenant's corpus; unknown terms weigh `defaultWeight`. */
  readonly termWeights: ReadonlyMap<string, number>;
  readonly defaultWeight?: number;
  /** Below this share of the question's weight the documents are taken not to answer it. */
  readonly coverageFloor?: number;
}

interface SentenceView {
  readonly passage: number;
  readonly text: string;
  /** The question's terms this sentence covers. */
  readonly terms: ReadonlySet<string>;
}

interface PassageView {
  readonly passage: Passage;
  readonly titleKey: string;
  readonly titleTerms: ReadonlySet<string>;
  readonly terms: ReadonlySet<string>;
  readonly lowerText: string;
  readonly sentences: readonly SentenceView[];
}

const defaultCoverageFloor = 0.4;
/**
 * What finding a span of the expected kind adds to a sentence's score: the participant of the
 * question's verb in the asked role is the surest sign, an aligned span next, a typed one last.
 */
const spanBonus: Record<AnswerSpan['source'], number> = { role: 0.25, alignment: 0.2, date: 0.15, number: 0.15, name: 0.15 };
const maxSpanBonus = Math.max(...Object.values(spanBonus));

/** "Kiss and Tell (1945 film)" → "kiss and tell": the name a passage is about. */
export function titleKey(title: string): string {
  return title
    .replace(/\s*\([^)]*\)\s*$/, '')
    .normalize('NFKC')
    .toLowerCase()
    .trim();
}

function analyzedTerms(text: string): Set<string> {
  return new Set(analyzeText(text).map((term) => term.term));
}

/**
 * The question's terms that a text covers. A term also counts when one form is a prefix of the
 * other and the shorter has at least four characters (two for Chinese words): the stemmer keeps
 * "founder" and "founded" → "found" apart, and jieba may cut 中国北部 where the question has 中国.
 */
function questionTermMatcher(questionTerms: readonly string[]): (text: string) => Set<string> {
  const exact = new Set(questionTerms);
  const minimumPrefix = (term: string) => (/\p{Script=Han}/u.test(term) ? 2 : 4);
  return (text: string) => {
    const covered = new Set<string>();
    for (const term of termsOfText(text)) {
      if (exact.has(term)) {
        covered.add(term);
        continue;
      }
      for (const wanted of questionTerms) {
        if (covered.has(wanted)) continue;
        const [shorter, longer] = wanted.length <= term.length ? [wanted, term] : [term, wanted];
        if (shorter.length >= minimumPrefix(shorter) && longer.startsWith(shorter)) covered.add(wanted);
      }
    }
    return covered;
  };
}

function viewPassages(passages: readonly Passage[], termsOf: (text: string) => Set<string>): PassageView[] {
  return passages.map((passage, index) => {
    const title = passage.documentTitle;
    // The chunk text of a titled document may start with the title itself: not a sentence of evidence.
    const body = passage.text.startsWith(title) ? passage.text.slice(title.length) : passage.text;
    const sentences = splitSentences(body)
      .map((range) => body.slice(range.start, range.end).replace(/^#+\s*/, '').trim())
      .filter((text) => text.length > 1)
      .map((text) => ({ passage: index, text, terms: termsOf(text) }));
    const terms = new Set<string>();
    for (const sentence of sentences) for (const term of sentence.terms) terms.add(term);
    const titleTerms = termsOf(title);
    for (const term of titleTerms) terms.add(term);
    return { passage, titleKey: titleKey(title), titleTerms, terms, lowerText: body.normalize('NFKC').toLowerCase(), sentences };
  });
}

/**
 * Whether `bridge` names the subject (the title) of `answer`: the direction a two-hop answer
 * follows. The question's description identifies an entity through the bridge passage ("the
 * founder of the Radium Institute" → the passage naming Marie Curie); the answer is in the
 * passage about that entity. The reverse direction would let the bridge answer for itself.
 */
function names(bridge: PassageView, answer: PassageView): boolean {
  if (bridge.passage.documentId === answer.passage.documentId) return false;
  return answer.titleKey.length >= 3 && bridge.lowerText.includes(answer.titleKey);
}

function normalizeForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

export class ExtractiveAnswerer {
  private readonly defaultWeight: number;
  private readonly coverageFloor: number;

  constructor(private readonly options: ExtractiveAnswerOptions) {
    this.defaultWeight = options.defaultWeight ?? Math.max(1, ...options.termWeights.values());
    this.coverageFloor = options.coverageFloor ?? defaultCoverageFloor;
  }

  answer(question: QuestionAnalysis, passages: readonly Passage[]): AnswerDraft {
    const views = viewPassages(passages, questionTermMatcher(question.terms));
    if (views.length === 0 || question.terms.length === 0) return this.notFound();
    if (question.answerType === 'choice' && question.options.length === 2) {
      const choice = this.choose(question, views);
      if (choice) return choice;
    }
    if (question.answerType === 'yesno' && question.options.length === 2) {
      const both = this.yesNoForTwo(question, views);
      if (both) return both;
    }
    return this.extract(question, views);
  }

  private weight(term: string): number {
    return this.options.termWeights.get(term) ?? this.defaultWeight;
  }

  private coverage(question: QuestionAnalysis, ...sets: ReadonlySet<string>[]): number {
    let total = 0;
    let covered = 0;
    for (const term of question.terms) {
      const weight = this.weight(term);
      total += weight;
      if (sets.some((set) => set.has(term))) covered += weight;
    }
    return total === 0 ? 0 : covered / total;
  }

  private notFound(coverage = 0): AnswerDraft {
    return { notFound: true, shortAnswer: '', evidence: [], coverage };
  }

  private extract(question: QuestionAnalysis, views: readonly PassageView[]): AnswerDraft {
    const questionText = normalizeForMatch(question.text);
    // First pass: coverage of every sentence (cheap: term sets). Spans are looked for only in the
    // sentences that could still win with the largest span bonus — tagging every sentence of
    // every passage would cost more than the rest of the answer.
    const scored: { base: number; coverage: number; sentence: SentenceView; bridge: number | null }[] = [];
    for (const [index, view] of views.entries()) {
      const partners = views.flatMap((other, otherIndex) => (otherIndex !== index && names(other, view) ? [otherIndex] : []));
      // Retrieval's own order is a weak prior: a tie goes to the passage ranked higher.
      const prior = 0.05 / (1 + index);
      for (const sentence of view.sentences) {
        const own = this.coverage(question, sentence.terms, view.titleTerms);
        const sentenceOnly = this.coverage(question, sentence.terms);
        let joint = own;
        let bridge: number | null = null;
        for (const partner of partners) {
          const together = this.coverage(question, sentence.terms, view.titleTerms, views[partner]!.terms);
          if (together > joint + 0.05) {
            joint = together;
            bridge = partner;
          }
        }
        scored.push({ base: joint + 0.5 * sentenceOnly + prior, coverage: joint, sentence, bridge });
      }
    }
    const topBase = Math.max(...scored.map((item) => item.base));
    let best: { score: number; coverage: number; sentence: SentenceView; bridge: number | null; span: AnswerSpan | null } | undefined;
    for (const item of scored) {
      if (item.base + maxSpanBonus < topBase) continue;
      const span = this.bestSpan(question, item.sentence, views[item.sentence.passage]!, questionText);
      const score = item.base + (span ? spanBonus[span.source] : 0);
      if (!best || score > best.score) best = { score, coverage: item.coverage, sentence: item.sentence, bridge: item.bridge, span };
    }
    if (!best || best.coverage < this.coverageFloor) return this.notFound(best?.coverage ?? 0);
    const evidence: AnswerEvidence[] = [];
    if (best.bridge !== null) {
      const bridgeView = views[best.bridge]!;
      const bridgeSentence = this.bestSentence(question, bridgeView, views[best.sentence.passage]!.titleKey);
      if (bridgeSentence) evidence.push({ passage: best.bridge, sentence: bridgeSentence.text });
    }
    if (best.bridge === null) {
      const complement = this.complement(question, views, best.sentence.passage);
      if (complement) evidence.push(complement);
    }
    evidence.push({ passage: best.sentence.passage, sentence: best.sentence.text });
    const shortAnswer = this.shortAnswer(question, best.sentence, best.span, views[best.sentence.passage]!, questionText);
    // The span found may itself be the subject of another evidence passage (the album's passage
    // names its singer; the singer's passage says where he is from): that passage is the next hop
    // and part of the evidence.
    const answerKey = titleKey(shortAnswer);
    const next = views.findIndex((view, index) => index !== best.sentence.passage && answerKey.length >= 3 && view.titleKey === answerKey);
    if (next >= 0 && !evidence.some((item) => item.passage === next)) {
      const sentence = this.bestSentence(question, views[next]!);
      if (sentence) evidence.splice(evidence.length - 1, 0, { passage: next, sentence: sentence.text });
    }
    return { notFound: false, shortAnswer, evidence, coverage: best.coverage };
  }

  /**
   * For a multi-hop question answered without a linked bridge passage: the other passage that
   * covers most of what the answer's passage leaves uncovered (greedy set cover of the question's
   * weight), with its best sentence — the evidence for the other half of the question.
   */
  private complement(question: QuestionAnalysis, views: readonly PassageView[], answerIndex: number): AnswerEvidence | null {
    const answerView = views[answerIndex]!;
    const missing: QuestionAnalysis = { ...question, terms: question.terms.filter((term) => !answerView.terms.has(term)) };
    if (missing.terms.length === 0) return null;
    let best: { index: number; gain: number } | undefined;
    for (const [index, view] of views.entries()) {
      if (index === answerIndex || view.passage.documentId === answerView.passage.documentId) continue;
      const gain = this.coverage(missing, view.terms) * (1 - 0.02 * index);
      if (!best || gain > best.gain) best = { index, gain };
    }
    if (!best || best.gain < (question.multiHop ? 0.2 : 0.3)) return null;
    const sentence = this.bestSentence(missing, views[best.index]!);
    return sentence ? { passage: best.index, sentence: sentence.text } : null;
  }

  private shortAnswer(
    question: QuestionAnalysis,
    sentence: SentenceView,
    span: AnswerSpan | null,
    view: PassageView,
    questionText: string,
  ): string {
    if (question.answerType === 'yesno') {
      return this.coverage(question, sentence.terms, view.titleTerms) >= 0.75 ? 'Yes' : 'No';
    }
    if (span) return span.text;
    // "Who…" answered by a sentence about "he"/"she": the passage's subject is the answer.
    const title = view.passage.documentTitle.replace(/\s*\([^)]*\)\s*$/, '');
    if (
      (question.answerType === 'person' || question.answerType === 'entity' || question.answerType === 'place') &&
      title.length > 0 &&
      !questionText.includes(normalizeForMatch(title))
    ) {
      return title;
    }
    return sentence.text;
  }

  /** The span of the expected kind nearest to the question's terms in the sentence, not already in the question. */
  private bestSpan(question: QuestionAnalysis, sentence: SentenceView, view: PassageView, questionText: string): AnswerSpan | null {
    const fresh = (span: AnswerSpan) => {
      const key = normalizeForMatch(span.text);
      return key.length > 0 && !questionText.includes(key) && key !== view.titleKey;
    };
    if (question.role) {
      // The participant the question asks for may well be the passage's own subject ("Ada
      // Lovelace wrote…" in the passage about her): only the question's own words are excluded.
      const role = roleSpan(question.role, sentence.text);
      const text = role?.pronoun ? view.passage.documentTitle.replace(/\s*\([^)]*\)\s*$/, '') : role?.text;
      if (role && text && !questionText.includes(normalizeForMatch(text))) return { text, start: role.start, source: 'role' };
    }
    const aligned = alignedSpan(question, sentence.text);
    const typed = typedCandidates(question.answerType, question.language, sentence.text).filter(fresh);
    if (aligned && fresh(aligned)) {
      // An alignment that agrees with a typed candidate is the surest; a typed one inside it is sharper.
      const inside = typed.find((span) => aligned.text.includes(span.text));
      if (inside && (question.answerType === 'date' || question.answerType === 'number')) return inside;
      if (question.language === 'zh' || typed.length === 0 || inside) return aligned;
    }
    if (typed.length === 0) return null;
    const anchors = this.anchorOffsets(question, sentence.text);
    if (anchors.length === 0) return typed[0]!;
    const distance = (span: AnswerSpan) => Math.min(...anchors.map((anchor) => Math.abs(anchor - span.start)));
    return [...typed].sort((left, right) => distance(left) - distance(right))[0]!;
  }

  /** Offsets in the sentence of the question's terms. */
  private anchorOffsets(question: QuestionAnalysis, text: string): number[] {
    const wanted = new Set(question.terms);
    return analyzeText(text)
      .filter((term) => wanted.has(term.term))
      .map((term) => term.start);
  }

  private bestSentence(question: QuestionAnalysis, view: PassageView, mentioning?: string): SentenceView | undefined {
    let best: { score: number; sentence: SentenceView } | undefined;
    for (const sentence of view.sentences) {
      const mentions = mentioning && sentence.text.normalize('NFKC').toLowerCase().includes(mentioning) ? 0.5 : 0;
      const score = this.coverage(question, sentence.terms) + mentions;
      if (!best || score > best.score) best = { score, sentence };
    }
    return best?.sentence;
  }

  /** The passage most about `subject`: its title, else the most of the subject's terms. */
  private passageAbout(subject: string, views: readonly PassageView[]): number {
    const key = titleKey(subject);
    const exact = views.findIndex((view) => view.titleKey === key);
    if (exact >= 0) return exact;
    const terms = analyzedTerms(subject);
    let best = -1;
    let bestScore = 0;
    for (const [index, view] of views.entries()) {
      let score = 0;
      for (const term of terms) if (view.titleTerms.has(term)) score += 2;
      for (const term of terms) if (view.terms.has(term)) score += 1;
      if (view.lowerText.includes(key)) score += 1;
      if (score > bestScore) {
        best = index;
        bestScore = score;
      }
    }
    return best;
  }

  /** "Which was founded first, A or B?": compare the two subjects' passages. */
  private choose(question: QuestionAnalysis, views: readonly PassageView[]): AnswerDraft | null {
    const [first, second] = question.options as [string, string];
    const indices = [this.passageAbout(first, views), this.passageAbout(second, views)];
    if (indices.some((index) => index < 0) || indices[0] === indices[1]) return null;
    const optionTerms = new Set([...analyzedTerms(first), ...analyzedTerms(second)]);
    const predicate: QuestionAnalysis = { ...question, terms: question.terms.filter((term) => !optionTerms.has(term)) };
    const sentences = indices.map((index) => this.bestSentence(predicate, views[index]!)!);
    const valueType = question.preference === 'earliest' || question.preference === 'latest' ? 'date' : 'number';
    const values = sentences.map((sentence) => {
      const candidates = sentence ? typedCandidates(valueType, question.language, sentence.text) : [];
      const numeric = candidates.map((span) => Number((/\d[\d,]*(?:\.\d+)?/.exec(span.text)?.[0] ?? '').replaceAll(',', '')));
      return numeric.find((value) => Number.isFinite(value) && value > 0);
    });
    let winner: 0 | 1;
    if (question.preference && values[0] !== undefined && values[1] !== undefined && values[0] !== values[1]) {
      const firstIsSmaller = values[0] < values[1];
      winner = question.preference === 'earliest' || question.preference === 'smallest' ? (firstIsSmaller ? 0 : 1) : firstIsSmaller ? 1 : 0;
    } else {
      const scores = sentences.map((sentence, position) =>
        sentence ? this.coverage(predicate, sentence.terms, views[indices[position]!]!.titleTerms) : 0,
      );
      winner = scores[1]! > scores[0]! ? 1 : 0;
    }
    const evidence = indices.flatMap((index, position) =>
      sentences[position] ? [{ passage: index, sentence: sentences[position].text }] : [],
    );
    if (winner === 1) evidence.reverse();
    return { notFound: false, shortAnswer: question.options[winner]!, evidence, coverage: 1 };
  }

  /** "Are both A and B …?": yes when each subject's passage covers what is asked of it. */
  private yesNoForTwo(question: QuestionAnalysis, views: readonly PassageView[]): AnswerDraft | null {
    const [first, second] = question.options as [string, string];
    const indices = [this.passageAbout(first, views), this.passageAbout(second, views)];
    if (indices.some((index) => index < 0) || indices[0] === indices[1]) return null;
    const subjectTerms = new Set([...analyzedTerms(first), ...analyzedTerms(second)]);
    const predicate: QuestionAnalysis = { ...question, terms: question.terms.filter((term) => !subjectTerms.has(term)) };
    const sentences = indices.map((index) => this.bestSentence(predicate, views[index]!));
    const covered = indices.map((index) => (predicate.terms.length === 0 ? 1 : this.coverage(predicate, views[index]!.terms)));
    const yes = covered.every((value) => value >= 0.5);
    const evidence = indices.flatMap((index, position) =>
      sentences[position] ? [{ passage: index, sentence: sentences[position].text }] : [],
    );
    return { notFound: false, shortAnswer: yes ? 'Yes' : 'No', evidence, coverage: Math.min(...covered) };
  }
}
