import type { AgentAnswer, AgentEvent, AgentRequest, AgentService } from '../../core/agent.js';

/**
 * A scripted AgentService for unit tests of the wire-format adapters only (SSE and chunk
 * translation): it replays fixed events. The adapters' end-to-end tests run the real agent.
 */
export class ScriptedAgent implements AgentService {
  readonly requests: AgentRequest[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];

  constructor(private readonly script: (request: AgentRequest) => AgentEvent[]) {}

  async *run(_tenantId: string, request: AgentRequest, signal?: AbortSignal): AsyncIterable<AgentEvent> {
    this.requests.push(request);
    this.signals.push(signal);
    for (const event of this.script(request)) {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      yield event;
    }
  }

  async ask(tenantId: string, request: AgentRequest, signal?: AbortSignal): Promise<AgentAnswer> {
    for await (const event of this.run(tenantId, request, signal)) {
      if (event.type === 'answer') return event.answer;
      if (event.type === 'error') throw new Error(event.message);
    }
    throw new Error('no answer');
  }
}

export function scriptedAnswer(overrides: Partial<AgentAnswer> = {}): AgentAnswer {
  return {
    threadId: '5b1f4c1e-7d2a-4c55-9d3e-0a1b2c3d4e5f',
    runId: '9e8d7c6b-5a49-4837-8261-504f3e2d1c0b',
    text: 'Ada Lovelace wrote the first program [1].',
    citations: [
      {
        index: 1,
        chunkId: 42,
        documentId: '0f0e0d0c-0b0a-4909-8807-060504030201',
        documentTitle: 'Ada Lovelace',
        fileName: 'lovelace.md',
        pages: [3],
        sectionPath: ['Ada Lovelace', 'Notes'],
        text: 'Ada Lovelace wrote the first program for the Analytical Engine.',
        quote: 'Ada Lovelace wrote the first program',
        supported: true,
      },
    ],
    notFound: false,
    model: 'offline',
    usage: { promptTokens: 120, completionTokens: 9, steps: 4, toolCalls: 1 },
    tookMs: 12,
    ...overrides,
  };
}

/** A run's events: start, a search step, the answer in two tokens, the answer. */
export function scriptedRun(answer: AgentAnswer = scriptedAnswer()): AgentEvent[] {
  const runId = answer.runId;
  const half = Math.floor(answer.text.length / 2);
  return [
    { type: 'run_start', runId, threadId: answer.threadId },
    { type: 'node_start', runId, node: 'retrieve', step: 1 },
    { type: 'tool_call', runId, callId: 'c1', tool: 'search', arguments: { query: 'first program' } },
    { type: 'tool_result', runId, callId: 'c1', tool: 'search', result: [], tookMs: 3 },
    { type: 'node_end', runId, node: 'retrieve', step: 1, tookMs: 4 },
    { type: 'token', runId, text: answer.text.slice(0, half) },
    { type: 'token', runId, text: answer.text.slice(half) },
    { type: 'answer', runId, answer },
  ];
}
