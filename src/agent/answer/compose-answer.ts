import type { Citation } from '../../core/agent.js';
import type { Passage } from '../tools/agent-tools.js';
import type { QuestionAnalysis } from '../question/analyze-question.js';
import type { AnswerDraft } from './extractive-answerer.js';
import { stripCitations, supports } from './check-support.js';

export interface ComposedAnswer {
  readonly text: string;
  readonly shortAnswer: string;
  readonly citations: Citation[];
  readonly notFound: boolean;
}

export function notFoundText(language: 'en' | 'zh'): string {
  return language === 'zh'
    ? '文档中没有找到这个问题的答案。'
    : 'The documents do not answer this question.';
}

export function citationFor(index: number, passage: Passage, quote: string | undefined, supported: boolean): Citation {
  return {
    index,
    chunkId: passage.chunkId,
    documentId: passage.documentId,
    documentTitle: passage.documentTitle,
    fileName: passage.fileName,
    pages: passage.pages,
    sectionPath: passage.sectionPath,
    text: passage.text,
    ...(quote ? { quote } : {}),
    supported,
  };
}

/**
 * The offline answer's text: the short answer with its citation, then each supporting sentence
 * quoted with the number of its passage. Each citation is checked: the quote must come from the
 * cited passage, and the short answer must be found in the passage that the first line cites.
 */
export function composeExtractiveAnswer(question: QuestionAnalysis, draft: AnswerDraft, passages: readonly Passage[]): ComposedAnswer {
  if (draft.notFound || draft.evidence.length === 0) {
    return { text: notFoundText(question.language), shortAnswer: '', citations: [], notFound: true };
  }
  const numberOf = new Map<number, number>();
  const citations: Citation[] = [];
  for (const evidence of draft.evidence) {
    if (numberOf.has(evidence.passage)) continue;
    const passage = passages[evidence.passage]!;
    const index = citations.length + 1;
    numberOf.set(evidence.passage, index);
    citations.push(citationFor(index, passage, evidence.sentence, passage.text.includes(evidence.sentence)));
  }
  // The short answer cites the passage of the last evidence sentence: the one that holds the answer.
  const answerEvidence = draft.evidence[draft.evidence.length - 1]!;
  const answerNumber = numberOf.get(answerEvidence.passage)!;
  const isYesNo = /^(yes|no)$/i.test(draft.shortAnswer);
  const allNumbers = [...new Set(draft.evidence.map((evidence) => numberOf.get(evidence.passage)!))];
  const lead = isYesNo
    ? `${draft.shortAnswer}. ${allNumbers.map((number) => `[${number}]`).join('')}`
    : `${draft.shortAnswer} [${answerNumber}]`;
  const open = question.language === 'zh' ? '「' : '“';
  const close = question.language === 'zh' ? '」' : '”';
  const quotes = draft.evidence
    .filter((evidence) => evidence.sentence !== draft.shortAnswer)
    .map((evidence) => `${open}${evidence.sentence}${close} [${numberOf.get(evidence.passage)!}]`);
  const text = [lead, ...quotes].join('\n\n');
  // The lead claim: the short answer (not yes/no) must appear in the passage it cites.
  if (!isYesNo) {
    const cited = citations[answerNumber - 1]!;
    const holds = cited.text.normalize('NFKC').includes(draft.shortAnswer.normalize('NFKC')) || supports(draft.shortAnswer, cited.text);
    citations[answerNumber - 1] = { ...cited, supported: cited.supported && holds };
  }
  return { text, shortAnswer: stripCitations(draft.shortAnswer), citations, notFound: false };
}
