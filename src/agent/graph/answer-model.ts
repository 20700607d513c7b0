import type { QuestionAnalysis } from '../question/analyze-question.js';
import type { RunContext } from '../run/run-trace.js';
import type { Passage } from '../tools/agent-tools.js';
import type { DraftAnswer, Turn } from './agent-state.js';

export interface AnswerInput {
  readonly question: QuestionAnalysis;
  /** The question as rewritten with the thread's context. */
  readonly rewritten: string;
  readonly passages: readonly Passage[];
  readonly history: readonly Turn[];
  readonly termWeights: ReadonlyMap<string, number>;
  readonly context: RunContext;
}

export interface AnswerOutput {
  readonly draft: DraftAnswer;
  /** Passages the model fetched itself with tool calls (they may be cited too). */
  readonly passages: readonly Passage[];
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

/** Writes the answer from the evidence: offline extractive, or a chat model with tools. */
export interface AnswerModel {
  readonly name: string;
  answer(input: AnswerInput): Promise<AnswerOutput>;
}
