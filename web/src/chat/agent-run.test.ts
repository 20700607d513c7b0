import { describe, expect, it } from 'vitest';
import type { AgentAnswer, AgentEvent } from '../api/types.js';
import {
  answerEvidence,
  applyAgentEvent,
  entitiesUsed,
  evidenceFromParameters,
  evidenceLink,
  initialRunState,
  parseAgentEvent,
  type AgentRunState,
} from './agent-run.js';

const runId = 'run-1';

function answer(text: string): AgentAnswer {
  return {
    threadId: 'thread-1',
    runId,
    text,
    citations: [],
    notFound: false,
    model: 'offline',
    usage: { promptTokens: 10, completionTokens: 5, steps: 2, toolCalls: 1 },
    tookMs: 42,
  };
}

function fold(events: AgentEvent[]): AgentRunState {
  return events.reduce(applyAgentEvent, initialRunState);
}

describe('parseAgentEvent', () => {
  it('reads an SSE message whose event name matches the payload type', () => {
    const event = parseAgentEvent('token', JSON.stringify({ type: 'token', runId, text: 'Hi' }));
    expect(event).toEqual({ type: 'token', runId, text: 'Hi' });
  });

  it('takes the type from the event name when the payload has none', () => {
    expect(parseAgentEvent('token', JSON.stringify({ runId, text: 'x' }))?.type).toBe('token');
  });

  it('rejects malformed JSON, unknown types, mismatched names and non-objects', () => {
    expect(parseAgentEvent('token', '{not json')).toBeNull();
    expect(parseAgentEvent('mystery', JSON.stringify({ type: 'mystery', runId }))).toBeNull();
    expect(parseAgentEvent('answer', JSON.stringify({ type: 'token', runId, text: 'x' }))).toBeNull();
    expect(parseAgentEvent(undefined, '42')).toBeNull();
    expect(parseAgentEvent(undefined, 'null')).toBeNull();
  });
});

describe('applyAgentEvent', () => {
  it('builds the step timeline, tool calls and streamed text, then takes the final answer', () => {
    const hits = [
      {
        chunkId: 7,
        documentTitle: 'Engine',
        explanation: {
          lists: [{ list: 'bm25', rank: 1 }],
          matchedTerms: ['engine'],
          entities: ['Charles Babbage', 'Ada Lovelace'],
        },
      },
      {
        chunkId: 9,
        documentTitle: 'Notes',
        explanation: { lists: [], matchedTerms: [], entities: ['Ada Lovelace'] },
      },
    ];
    const state = fold([
      { type: 'run_start', runId, threadId: 'thread-1' },
      { type: 'node_start', runId, node: 'retrieve', step: 1 },
      { type: 'tool_call', runId, callId: 'c1', tool: 'search', arguments: { query: 'engine' } },
      { type: 'tool_result', runId, callId: 'c1', tool: 'search', result: { hits }, tookMs: 12 },
      { type: 'node_end', runId, node: 'retrieve', step: 1, tookMs: 20, summary: 'found 2 passages' },
      { type: 'node_start', runId, node: 'answer', step: 2 },
      { type: 'token', runId, text: 'Babbage ' },
      { type: 'token', runId, text: 'designed it [1].' },
    ]);
    expect(state.threadId).toBe('thread-1');
    expect(state.status).toBe('streaming');
    expect(state.text).toBe('Babbage designed it [1].');
    expect(state.steps.map((step) => [step.node, step.done])).toEqual([
      ['retrieve', true],
      ['answer', false],
    ]);
    expect(state.steps[0]!.summary).toBe('found 2 passages');
    expect(state.steps[0]!.toolCalls[0]).toMatchObject({
      tool: 'search',
      tookMs: 12,
      arguments: { query: 'engine' },
    });
    expect(entitiesUsed(state)).toEqual(['Ada Lovelace', 'Charles Babbage']);

    const done = applyAgentEvent(state, {
      type: 'answer',
      runId,
      answer: answer('Charles Babbage designed it [1].'),
    });
    expect(done.status).toBe('answered');
    expect(done.text).toBe('Charles Babbage designed it [1].');
    expect(done.answer?.model).toBe('offline');
  });

  it('records an error event as a failed run', () => {
    const state = fold([
      { type: 'run_start', runId, threadId: 't' },
      { type: 'error', runId, code: 'budget_exceeded', message: 'Too many steps' },
    ]);
    expect(state.status).toBe('failed');
    expect(state.error).toEqual({ code: 'budget_exceeded', message: 'Too many steps' });
  });

  it('ignores events of another run sharing the stream', () => {
    const state = fold([
      { type: 'run_start', runId, threadId: 't' },
      { type: 'token', runId: 'other', text: 'noise' },
      { type: 'token', runId, text: 'signal' },
    ]);
    expect(state.text).toBe('signal');
  });

  it('keeps a node_end without its start, and a tool call before any node', () => {
    const state = fold([
      { type: 'tool_call', runId, callId: 'c', tool: 'search', arguments: {} },
      { type: 'node_end', runId, node: 'verify', step: 3, tookMs: 1 },
    ]);
    expect(state.steps.map((step) => step.node)).toEqual(['search', 'verify']);
    expect(state.steps[1]!.done).toBe(true);
  });
});

