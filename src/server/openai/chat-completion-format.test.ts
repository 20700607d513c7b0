import { describe, expect, it } from 'vitest';
import { ChatCompletionChunker, chatCompletion, sourcesBlock } from './chat-completion-format.js';
import { scriptedAnswer, scriptedRun } from './scripted-agent.js';

const identity = { id: 'chatcmpl-1', created: 1_700_000_000, model: 'rhizome-agent' };

function contentOf(payloads: Record<string, unknown>[]): string {
  return payloads
    .flatMap((payload) => (payload.choices as { delta: { content?: string } }[]) ?? [])
    .map((choice) => choice.delta.content ?? '')
    .join('');
}

describe('chat completion format', () => {
  it('lists the sources with file, pages and section', () => {
    expect(sourcesBlock(scriptedAnswer().citations)).toBe(
      '\n\nSources:\n[1] Ada Lovelace (lovelace.md, p. 3, Ada Lovelace › Notes)',
    );
    expect(sourcesBlock([])).toBe('');
  });

  it('builds a complete chat.completion with citations in the text and in a field', () => {
    const completion = chatCompletion(identity, scriptedAnswer());
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe(
      'Ada Lovelace wrote the first program [1].\n\nSources:\n[1] Ada Lovelace (lovelace.md, p. 3, Ada Lovelace › Notes)',
    );
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 120, completion_tokens: 9, total_tokens: 129 });
    expect(completion.citations[0]).toMatchObject({
      index: 1,
      file_name: 'lovelace.md',
      pages: [3],
      chunk_id: 42,
    });
    expect(completion.rhizome).toMatchObject({ not_found: false, answer_model: 'offline', degraded: null });
  });

  it('streams role, tokens, the sources, the finish and the usage in order', () => {
    const chunker = new ChatCompletionChunker(identity, true);
    const payloads = [chunker.start(), ...scriptedRun().flatMap((event) => chunker.accept(event))];
    expect(chunker.done).toBe(true);
    // role chunk, two tokens, sources, finish, usage: steps and tool calls yield nothing.
    expect(payloads).toHaveLength(6);
    expect(payloads[0]).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ delta: { role: 'assistant', content: '' } }],
      usage: null,
    });
    expect(contentOf(payloads)).toBe(chatCompletion(identity, scriptedAnswer()).choices[0]!.message.content);
    expect(payloads[4]).toMatchObject({
      choices: [{ delta: {}, finish_reason: 'stop' }],
      citations: [{ index: 1 }],
    });
    expect(payloads[5]).toMatchObject({ choices: [], usage: { total_tokens: 129 } });
  });

  it('sends the whole answer at the end when the model streamed no tokens, and no usage unless asked', () => {
    const chunker = new ChatCompletionChunker(identity, false);
    const events = scriptedRun().filter((event) => event.type !== 'token');
    const payloads = events.flatMap((event) => chunker.accept(event));
    expect(payloads).toHaveLength(2);
    expect(contentOf(payloads)).toContain('Ada Lovelace wrote the first program [1].\n\nSources:');
    expect(payloads.every((payload) => !('usage' in payload))).toBe(true);
  });

  it('turns an error event into an error payload and stops', () => {
    const chunker = new ChatCompletionChunker(identity, false);
    const [payload] = chunker.accept({
      type: 'error',
      runId: 'r',
      code: 'budget_exhausted',
      message: 'Out of time',
    });
    expect(payload).toEqual({
      error: { message: 'Out of time', type: 'server_error', param: null, code: 'budget_exhausted' },
    });
    expect(chunker.done).toBe(true);
    expect(chunker.accept({ type: 'token', runId: 'r', text: 'late' })).toEqual([]);
  });
});
