import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentAnswer, AgentEvent } from '../../src/core/agent.js';
import type { Tenant } from '../../src/tenancy/tenant-service.js';
import { describeEachDriver } from '../support/test-databases.js';
import { bearer, createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';
import { agentCorpus } from './agent-fixture-corpus.js';

/** Parses a text/event-stream body into its events. */
function parseEvents(body: string): { event: string; data: AgentEvent }[] {
  return body
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) as AgentEvent };
    });
}

describeEachDriver('agent end to end (offline model)', (driver) => {
  let platform: TestPlatform;
  let tenant: Tenant;
  let other: Tenant;
  let readerKey: string;
  let otherKey: string;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    tenant = await runtime.tenants.create({ slug: 'agent', name: 'Agent' });
    other = await runtime.tenants.create({ slug: 'agent-other', name: 'Other' });
    readerKey = (await runtime.keys.create({ name: 'reader', role: 'reader', tenantId: tenant.id })).key;
    otherKey = (await runtime.keys.create({ name: 'other', role: 'owner', tenantId: other.id })).key;
    await runtime.startWorker();
    const results = await runtime.documents.intake(
      tenant.id,
      Object.entries(agentCorpus).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
    );
    await waitForDocuments(runtime, tenant.id, results.map((result) => result.id), 120_000);
  }, 600_000);
  afterAll(() => platform?.dispose());

  const ask = (message: string, extra: Record<string, unknown> = {}) =>
    platform.runtime.agent.ask(tenant.id, { message, ...extra });
  const citedFiles = (answer: AgentAnswer) => answer.citations.map((citation) => citation.fileName);

  it('answers a single-hop question with the span and a citation of the passage that holds it', async () => {
    const answer = await ask('When did Marie Curie win the Nobel Prize in Physics?');
    expect(answer.notFound).toBe(false);
    expect(answer.model).toBe('offline');
    expect(answer.shortAnswer).toBe('1903');
    expect(answer.text).toMatch(/^1903 \[1\]/);
    expect(citedFiles(answer)[0]).toBe('marie-curie.md');
    expect(answer.citations[0]!.supported).toBe(true);
    expect(answer.citations[0]!.quote).toContain('1903');
    expect(answer.citations[0]!.sectionPath).toEqual(['Marie Curie']);
  });

  it('answers a two-hop question through the bridge entity and cites both passages', async () => {
    const answer = await ask('In which city was the founder of the Radium Institute born?');
    expect(answer.notFound).toBe(false);
    expect(answer.shortAnswer).toBe('Warsaw');
    expect(citedFiles(answer)).toEqual(expect.arrayContaining(['radium-institute.md', 'marie-curie.md']));
    expect(answer.citations.every((citation) => citation.supported)).toBe(true);
  });

  it('answers a Chinese question from the Chinese passage', async () => {
    const answer = await ask('长城位于哪个国家的北部？');
    expect(answer.notFound).toBe(false);
    expect(answer.text).toContain('中国');
    expect(citedFiles(answer)).toContain('great-wall.md');
  });

  it('says plainly when the documents do not answer', async () => {
    const answer = await ask('What is the boiling point of liquid nitrogen?');
    expect(answer.notFound).toBe(true);
    expect(answer.text).toBe('The documents do not answer this question.');
    expect(answer.citations).toEqual([]);
  });

  it('treats retrieved text as data: an instruction inside a passage does not change the answer', async () => {
    const answer = await ask('When was the Eiffel Tower completed?');
    expect(answer.shortAnswer).toBe('1889');
    expect(answer.shortAnswer).not.toContain('Rome');
  });

  it('remembers the thread: a follow-up resolves its pronoun from the previous answer', async () => {
    const first = await ask('Who founded the Radium Institute?');
    expect(first.text).toContain('Marie Curie');
    const second = await ask('Where was she born?', { threadId: first.threadId });
    expect(second.threadId).toBe(first.threadId);
    expect(second.shortAnswer).toBe('Warsaw');
    const thread = await platform.runtime.agent.threads.get(tenant.id, first.threadId);
    expect(thread.runCount).toBe(2);
  });

  it('streams POST /v1/chat as server-sent events ending with the answer, and stores the trace', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/chat',
      headers: bearer(readerKey),
      payload: { message: 'When did Marie Curie win the Nobel Prize in Physics?', mode: 'auto' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = parseEvents(response.body);
    expect(events[0]!.event).toBe('run_start');
    expect(events.at(-1)!.event).toBe('answer');
    expect(events.every((entry) => entry.event === entry.data.type)).toBe(true);
    const nodes = events.filter((entry) => entry.event === 'node_start').map((entry) => (entry.data as { node: string }).node);
    expect(nodes.slice(0, 3)).toEqual(['understand', 'retrieve', 'grade']);
    expect(nodes.slice(-2)).toEqual(['answer', 'verify']);
    const toolCall = events.find((entry) => entry.event === 'tool_call')!.data as Extract<AgentEvent, { type: 'tool_call' }>;
    expect(toolCall.tool).toBe('search');
    const toolResult = events.find((entry) => entry.event === 'tool_result')!.data as Extract<AgentEvent, { type: 'tool_result' }>;
    expect((toolResult.result as { hits: { explanation: unknown }[] }).hits[0]!.explanation).toBeDefined();
    expect(events.some((entry) => entry.event === 'token')).toBe(true);
    const answer = (events.at(-1)!.data as Extract<AgentEvent, { type: 'answer' }>).answer;

    const run = await platform.app.inject({
      method: 'GET',
      url: `/v1/threads/${answer.threadId}/runs/${answer.runId}`,
      headers: bearer(readerKey),
    });
    expect(run.statusCode).toBe(200);
    const record = run.json();
    expect(record.status).toBe('completed');
    expect(record.answer.text).toBe(answer.text);
    expect(record.trace.map((step: { node: string }) => step.node)).toEqual(nodes);
    expect(record.trace[1].toolCalls[0].chunkIds.length).toBeGreaterThan(0);
    expect(record.trace.find((step: { node: string }) => step.node === 'answer').model).toBe('offline');
  });

  it("runs the request of README's 'Ask questions' example", async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('## Ask questions');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 3));
    const payload = JSON.parse(/-d '(\{.*?\})'/.exec(section)![1]!) as Record<string, unknown>;
    const response = await platform.app.inject({ method: 'POST', url: '/v1/chat', headers: bearer(readerKey), payload });
    expect(response.statusCode).toBe(200);
    const last = parseEvents(response.body).at(-1)!;
    expect(last.event).toBe('answer');
    expect((last.data as Extract<AgentEvent, { type: 'answer' }>).answer.text).toContain('Charles Babbage');
  });

  it('lists, renames and deletes threads; another tenant cannot see or continue them', async () => {
    const answer = await ask('Who developed the theory of relativity?');
    const list = await platform.app.inject({ method: 'GET', url: '/v1/threads', headers: bearer(readerKey) });
    expect(list.json().threads.map((thread: { id: string }) => thread.id)).toContain(answer.threadId);

    const foreignRead = await platform.app.inject({ method: 'GET', url: `/v1/threads/${answer.threadId}`, headers: bearer(otherKey) });
    expect(foreignRead.statusCode).toBe(404);
    const foreignRun = await platform.app.inject({
      method: 'GET',
      url: `/v1/threads/${answer.threadId}/runs/${answer.runId}`,
      headers: bearer(otherKey),
    });
    expect(foreignRun.statusCode).toBe(404);
    const foreignList = await platform.app.inject({ method: 'GET', url: '/v1/threads', headers: bearer(otherKey) });
    expect(foreignList.json().threads).toEqual([]);
    const foreignContinue = await platform.app.inject({
      method: 'POST',
      url: '/v1/chat',
      headers: bearer(otherKey),
      payload: { message: 'And when was he born?', threadId: answer.threadId },
    });
    expect(foreignContinue.statusCode).toBe(404);
    expect(foreignContinue.json().error.code).toBe('thread_not_found');
    const foreignDelete = await platform.app.inject({ method: 'DELETE', url: `/v1/threads/${answer.threadId}`, headers: bearer(otherKey) });
    expect(foreignDelete.statusCode).toBe(404);
    // Row-level security guards the checkpoints themselves, not only the thread table.
    const visibleCheckpoints = await platform.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM agent_checkpoints.checkpoints WHERE thread_id = $1',
      [answer.threadId],
    );
    expect(visibleCheckpoints.rows[0]!.count).toBeGreaterThan(0);
    const { withTenant } = await import('../../src/db/tenant-scope.js');
    const asOther = await withTenant(platform.database, other.id, (transaction) =>
      transaction.query<{ count: number }>('SELECT count(*)::int AS count FROM agent_checkpoints.checkpoints WHERE thread_id = $1', [
        answer.threadId,
      ]),
    );
    expect(asOther.rows[0]!.count).toBe(0);

    const renamed = await platform.app.inject({
      method: 'PATCH',
      url: `/v1/threads/${answer.threadId}`,
      headers: bearer(readerKey),
      payload: { title: 'Relativity' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().title).toBe('Relativity');
    const deleted = await platform.app.inject({ method: 'DELETE', url: `/v1/threads/${answer.threadId}`, headers: bearer(readerKey) });
    expect(deleted.statusCode).toBe(200);
    const gone = await platform.app.inject({ method: 'GET', url: `/v1/threads/${answer.threadId}`, headers: bearer(readerKey) });
    expect(gone.statusCode).toBe(404);
    const checkpointsLeft = await platform.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM agent_checkpoints.checkpoints WHERE thread_id = $1',
      [answer.threadId],
    );
    expect(checkpointsLeft.rows[0]!.count).toBe(0);
  });

  it('rejects malformed chat requests with 4xx and stable codes', async () => {
    const cases: [unknown, number, string][] = [
      [{}, 400, 'validation_failed'],
      [{ message: '   ' }, 400, 'validation_failed'],
      [{ message: 'hi', mode: 'psychic' }, 400, 'validation_failed'],
      [{ message: 'hi', threadId: 'not-a-uuid' }, 400, 'validation_failed'],
      [{ message: 'hi', budget: { maxSteps: 0 } }, 400, 'validation_failed'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await platform.app.inject({ method: 'POST', url: '/v1/chat', headers: bearer(readerKey), payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().error.code).toBe(code);
    }
    const anonymous = await platform.app.inject({ method: 'POST', url: '/v1/chat', payload: { message: 'hi' } });
    expect(anonymous.statusCode).toBe(401);
    const badRename = await platform.app.inject({
      method: 'PATCH',
      url: '/v1/threads/00000000-0000-4000-8000-000000000000',
      headers: bearer(readerKey),
      payload: { title: '' },
    });
    expect(badRename.statusCode).toBe(400);
    const missing = await platform.app.inject({
      method: 'GET',
      url: '/v1/threads/00000000-0000-4000-8000-000000000000',
      headers: bearer(readerKey),
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('agent fixture', () => {
  it('has a two-hop chain whose answer is not in the first passage', () => {
    expect(agentCorpus['radium-institute.md']).not.toContain('Warsaw');
    expect(agentCorpus['marie-curie.md']).toContain('Warsaw');
  });
});
