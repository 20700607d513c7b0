import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OpenAiChatModel } from '../../models/openai-compatible/openai-chat-model.js';
import {
  startChatCompletionsTestServer,
  type ChatCompletionsTestServer,
} from './chat-completions-test-server.js';
import { mergeDescriptions } from './merge-entity-descriptions.js';

let server: ChatCompletionsTestServer;
let chatModel: OpenAiChatModel;

beforeAll(async () => {
  server = await startChatCompletionsTestServer();
  chatModel = new OpenAiChatModel({
    baseUrl: server.baseUrl,
    model: 'summary-model',
    maxRetries: 0,
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  await server.close();
});

describe('mergeDescriptions', () => {
  it('joins distinct descriptions, the existing one first, without asking the model when they fit', async () => {
    server.answer(() => 'should not be asked');
    const merged = await mergeDescriptions(
      'Paris is the capital of France.',
      ['A city on the Seine.', '  paris IS the capital   of France. ', 'A city on the Seine.', ''],
      { chatModel, maxLength: 200 },
    );
    expect(merged).toBe('Paris is the capital of France.\nA city on the Seine.');
    expect(server.requests).toHaveLength(0);
  });

  it('compares each line of a stored, already merged description', async () => {
    const merged = await mergeDescriptions('First line.\nSecond line.', ['second line.', 'Third line.'], {
      maxLength: 200,
    });
    expect(merged).toBe('First line.\nSecond line.\nThird line.');
  });

  it('cuts at a sentence end under the limit when there is no model', async () => {
    const merged = await mergeDescriptions(
      'Ada Lovelace was a mathematician.',
      ['She wrote the first published program. She worked with Charles Babbage on the Analytical Engine.'],
      { maxLength: 80 },
    );
    expect(merged).toBe('Ada Lovelace was a mathematician.\nShe wrote the first published program.');
    expect(merged.length).toBeLessThanOrEqual(80);
  });

  it('cuts Chinese text at a full-width sentence end', async () => {
    const merged = await mergeDescriptions(
      '清华大学是一所大学。',
      ['清华大学位于北京。清华大学成立于1911年，历史悠久。'],
      {
        maxLength: 22,
      },
    );
    expect(merged).toBe('清华大学是一所大学。\n清华大学位于北京。');
  });

  it('asks the model for a summary only when over the limit, and returns it', async () => {
    const descriptions = [
      'Marie Curie was a physicist.',
      'Marie Curie won two Nobel Prizes.',
      'Marie Curie worked in Paris.',
    ];
    server.answer(() => 'Marie Curie, a Paris physicist, won two Nobel Prizes.');
    const merged = await mergeDescriptions(descriptions[0] ?? '', descriptions.slice(1), {
      chatModel,
      maxLength: 70,
      subject: 'Marie Curie',
    });
    expect(merged).toBe('Marie Curie, a Paris physicist, won two Nobel Prizes.');

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.temperature).toBe(0);
    const prompt = request?.messages[0]?.content ?? '';
    for (const description of descriptions) expect(prompt).toContain(`- ${description}`);
    expect(prompt).toContain('"Marie Curie"');
    // Asked for 80% of the limit, to leave room for loose counting.
    expect(prompt).toContain('at most 56 characters');
  });

  it('never returns more than maxLength, whatever the model answers', async () => {
    const long = 'This summary ignores the limit. '.repeat(20);
    server.answer(() => long);
    const merged = await mergeDescriptions('x'.repeat(50), ['y'.repeat(50)], { chatModel, maxLength: 60 });
    expect(merged.length).toBeLessThanOrEqual(60);
    expect(merged).toBe('This summary ignores the limit.');

    // An empty answer keeps the descriptions, cut to fit.
    server.answer(() => '<think>hmm</think>  ');
    const kept = await mergeDescriptions('First fact here.', ['Second fact here.'], {
      chatModel,
      maxLength: 20,
    });
    expect(kept).toBe('First fact here.');
  });

  it('rejects a limit that is not a positive integer', async () => {
    await expect(mergeDescriptions('a', [], { maxLength: 0 })).rejects.toThrow(RangeError);
  });
});
