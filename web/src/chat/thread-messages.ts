import type { Citation } from '../api/types.js';
import type { StepView } from './agent-run.js';

/** A message of a stored thread, as the chat shows it. */
export interface ThreadMessage {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly citations: readonly Citation[];
  /** The run that wrote an assistant message (its trace holds the step timeline). */
  readonly runId?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly notFound?: boolean;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads `GET /v1/threads/:id`: the thread with its runs in order, each a question and either an
 * answer (text with citations) or an error. Runs without either (still running, cancelled) show
 * the question alone.
 */
export function threadMessagesFrom(body: unknown): ThreadMessage[] {
  const runs = isObject(body) && Array.isArray(body.runs) ? body.runs : [];
  const messages: ThreadMessage[] = [];
  runs.forEach((run, position) => {
    if (!isObject(run)) return;
    const id = typeof run.id === 'string' ? run.id : `run-${position}`;
    if (typeof run.question === 'string')
      messages.push({ id: `${id}:q`, role: 'user', text: run.question, citations: [] });
    const answer = isObject(run.answer) ? run.answer : null;
    const error = isObject(run.error) && typeof run.error.message === 'string' ? run.error : null;
    if (answer && typeof answer.text === 'string') {
      messages.push({
        id: `${id}:a`,
        role: 'assistant',
        text: answer.text,
        citations: Array.isArray(answer.citations) ? (answer.citations as Citation[]) : [],
        runId: id,
        notFound: answer.notFound === true,
      });
    } else if (error) {
      messages.push({
        id: `${id}:a`,
        role: 'assistant',
        text: '',
        citations: [],
        runId: id,
        error: { code: String(error.code ?? 'failed'), message: String(error.message) },
      });
    }
  });
  return messages;
}

/** The step timeline of a stored run (`GET /v1/threads/:t/runs/:r`, its `trace`). */
export function stepsFromTrace(run: unknown): StepView[] {
  const trace = isObject(run) && Array.isArray(run.trace) ? run.trace : [];
  return trace.filter(isObject).map((step) => ({
    node: String(step.node ?? ''),
    step: Number(step.step ?? 0),
    done: true,
    ...(typeof step.tookMs === 'number' ? { tookMs: step.tookMs } : {}),
    ...(typeof step.summary === 'string' && step.summary ? { summary: step.summary } : {}),
    toolCalls: (Array.isArray(step.toolCalls) ? step.toolCalls : []).filter(isObject).map((call) => ({
      callId: String(call.callId ?? ''),
      tool: String(call.tool ?? ''),
      arguments: isObject(call.arguments) ? call.arguments : {},
      ...(typeof call.tookMs === 'number' ? { tookMs: call.tookMs } : {}),
      // The trace keeps what the call found, not the passages themselves.
      result: { chunkIds: call.chunkIds, entities: call.entities, error: call.error },
    })),
  }));
}
