import type { ServerResponse } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { delay, sendJson, startFakeProvider, type FakeProvider } from './fake-provider-server.js';
import { OpenAiChatModel, type OpenAiChatModelOptions } from './openai-chat-model.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(() => provider.close());

function chatModel(options: Partial<OpenAiChatModelOptions> = {}): OpenAiChatModel {
  return new OpenAiChatModel({
    baseUrl: provider.baseUrl,
    apiKey: 'sk-chat',
    model: 'qwen-plus',
    retryBaseDelayMs: 10,
    ...options,
  });
}

const messages = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hello?' },
] as const;

function chunk(content: string | null, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finishReason }] })}\n\n`;
}

/** Writes each part as its own network write, pausing so that they arrive as separate chunks. */
async function writeSlowly(response: ServerResponse, parts: readonly (string | Buffer)[]): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const part of parts) {
    response.write(part);
    await delay(15);
  }
  response.end();
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

describe('OpenAiChatModel.complete', () => {
  it('sends the request and maps the answer and usage', async () => {
    provider.handle((_request, response) =>
      sendJson(response, 200, {
        choices: [
          { index: 0, message: { role: 'assistant', content: '{"answer":42}' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
      }),
    );
    const answer = await chatModel().complete({ messages, temperature: 0.2, maxTokens: 100, json: true });
    expect(answer).toEqual({ content: '{"answer":42}', usage: { promptTokens: 12, completionTokens: 5 } });
    const [request] = provider.requests;
    expect(request?.url.pathname).toBe('/v1/chat/completions');
    expect(request?.body).toEqual({
      model: 'qwen-plus',
      messages,
      temperature: 0.2,
      max_tokens: 100,
      response_format: { type: 'json_object' },
    });
  });

  it('omits what was not asked for and can use max_completion_tokens', async () => {
    provider.handle((_request, response) =>
      sendJson(response, 200, { choices: [{ message: { content: null } }] }),
    );
    const answer = await chatModel({ maxTokensParameter: 'max_completion_tokens' }).complete({
      messages,
      maxTokens: 9,
    });
    expect(answer).toEqual({ content: '' });
    expect(provider.requests[0]?.body).toEqual({ model: 'qwen-plus', messages, max_completion_tokens: 9 });
  });

  it('uses the Azure deployment path and headers', async () => {
    provider.handle((_request, response) =>
      sendJson(response, 200, { choices: [{ message: { content: 'hi' } }] }),
    );
    await chatModel({
      baseUrl: provider.baseUrl.replace('/v1', '/openai'),
      azure: { apiVersion: '2024-10-21', deployment: 'gpt-4o' },
    }).complete({ messages });
    const [request] = provider.requests;
    expect(request?.url.pathname).toBe('/openai/deployments/gpt-4o/chat/completions');
    expect(request?.url.search).toBe('?api-version=2024-10-21');
    expect(request?.headers['api-key']).toBe('sk-chat');
  });

  it('rejects an answer without choices', async () => {
    provider.handle((_request, response) => sendJson(response, 200, { choices: [] }));
    await expect(chatModel().complete({ messages })).rejects.toMatchObject({
      code: 'provider_malformed_response',
    });
  });
});

describe('OpenAiChatModel.stream', () => {
  it('yields the deltas when the server splits lines and characters across writes', async () => {
    const body = Buffer.from(
      ': keep-alive\n\n' +
        `data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant' } }] })}\n\n` +
        chunk('Hel') +
        chunk('lo, ') +
        chunk('世界') +
        chunk(null, 'stop') +
        'data: [DONE]\n\n',
    );
    // Cut points inside "data:", inside the JSON, inside a 3-byte character and between \n\n.
    const han = body.indexOf(Buffer.from('世'));
    const cuts = [3, body.indexOf('Hel') + 1, han + 1, han + 4, body.indexOf('[DONE]') - 1];
    const parts = [0, ...cuts].map((start, index) => body.subarray(start, cuts[index] ?? body.length));
    provider.handle((_request, response) => writeSlowly(response, parts));

    expect(await collect(chatModel().stream({ messages }))).toEqual(['Hel', 'lo, ', '世界']);
    expect(provider.requests[0]?.body).toMatchObject({ stream: true });
    expect(provider.requests[0]?.headers.accept).toBe('text/event-stream');
  });

  it('fails with provider_stream_interrupted when the connection ends mid-answer', async () => {
    provider.handle(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('partial'));
      await delay(20);
      response.destroy();
    });
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const delta of chatModel().stream({ messages })) deltas.push(delta);
    })();
    await expect(reading).rejects.toMatchObject({ code: 'provider_stream_interrupted' });
    expect(deltas).toEqual(['partial']);
  });

  it('fails with provider_stream_failed on an error event', async () => {
    provider.handle((_request, response) =>
      writeSlowly(response, [
        chunk('a'),
        `data: ${JSON.stringify({ error: { message: 'overloaded' } })}\n\n`,
      ]),
    );
    await expect(collect(chatModel().stream({ messages }))).rejects.toMatchObject({
      code: 'provider_stream_failed',
      details: { providerMessage: 'overloaded' },
    });
  });

  it('retries a 503 before the stream starts', async () => {
    provider.handle((_request, response, number) =>
      number === 0
        ? sendJson(response, 503, {})
        : writeSlowly(response, [chunk('ok', 'stop'), 'data: [DONE]\n\n']),
    );
    expect(await collect(chatModel().stream({ messages }))).toEqual(['ok']);
    expect(provider.requests).toHaveLength(2);
  });

  it('closes the connection when the caller stops reading early', async () => {
    let closed = false;
    provider.handle(async (_request, response) => {
      response.once('close', () => {
        closed = true;
      });
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 100 && !closed; index += 1) {
        response.write(chunk(`part ${index} `));
        await delay(10);
      }
      response.end();
    });
    for await (const delta of chatModel().stream({ messages })) {
      expect(delta).toBe('part 0 ');
      break;
    }
    await delay(50);
    expect(closed).toBe(true);
  });

  it('stops when the caller aborts mid-stream', async () => {
    provider.handle(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('first'));
      await delay(5_000);
      response.end();
    });
    const controller = new AbortController();
    const deltas: string[] = [];
    const started = performance.now();
    const reading = (async () => {
      for await (const delta of chatModel().stream({ messages, signal: controller.signal })) {
        deltas.push(delta);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(deltas).toEqual(['first']);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
