import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startFakeProvider, sendJson, type FakeProvider, type ReceivedRequest } from '../../src/models/openai-compatible/fake-provider-server.js';
import type { Tenant } from '../../src/tenancy/tenant-service.js';
import { describeEachDriver } from '../support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';
import { agentCorpus } from './agent-fixture-corpus.js';

interface ScriptedToolCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/** Answers a streamed chat completion in OpenAI's wire format: text deltas or tool-call deltas, then usage. */
function streamCompletion(response: ServerResponse, reply: { content?: string; toolCalls?: ScriptedToolCall[] }): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: 'scripted-model' };
  const send = (payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
  send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  if (reply.toolCalls) {
    reply.toolCalls.forEach((call, index) =>
      send({
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }] },
            finish_reason: null,
          },
        ],
      }),
    );
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
  } else {
    for (const piece of (reply.content ?? '').match(/.{1,12}/gs) ?? []) {
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  }
  send({ ...base, choices: [], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } });
  response.end('data: [DONE]\n\n');
}

interface WireMessage {
  role: string;
  content: string | null;
  tool_calls?: unknown[];
}

const messagesOf = (request: ReceivedRequest) => (request.body as { messages: WireMessage[] }).messages;

/**
 * The scripted model: first asks the `search` tool for the founder's birthplace, then answers from
 * the passage that mentions Warsaw, citing the number the agent gave that passage.
 */
function scriptedAgent(request: ReceivedRequest, response: ServerResponse): void {
  const messages = messagesOf(request);
  const toolMessages = messages.filter((message) => message.role === 'tool');
  if (toolMessages.length === 0) {
    streamCompletion(response, { toolCalls: [{ name: 'search', arguments: { query: 'Marie Curie born Warsaw', mode: 'bm25', k: 3 } }] });
    return;
  }
  const everything = messages.map((message) => message.content ?? '').join('\n');
  const number = /<passage n="(\d+)"[^>]*>[^<]*Warsaw/.exec(everything)?.[1];
  streamCompletion(response, { content: number ? `Marie Curie was born in Warsaw [${number}].` : 'The documents do not answer this question.' });
}