describe('answerEvidence', () => {
  const searched = fold([
    { type: 'run_start', runId, threadId: 't' },
    { type: 'node_start', runId, node: 'retrieve', step: 1 },
    { type: 'tool_call', runId, callId: 'c1', tool: 'search', arguments: {} },
    {
      type: 'tool_result',
      runId,
      callId: 'c1',
      tool: 'search',
      result: {
        hits: [
          { chunkId: 7, explanation: { entities: ['Ada Lovelace'] } },
          { chunkId: 9, explanation: { entities: [] } },
        ],
      },
      tookMs: 1,
    },
    { type: 'tool_call', runId, callId: 'c2', tool: 'bridge_entities', arguments: {} },
    {
      type: 'tool_result',
      runId,
      callId: 'c2',
      tool: 'bridge_entities',
      result: [{ entity: 'Analytical Engine', fromChunkId: 7, passage: { chunkId: 11 } }],
      tookMs: 1,
    },
  ]);

  it('takes the cited passages, and the entities retrieval named', () => {
    const evidence = answerEvidence(searched, [{ chunkId: 9 }, { chunkId: 9 }, { chunkId: 3 }]);
    expect(evidence.chunkIds).toEqual([9, 3]);
    expect([...evidence.names].sort()).toEqual(['Ada Lovelace', 'Analytical Engine']);
  });

  it('falls back to every retrieved passage (bridges included) when the answer cites none', () => {
    expect(answerEvidence(searched, []).chunkIds).toEqual([7, 9, 11]);
  });

  it("reads a stored run's trace, which keeps only chunk ids and entity names", () => {
    const stored = {
      steps: [
        {
          node: 'expand',
          step: 3,
          done: true,
          toolCalls: [
            {
              callId: 'x',
              tool: 'graph_neighbors',
              arguments: {},
              result: { chunkIds: [4, 5], entities: ['Charles Babbage'] },
            },
          ],
        },
      ],
    };
    expect(answerEvidence(stored, [])).toEqual({ chunkIds: [4, 5], names: ['Charles Babbage'] });
  });

  it('round-trips through the explorer address and rejects malformed parameters', () => {
    const link = evidenceLink({ chunkIds: [9, 3], names: ['Ada Lovelace', 'A & B, Ltd'] });
    expect(link).toMatch(/^\/graph\?/);
    expect(evidenceFromParameters(new URL(link!, 'http://x').searchParams)).toEqual({
      chunkIds: [9, 3],
      names: ['Ada Lovelace', 'A & B, Ltd'],
    });
    expect(evidenceLink({ chunkIds: [], names: [] })).toBeNull();
    expect(evidenceFromParameters(new URLSearchParams('chunks=0,-2,abc,1.5&names=%0A%0A'))).toBeNull();
    expect(evidenceFromParameters(new URLSearchParams('chunks=4,x,5'))).toEqual({
      chunkIds: [4, 5],
      names: [],
    });
  });
});
