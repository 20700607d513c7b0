import { Annotation } from '@langchain/langgraph';
import type { AgentAnswer, Citation } from '../../core/agent.js';
import type { SearchFilters, SearchMode } from '../../core/search.js';
import type { QuestionAnalysis } from '../question/analyze-question.js';
import type { Passage } from '../tools/agent-tools.js';

/** One finished exchange of the thread: what the next question may refer back to. */
export interface Turn {
  readonly runId: string;
  readonly question: string;
  readonly rewritten: string;
  readonly answer: string;
  readonly shortAnswer: string;
  readonly notFound: boolean;
}

/** The answer as the answer node leaves it for the verifier. */
export interface DraftAnswer {
  readonly text: string;
  readonly shortAnswer: string;
  readonly citations: readonly Citation[];
  readonly notFound: boolean;
  readonly model: string;
  readonly degraded?: AgentAnswer['degraded'];
}

const replace = <T>(initial: () => T) => Annotation<T>({ reducer: (_left, right) => right, default: initial });

/**
 * The graph's state. `turns` accumulates across the runs of a thread (it is what the PostgreSQL
 * checkpointer remembers); everything else is per run and reset by each run's input.
 */
export const AgentState = Annotation.Root({
  turns: Annotation<Turn[]>({
    // The conversation memory is bounded: the last 20 exchanges are enough to resolve references.
    reducer: (left, right) => [...left, ...right].slice(-20),
    default: () => [],
  }),
  question: replace<string>(() => ''),
  requestedMode: replace<'auto' | SearchMode>(() => 'auto'),
  filters: replace<SearchFilters>(() => ({})),
  rewritten: replace<string>(() => ''),
  analysis: replace<QuestionAnalysis | null>(() => null),
  mode: replace<SearchMode>(() => 'mix'),
  passages: replace<Passage[]>(() => []),
  /** Chunk ids whose bridge entities were already followed. */
  expandedFrom: replace<number[]>(() => []),
  hops: replace<number>(() => 0),
  coverage: replace<number>(() => 0),
  draft: replace<DraftAnswer | null>(() => null),
});

export type AgentStateValue = typeof AgentState.State;
export type AgentStateUpdate = typeof AgentState.Update;
