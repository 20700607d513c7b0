import type { AgentAnswer, AgentEvent } from '../api/types.js';

/** One tool call inside a step, with its result once it arrives. */
export interface ToolCallView {
  readonly callId: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly result?: unknown;
  readonly tookMs?: number;
}

/** One graph node of the run, as the step timeline shows it. */
export interface StepView {
  readonly node: string;
  readonly step: number;
  readonly done: boolean;
  readonly tookMs?: number;
  readonly summary?: string;
  readonly toolCalls: readonly ToolCallView[];
}

export type RunStatus = 'streaming' | 'answered' | 'failed' | 'stopped';

/** Everything the chat shows about one run, rebuilt from its events alone. */
export interface AgentRunState {
  readonly runId: string | null;
  readonly threadId: string | null;
  readonly status: RunStatus;
  /** The streamed text so far (tokens), replaced by the final answer's text when it arrives. */
  readonly text: string;
  readonly steps: readonly StepView[];
  readonly answer: AgentAnswer | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export const initialRunState: AgentRunState = {
  runId: null,
  threadId: null,
  status: 'streaming',
  text: '',
  steps: [],
  answer: null,
  error: null,
};

const eventTypes = new Set([
  'run_start',
  'node_start',
  'node_end',
  'tool_call',
  'tool_result',
  'token',
  'answer',
  'error',
]);

/** Parses one SSE message of `POST /v1/chat`; null for anything that is not an agent event. */
export function parseAgentEvent(eventName: string | undefined, data: string): AgentEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type ?? eventName;
  if (typeof type !== 'string' || !eventTypes.has(type)) return null;
  if (eventName && eventName !== type) return null;
  return { ...(value as object), type } as AgentEvent;
}

function updateLastStep(steps: readonly StepView[], change: (step: StepView) => StepView): StepView[] {
  if (steps.length === 0) return [...steps];
  return [...steps.slice(0, -1), change(steps[steps.length - 1]!)];
}

function updateToolCall(
  steps: readonly StepView[],
  callId: string,
  change: (call: ToolCallView) => ToolCallView,
): StepView[] {
  return steps.map((step) =>
    step.toolCalls.some((call) => call.callId === callId)
      ? { ...step, toolCalls: step.toolCalls.map((call) => (call.callId === callId ? change(call) : call)) }
      : step,
  );
}

/** Folds one event into the run's state. Events of another run (a shared stream) are ignored. */
export function applyAgentEvent(state: AgentRunState, event: AgentEvent): AgentRunState {
  if (state.runId !== null && event.runId !== state.runId) return state;
  switch (event.type) {
    case 'run_start':
      return { ...state, runId: event.runId, threadId: event.threadId };
    case 'node_start':
      return {
        ...state,
        steps: [...state.steps, { node: event.node, step: event.step, done: false, toolCalls: [] }],
      };
    case 'node_end': {
      const index = state.steps.findLastIndex((step) => step.node === event.node && step.step === event.step);
      const ended: StepView = {
        ...(index >= 0 ? state.steps[index]! : { node: event.node, step: event.step, toolCalls: [] }),
        done: true,
        tookMs: event.tookMs,
        ...(event.summary ? { summary: event.summary } : {}),
      };
      const steps =
        index >= 0 ? state.steps.map((step, at) => (at === index ? ended : step)) : [...state.steps, ended];
      return { ...state, steps };
    }
    case 'tool_call': {
      const call: ToolCallView = { callId: event.callId, tool: event.tool, arguments: event.arguments };
      const steps =
        state.steps.length === 0
          ? [{ node: event.tool, step: 0, done: false, toolCalls: [call] }]
          : updateLastStep(state.steps, (step) => ({ ...step, toolCalls: [...step.toolCalls, call] }));
      return { ...state, steps };
    }
    case 'tool_result':
      return {
        ...state,
        steps: updateToolCall(state.steps, event.callId, (call) => ({
          ...call,
          result: event.result,
          tookMs: event.tookMs,
        })),
      };
    case 'token':
      return { ...state, text: state.text + event.text };
    case 'answer':
      return {
        ...state,
        status: 'answered',
        threadId: state.threadId ?? event.answer.threadId,
        text: event.answer.text,
        answer: event.answer,
      };
    case 'error':
      return { ...state, status: 'failed', error: { code: event.code, message: event.message } };
    default:
      return state;
  }
}

