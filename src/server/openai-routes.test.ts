import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, testDrivers } from '../../test/support/test-databases.js';
import { createTestPlatform, type TestPlatform } from '../../test/support/test-platform.js';
import { registerAuthentication } from './authentication.js';
import { registerErrorHandling } from './error-handler.js';
import { registerOpenAiRoutes } from './routes/openai-routes.js';
import type { AgentEvent } from '../core/agent.js';
import { searchModes } from '../core/search.js';
import { ScriptedAgent, scriptedRun } from './openai/scripted-agent.js';

// The wire format with the official client over a scripted agent: exact chunks, headers and errors.
// The real agent end to end is in openai-compatible-api.test.ts.
describe('OpenAI-compatible routes (scripted agent)', () => {
  let platform: TestPlatform;
  let app: FastifyInstance;
  let client: OpenAI;
  let baseURL: string;
  let readerKey: string;
  let script: () => AgentEvent[] = () => scriptedRun();
  const agent = new ScriptedAgent(() => script());

  beforeAll(async () => {
    platform = await createTestPlatform(testDrivers[0]!);
    const tenant = await platform.runtime.tenants.create({ slug: 'openai', name: 'OpenAI' });
    readerKey = (await platform.runtime.keys.create({ name: 'r', role: 'reader', tenantId: tenant.id })).key;
    // Only what these routes need, around the scripted agent: error mapping, keys, the routes.
    app = Fastify({ loggerInstance: silentLogger as FastifyBaseLogger });
    registerErrorHandling(app);
    registerAuthentication(app, platform.runtime.keys);
    registerOpenAiRoutes(app, agent, platform.runtime.tenants);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    baseURL = `${address}/v1`;
    client = new OpenAI({ apiKey: readerKey, baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.dispose();
  });

  it('lists rhizome-agent and one model per search mode', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['rhizome-agent', ...searchModes.map((mode) => `rhizome-${mode}`)]);
    expect(models).toEqual(
      expect.arrayContaining(['rhizome-naive', 'rhizome-bm25', 'rhizome-local', 'rhizome-mix']),
    );
    expect((await client.models.retrieve('rhizome-mix')).owned_by).toBe('rhizome');
  });

  it('answers without streaming, mapping the model to the mode', async () => {
    const completion = await client.chat.completions.create({
      model: 'rhizome-local',
      messages: [
        { role: 'system', content: 'You are a pirate.' },
        { role: 'user', content: [{ type: 'text', text: 'Who wrote the first program?' }] },
      ],
    });
    expect(completion.choices[0]!.message.content).toMatch(
      /^Ada Lovelace wrote the first program \[1\]\.\n\nSources:\n\[1\]/,
    );
    expect(completion.usage).toEqual({ prompt_tokens: 120, completion_tokens: 9, total_tokens: 129 });
    expect((completion as unknown as { citations: { file_name: string }[] }).citations[0]!.file_name).toBe(
      'lovelace.md',
    );
    expect(agent.requests.at(-1)).toMatchObject({ message: 'Who wrote the first program?', mode: 'local' });
  });

  it('streams chunks ending with usage and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'rhizome-agent',
      messages: [{ role: 'user', content: 'Who wrote the first program?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toMatch(/^Ada Lovelace wrote the first program \[1\]\.\n\nSources:/);
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 120, completion_tokens: 9, total_tokens: 129 });
    expect(agent.requests.at(-1)).toMatchObject({ mode: 'auto' });
  });

  it('continues a thread named by header and reports the thread', async () => {
    const threadId = '11111111-2222-4333-8444-555555555555';
    const response = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readerKey}`,
        'content-type': 'application/json',
        'x-rhizome-thread-id': threadId,
      },
      body: JSON.stringify({
        model: 'rhizome-agent',
        messages: [{ role: 'user', content: 'And then?' }],
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-rhizome-thread-id')).toBe('5b1f4c1e-7d2a-4c55-9d3e-0a1b2c3d4e5f');
    const body = await response.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(agent.requests.at(-1)).toMatchObject({ threadId });
  });

  it("rejects bad requests in OpenAI's error shape", async () => {
    const failure = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return error as InstanceType<typeof OpenAI.APIError>;
      }
      throw new Error('expected a failure');
    };
    const unknownModel = await failure(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknownModel.code).toBe('model_not_found');
    expect(unknownModel.type).toBe('not_found_error');

    const noMessages = await failure(
      client.chat.completions.create({ model: 'rhizome-agent', messages: [] }),
    );
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noMessages.code).toBe('validation_failed');
    expect(noMessages.param).toBe('messages');

    const lastIsAssistant = await failure(
      client.chat.completions.create({
        model: 'rhizome-agent',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
      }),
    );
    expect(lastIsAssistant.status).toBe(400);
    expect(lastIsAssistant.param).toBe('messages.1.role');

    const twoChoices = await failure(
      client.chat.completions.create({
        model: 'rhizome-agent',
        n: 2,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(twoChoices.status).toBe(400);
    expect(twoChoices.param).toBe('n');

    const badThread = await failure(
      client.chat.completions.create(
        { model: 'rhizome-agent', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-rhizome-thread-id': 'not-a-uuid' } },
      ),
    );
    expect(badThread.status).toBe(400);
    expect(badThread.param).toBe('x-rhizome-thread-id');

    const tooLong = await failure(
      client.chat.completions.create({
        model: 'rhizome-agent',
        messages: [{ role: 'user', content: 'x'.repeat(9_000) }],
      }),
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.param).toBe('messages.0.content');

    const badKey = await failure(
      new OpenAI({ apiKey: 'rhz_wrong_key', baseURL, maxRetries: 0 }).chat.completions.create({
        model: 'rhizome-agent',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(badKey).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(badKey.code).toBe('invalid_credentials');

    const adminWithoutTenant = await failure(
      new OpenAI({ apiKey: platform.adminKey, baseURL, maxRetries: 0 }).models.list(),
    );
    expect(adminWithoutTenant.status).toBe(400);
    expect(adminWithoutTenant.param).toBe('x-rhizome-tenant');

    const notJson = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'invalid_request' },
    });
  });
  it('aborts the run when the client disconnects mid-stream', async () => {
    const runId = 'endless';
    // A run that would stream for a long time: the client leaves after the first chunk.
    script = () => [
      { type: 'run_start', runId, threadId: '5b1f4c1e-7d2a-4c55-9d3e-0a1b2c3d4e5f' },
      ...Array.from({ length: 200_000 }, () => ({ type: 'token' as const, runId, text: 'word ' })),
    ];
    try {
      const controller = new AbortController();
      const response = await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'rhizome-agent',
          messages: [{ role: 'user', content: 'Talk' }],
          stream: true,
        }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain('chat.completion.chunk');
      controller.abort();
      const signal = agent.signals.at(-1)!;
      // Wait for the server to notice the closed connection (no time limit asserted).
      while (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(signal.aborted).toBe(true);
    } finally {
      script = () => scriptedRun();
    }
  });
});
