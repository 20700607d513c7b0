import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver, silentLogger } from '../../test/support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../../test/support/test-platform.js';
import { buildServer } from './build-server.js';
import type { OpenAiCitation, RhizomeExtension } from './openai/chat-completion-format.js';

const corpus = {
  'lovelace.md':
    '# Ada Lovelace\n\nAda Lovelace wrote the first program for the Analytical Engine designed by Charles Babbage.',
  'babbage.md': '# Charles Babbage\n\nCharles Babbage was born in London and designed the Difference Engine.',
  'tea.md': '# Tea\n\nGreen tea and black tea come from the same plant, Camellia sinensis.',
};

type RhizomeCompletion = OpenAI.Chat.Completions.ChatCompletion & {
  citations: OpenAiCitation[];
  rhizome: RhizomeExtension;
};

// The official openai client against a started server answering through the real offline agent.
describeEachDriver('OpenAI-compatible API (real agent)', (driver) => {
  let platform: TestPlatform;
  let app: FastifyInstance;
  let client: OpenAI;
  let otherClient: OpenAI;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    const tenant = await runtime.tenants.create({ slug: 'lab', name: 'Lab' });
    const other = await runtime.tenants.create({ slug: 'lab-other', name: 'Other' });
    const key = (await runtime.keys.create({ name: 'openai', role: 'reader', tenantId: tenant.id })).key;
    const otherKey = (await runtime.keys.create({ name: 'openai', role: 'reader', tenantId: other.id })).key;
    await runtime.startWorker();
    const results = await runtime.documents.intake(
      tenant.id,
      Object.entries(corpus).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
    );
    await waitForDocuments(
      runtime,
      tenant.id,
      results.map((result) => result.id),
    );
    app = await buildServer({ ...runtime, config: platform.config, logger: silentLogger });
    const baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
    client = new OpenAI({ apiKey: key, baseURL, maxRetries: 0 });
    otherClient = new OpenAI({ apiKey: otherKey, baseURL, maxRetries: 0 });
  }, 600_000);
  afterAll(async () => {
    await app?.close();
    await platform?.dispose();
  });

  const question = 'Who wrote the first program for the Analytical Engine?';

  it('answers with citations in the text and in the citations field', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'rhizome-agent', messages: [{ role: 'user', content: question }] })
      .withResponse();
    const completion = data as RhizomeCompletion;
    const content = completion.choices[0]!.message.content!;
    expect(content).toContain('Ada Lovelace');
    expect(content).toMatch(/\[1\]/);
    expect(content).toMatch(/Sources:\n\[1\] Ada Lovelace \(lovelace\.md/);
    expect(completion.citations.map((citation) => citation.file_name)).toContain('lovelace.md');
    expect(completion.rhizome.not_found).toBe(false);
    expect(completion.rhizome.answer_model).toBe('offline');
    expect(completion.usage!.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
    expect(response.headers.get('x-rhizome-thread-id')).toBe(completion.rhizome.thread_id);
  });

  it('streams the same answer in chunks, with usage and a finish reason', async () => {
    const stream = await client.chat.completions.create({
      model: 'rhizome-mix',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let citations: OpenAiCitation[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
      const extra = chunk as unknown as { citations?: OpenAiCitation[] };
      if (extra.citations) citations = extra.citations;
    }
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('Sources:');
    expect(finish).toBe('stop');
    // The offline model spends no language-model tokens; the usage chunk still comes, consistent.
    expect(usage).not.toBeNull();
    expect(usage!.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens);
    expect(citations.map((citation) => citation.file_name)).toContain('lovelace.md');
  });

  it('continues a conversation in the thread named by the header', async () => {
    const first = (await client.chat.completions.create({
      model: 'rhizome-agent',
      messages: [{ role: 'user', content: 'Who designed the Analytical Engine?' }],
    })) as RhizomeCompletion;
    expect(first.choices[0]!.message.content).toContain('Charles Babbage');
    const followUp = (await client.chat.completions.create(
      {
        model: 'rhizome-agent',
        messages: [
          { role: 'user', content: 'Who designed the Analytical Engine?' },
          { role: 'assistant', content: first.choices[0]!.message.content },
          { role: 'user', content: 'Where was he born?' },
        ],
      },
      { headers: { 'x-rhizome-thread-id': first.rhizome.thread_id } },
    )) as RhizomeCompletion;
    expect(followUp.rhizome.thread_id).toBe(first.rhizome.thread_id);
    expect(followUp.choices[0]!.message.content).toContain('London');
  });

  it('says plainly when the documents do not answer', async () => {
    const completion = (await client.chat.completions.create({
      model: 'rhizome-agent',
      messages: [{ role: 'user', content: 'What is the boiling point of mercury on Mars?' }],
    })) as RhizomeCompletion;
    expect(completion.rhizome.not_found).toBe(true);
    expect(completion.citations).toEqual([]);
  });

  it("never answers from another tenant's documents or threads", async () => {
    const mine = (await client.chat.completions.create({
      model: 'rhizome-agent',
      messages: [{ role: 'user', content: question }],
    })) as RhizomeCompletion;
    const theirs = (await otherClient.chat.completions.create({
      model: 'rhizome-agent',
      messages: [{ role: 'user', content: question }],
    })) as RhizomeCompletion;
    expect(theirs.rhizome.not_found).toBe(true);
    expect(theirs.choices[0]!.message.content).not.toContain('Lovelace');
    const borrowed = await otherClient.chat.completions
      .create(
        { model: 'rhizome-agent', messages: [{ role: 'user', content: question }] },
        { headers: { 'x-rhizome-thread-id': mine.rhizome.thread_id } },
      )
      .then(
        () => null,
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
      );
    expect(borrowed).toBeInstanceOf(OpenAI.NotFoundError);
    expect(borrowed!.code).toBe('thread_not_found');
    // Streaming too: the refusal comes before the stream starts, as a 404.
    const borrowedStream = await otherClient.chat.completions
      .create(
        { model: 'rhizome-agent', messages: [{ role: 'user', content: question }], stream: true },
        { headers: { 'x-rhizome-thread-id': mine.rhizome.thread_id } },
      )
      .then(
        () => null,
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
      );
    expect(borrowedStream).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