/** Entity names the run's retrieval used (for "show in graph"), most frequent first. */
export function entitiesUsed(state: Pick<AgentRunState, 'steps'>): string[] {
  const counts = new Map<string, number>();
  for (const step of state.steps) {
    for (const call of step.toolCalls) {
      if (typeof call.result !== 'object' || call.result === null) continue;
      for (const hit of hitsOf(call.result)) {
        for (const entity of hit.explanation?.entities ?? [])
          counts.set(entity, (counts.get(entity) ?? 0) + 1);
        // Bridge results name the entity they crossed.
        if (typeof hit.entity === 'string') counts.set(hit.entity, (counts.get(hit.entity) ?? 0) + 1);
      }
      // A stored run's trace keeps the entity names each call found (graph tools, bridges).
      const named = (call.result as { entities?: unknown } | undefined)?.entities;
      if (Array.isArray(named)) {
        for (const entity of named)
          if (typeof entity === 'string') counts.set(entity, (counts.get(entity) ?? 0) + 1);
      }
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
}

/** What "show in graph" draws: the passages an answer rests on and the entities its tools named. */
export interface AnswerEvidence {
  readonly chunkIds: readonly number[];
  readonly names: readonly string[];
}

/**
 * The evidence of one answer: its cited passages (the retrieved ones when it cites none) and the
 * entities its retrieval named. Bounded to what `POST /v1/graph/subgraph` accepts.
 */
export function answerEvidence(
  state: Pick<AgentRunState, 'steps'>,
  citations: readonly { readonly chunkId: number }[],
): AnswerEvidence {
  const cited = citations.map((citation) => citation.chunkId);
  const retrieved: number[] = [];
  if (cited.length === 0) {
    for (const step of state.steps) {
      for (const call of step.toolCalls) {
        for (const hit of hitsOf(call.result)) {
          if (typeof hit.chunkId === 'number') retrieved.push(hit.chunkId);
          if (typeof hit.passage?.chunkId === 'number') retrieved.push(hit.passage.chunkId);
        }
        // A stored run's trace keeps only the ids of what each call found.
        const ids = (call.result as { chunkIds?: unknown } | undefined)?.chunkIds;
        if (Array.isArray(ids)) retrieved.push(...ids.filter((id): id is number => typeof id === 'number'));
      }
    }
  }
  const chunkIds = [...new Set(cited.length > 0 ? cited : retrieved)].filter(
    (id) => Number.isInteger(id) && id > 0,
  );
  return { chunkIds: chunkIds.slice(0, 200), names: entitiesUsed(state).slice(0, 50) };
}

/** The explorer's address for an answer's evidence (`/graph?chunks=1,2&names=a%0Ab`). */
export function evidenceLink(evidence: AnswerEvidence): string | null {
  if (evidence.chunkIds.length === 0 && evidence.names.length === 0) return null;
  const parameters = new URLSearchParams();
  if (evidence.chunkIds.length > 0) parameters.set('chunks', evidence.chunkIds.join(','));
  if (evidence.names.length > 0) parameters.set('names', evidence.names.join('\n'));
  return `/graph?${parameters.toString()}`;
}

/** Reads `evidenceLink`'s parameters back (ignoring anything malformed). */
export function evidenceFromParameters(parameters: URLSearchParams): AnswerEvidence | null {
  const chunkIds = (parameters.get('chunks') ?? '')
    .split(',')
    .map((part) => Number(part))
    .filter((id) => Number.isSafeInteger(id) && id > 0)
    .slice(0, 200);
  const names = (parameters.get('names') ?? '')
    .split('\n')
    .map((name) => name.trim())
    .filter((name) => name.length > 0 && name.length <= 200)
    .slice(0, 50);
  return chunkIds.length > 0 || names.length > 0 ? { chunkIds, names } : null;
}

export interface PassageLike {
  readonly chunkId?: number;
  readonly documentId?: string;
  readonly documentTitle?: string;
  readonly fileName?: string;
  readonly text?: string;
  readonly entity?: string;
  /** Bridge results carry the passage they lead to. */
  readonly passage?: { readonly chunkId?: number };
  readonly explanation?: {
    lists?: { list: string; rank: number }[];
    matchedTerms?: string[];
    entities?: string[];
  };
}

/** The passages of a tool result: a list of hits, or an object with `hits` (SearchHit-shaped). */
export function hitsOf(result: unknown): PassageLike[] {
  const list = Array.isArray(result)
    ? result
    : typeof result === 'object' && result !== null && Array.isArray((result as { hits?: unknown }).hits)
      ? (result as { hits: unknown[] }).hits
      : [];
  return list.filter((item): item is PassageLike => typeof item === 'object' && item !== null);
}
