import { describe, expect, it } from 'vitest';
import { stepsFromTrace, threadMessagesFrom } from './thread-messages.js';

describe('threadMessagesFrom', () => {
  it('turns runs into question and answer messages, with citations and failures', () => {
    const citation = {
      index: 1,
      chunkId: 3,
      documentId: 'd',
      documentTitle: 'T',
      fileName: 'f',
      pages: [],
      sectionPath: [],
      text: 'p',
      supported: true,
    };
    const messages = threadMessagesFrom({
      id: 't',
      title: 'x',
      runs: [
        {
          id: 'r1',
          question: 'Who?',
          answer: { text: 'Ada [1].', citations: [citation], notFound: false },
          error: null,
        },
        {
          id: 'r2',
          question: 'Why?',
          answer: null,
          error: { code: 'budget_exceeded', message: 'Out of steps' },
        },
        { id: 'r3', question: 'Still running', answer: null, error: null },
        'garbage',
      ],
    });
    expect(messages.map((message) => [message.role, message.text])).toEqual([
      ['user', 'Who?'],
      ['assistant', 'Ada [1].'],
      ['user', 'Why?'],
      ['assistant', ''],
      ['user', 'Still running'],
    ]);
    expect(messages[1]).toMatchObject({ runId: 'r1', citations: [citation] });
    expect(messages[3]?.error).toEqual({ code: 'budget_exceeded', message: 'Out of steps' });
  });

  it('reads nothing from bodies that are not threads', () => {
    expect(threadMessagesFrom(null)).toEqual([]);
    expect(threadMessagesFrom({ runs: 'no' })).toEqual([]);
  });
});

describe('stepsFromTrace', () => {
  it('rebuilds the step timeline of a stored run', () => {
    const steps = stepsFromTrace({
      trace: [
        {
          step: 1,
          node: 'retrieve',
          tookMs: 12,
          summary: 'found 3',
          toolCalls: [
            { callId: 'c', tool: 'search', arguments: { query: 'q' }, tookMs: 9, chunkIds: [1, 2] },
          ],
        },
        { step: 2, node: 'answer', tookMs: 4, summary: '', toolCalls: [] },
      ],
    });
    expect(steps).toEqual([
      {
        node: 'retrieve',
        step: 1,
        done: true,
        tookMs: 12,
        summary: 'found 3',
        toolCalls: [
          {
            callId: 'c',
            tool: 'search',
            arguments: { query: 'q' },
            tookMs: 9,
            result: { chunkIds: [1, 2], entities: undefined, error: undefined },
          },
        ],
      },
      { node: 'answer', step: 2, done: true, tookMs: 4, toolCalls: [] },
    ]);
  });
});