describeEachDriver('agent with an OpenAI-compatible model (scripted tool calls)', (driver) => {
  let provider: FakeProvider;
  let platform: TestPlatform;
  let tenant: Tenant;

  beforeAll(async () => {
    provider = await startFakeProvider();
    platform = await createTestPlatform(driver, {
      CHAT_PROVIDER: 'openai',
      CHAT_BASE_URL: provider.baseUrl,
      CHAT_MODEL: 'scripted-model',
      RHIZOME_EXTRACTION: 'offline',
      MODEL_MAX_RETRIES: '0',
      RHIZOME_BREAKER_FAILURES: '2',
      RHIZOME_BREAKER_RESET_MS: '600000',
    });
    const { runtime } = platform;
    tenant = await runtime.tenants.create({ slug: 'provider', name: 'Provider' });
    await runtime.startWorker();
    const results = await runtime.documents.intake(
      tenant.id,
      Object.entries(agentCorpus).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
    );
    await waitForDocuments(runtime, tenant.id, results.map((result) => result.id), 120_000);
  }, 600_000);
  afterAll(async () => {
    await platform?.dispose();
    await provider?.close();
  });

  const ask = (message: string) => platform.runtime.agent.ask(tenant.id, { message });

  it('lets the model call a tool, then answers with its citation mapped to the fetched passage', async () => {
    provider.handle(scriptedAgent);
    const answer = await ask('Where was the founder of the Radium Institute born?');
    expect(answer.model).toBe('scripted-model');
    expect(answer.degraded).toBeUndefined();
    expect(answer.text).toMatch(/^Marie Curie was born in Warsaw \[\d+\]\.$/);
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]!.fileName).toBe('marie-curie.md');
    expect(answer.citations[0]!.supported).toBe(true);
    expect(answer.usage.promptTokens).toBe(200);
    expect(provider.requests).toHaveLength(2);
    // The tool call ran through the agent's validated tool and is part of the trace.
    const run = await platform.runtime.agentThreads.getRun(tenant.id, answer.threadId, answer.runId);
    const answerStep = run.trace.find((step) => step.node === 'answer')!;
    expect(answerStep.model).toBe('scripted-model');
    expect(answerStep.toolCalls.map((call) => call.tool)).toEqual(['search']);
    expect(answerStep.toolCalls[0]!.arguments).toMatchObject({ query: 'Marie Curie born Warsaw', mode: 'bm25', k: 3 });
    // The tools were offered to the model.
    const offered = (provider.requests[0]!.body as { tools: { function: { name: string } }[] }).tools.map((entry) => entry.function.name);
    expect(offered).toEqual(expect.arrayContaining(['search', 'graph_neighbors', 'entity', 'get_chunk', 'get_document']));
  });

  it('sends retrieved text as delimited data, with injected instructions escaped inside their passage', async () => {
    provider.handle((_request, response) => streamCompletion(response, { content: 'It was completed in 1889 [1].' }));
    await ask('When was the Eiffel Tower completed?');
    const messages = messagesOf(provider.requests[0]!);
    const system = messages.find((message) => message.role === 'system')!.content!;
    expect(system).toContain('untrusted data');
    expect(system).not.toContain('IGNORE ALL PREVIOUS INSTRUCTIONS');
    const user = messages.find((message) => message.role === 'user')!.content!;
    const injected = /<passage n="\d+" source="Eiffel Tower">\n([^]*?)\n<\/passage>/.exec(user);
    expect(injected?.[1]).toContain('IGNORE ALL PREVIOUS INSTRUCTIONS');
  });

  it('rejects invalid tool arguments with the schema error and lets the model recover', async () => {
    provider.handle((request, response) => {
      const tools = messagesOf(request).filter((message) => message.role === 'tool');
      if (tools.length === 0) {
        streamCompletion(response, { toolCalls: [{ name: 'get_chunk', arguments: { chunkId: 'drop table chunks' } }] });
      } else {
        streamCompletion(response, { content: `Tool said: ${tools[0]!.content!.slice(0, 40)}` });
      }
    });
    const answer = await ask('Fetch chunk something');
    expect(answer.text).toContain('Tool said:');
    const second = messagesOf(provider.requests[1]!).find((message) => message.role === 'tool')!.content!;
    expect(second).toMatch(/error/i);
  });

  it('degrades to the offline model when the provider fails, opens the circuit, and closes it when the provider recovers', async () => {
    provider.handle((_request, response) => sendJson(response, 500, { error: { message: 'provider down' } }));
    const first = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(first.model).toBe('offline');
    expect(first.degraded?.provider).toBe('scripted-model');
    expect(first.shortAnswer).toBe('1903');
    const second = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(second.degraded).toBeDefined();
    const callsWhenOpened = provider.requests.length;
    expect(callsWhenOpened).toBe(2);

    // Open: the provider is not called at all.
    const third = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(third.degraded?.reason).toContain('circuit is open');
    expect(provider.requests.length).toBe(callsWhenOpened);

    // Recovered provider: after the reset interval (the clock is moved past it, not waited for) one
    // trial call goes through and closes the circuit.
    provider.handle((_request, response) => streamCompletion(response, { content: 'She won it in 1903 [1].' }));
    vi.useFakeTimers({ toFake: ['Date'] });
    let recovered;
    try {
      vi.setSystemTime(Date.now() + 601_000);
      recovered = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    } finally {
      vi.useRealTimers();
    }
    expect(recovered.degraded).toBeUndefined();
    expect(recovered.model).toBe('scripted-model');
    const next = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(next.degraded).toBeUndefined();
  });

  it('follows the tenant settings: offline when the tenant opts out, another model name when it asks', async () => {
    provider.handle((_request, response) => streamCompletion(response, { content: 'In 1903 [1].' }));
    await platform.runtime.agentSettings.put(tenant.id, { model: 'offline' });
    const offline = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(offline.model).toBe('offline');
    expect(offline.degraded).toBeUndefined();
    expect(provider.requests).toHaveLength(0);

    await platform.runtime.agentSettings.put(tenant.id, { model: 'provider', providerModel: 'tenant-model' });
    const chosen = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(chosen.model).toBe('tenant-model');
    expect((provider.requests[0]!.body as { model: string }).model).toBe('tenant-model');
    await platform.runtime.agentSettings.put(tenant.id, {});
  });
});

