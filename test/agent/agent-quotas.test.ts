import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveLimit } from '../../src/agent/run/tenant-quota.js';
import type { Tenant } from '../../src/tenancy/tenant-service.js';
import { describeEachDriver } from '../support/test-databases.js';
import { bearer, createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';
import { agentCorpus } from './agent-fixture-corpus.js';

describe('effective quota', () => {
  it('lets a tenant lower the deployment limit, never lift it; 0 is unlimited', () => {
    expect(effectiveLimit(0, undefined)).toBe(0);
    expect(effectiveLimit(10, undefined)).toBe(10);
    expect(effectiveLimit(10, 3)).toBe(3);
    expect(effectiveLimit(10, 1_000)).toBe(10);
    expect(effectiveLimit(0, 5)).toBe(5);
  });
});

// Token budgets for the offline model and per-tenant quotas over an hour, through the HTTP API.
describeEachDriver('agent budgets and quotas', (driver) => {
  let platform: TestPlatform;
  let limited: Tenant;
  let neighbour: Tenant;
  let spender: Tenant;
  let spenderKey: string;
  let limitedKey: string;
  let neighbourKey: string;
  let ownerKey: string;
  const questionsPerHour = 3;

  beforeAll(async () => {
    platform = await createTestPlatform(driver, { RHIZOME_AGENT_QUESTIONS_PER_HOUR: String(questionsPerHour) });
    const { runtime } = platform;
    limited = await runtime.tenants.create({ slug: 'limited', name: 'Limited' });
    neighbour = await runtime.tenants.create({ slug: 'neighbour', name: 'Neighbour' });
    spender = await runtime.tenants.create({ slug: 'spender', name: 'Spender' });
    spenderKey = (await runtime.keys.create({ name: 'reader', role: 'reader', tenantId: spender.id })).key;
    limitedKey = (await runtime.keys.create({ name: 'reader', role: 'reader', tenantId: limited.id })).key;
    neighbourKey = (await runtime.keys.create({ name: 'reader', role: 'reader', tenantId: neighbour.id })).key;
    ownerKey = (await runtime.keys.create({ name: 'owner', role: 'owner', tenantId: neighbour.id })).key;
    await runtime.startWorker();
    for (const tenant of [limited, neighbour, spender]) {
      const results = await runtime.documents.intake(
        tenant.id,
        Object.entries(agentCorpus).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
      );
      await waitForDocuments(runtime, tenant.id, results.map((result) => result.id), 240_000);
    }
  }, 300_000);
  afterAll(() => platform?.dispose());

  const chat = (key: string, payload: Record<string, unknown>) =>
    platform.app.inject({ method: 'POST', url: '/v1/chat', headers: bearer(key), payload });
  const answerOf = (body: string) => {
    const block = body.split('\n\n').find((part) => part.startsWith('event: answer'))!;
    return JSON.parse(block.split('\n')[1]!.slice('data: '.length)).answer as {
      notFound: boolean;
      text: string;
      citations: unknown[];
      usage: { promptTokens: number; completionTokens: number };
    };
  };

  it('counts the tokens the offline model reads and writes, and reads no more than the token budget allows', async () => {
    const question = 'When did Marie Curie win the Nobel Prize in Physics?';
    const open = answerOf((await chat(spenderKey, { message: question })).body);
    expect(open.notFound).toBe(false);
    expect(open.usage.promptTokens).toBeGreaterThan(0);
    expect(open.usage.completionTokens).toBeGreaterThan(0);

    const tight = 300;
    const budgeted = answerOf((await chat(spenderKey, { message: question, budget: { maxTokens: tight } })).body);
    expect(budgeted.usage.promptTokens).toBeLessThanOrEqual(tight);
    expect(budgeted.usage.promptTokens).toBeLessThan(open.usage.promptTokens);

    // A budget too small for any passage: said plainly, nothing cited.
    const starved = answerOf((await chat(spenderKey, { message: question, budget: { maxTokens: 1 } })).body);
    expect(starved.notFound).toBe(true);
    expect(starved.citations).toEqual([]);
    expect(starved.text).toMatch(/token budget/);
  });

  it('refuses questions past the tenant quota of the hour with 429 agent_quota_exceeded, other tenants unaffected', async () => {
    for (let question = 0; question < questionsPerHour; question += 1) {
      const response = await chat(limitedKey, { message: 'Who discovered polonium?' });
      expect(response.statusCode).toBe(200);
    }
    const refused = await chat(limitedKey, { message: 'Who discovered polonium?' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'agent_quota_exceeded', details: { quota: 'questions', limit: questionsPerHour } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The OpenAI-compatible endpoint answers through the same agent and is refused the same way.
    const completion = await platform.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: bearer(limitedKey),
      payload: { model: 'rhizome-agent', messages: [{ role: 'user', content: 'Who discovered polonium?' }] },
    });
    expect(completion.statusCode).toBe(429);
    // Another tenant's hour is its own.
    expect((await chat(neighbourKey, { message: 'Who discovered polonium?' })).statusCode).toBe(200);
  });

  it("applies a tenant's own lower token quota, and rejects malformed quota settings", async () => {
    const put = (settings: Record<string, unknown>) =>
      platform.app.inject({ method: 'PUT', url: '/v1/agent/settings', headers: bearer(ownerKey), payload: settings });
    for (const bad of [{ quota: { tokensPerHour: 0 } }, { quota: { questionsPerHour: -1 } }, { quota: { perDay: 5 } }, { quota: 'lots' }] as Record<string, unknown>[]) {
      const response = await put(bad);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    // The neighbour has asked one question (the quota test): a quota of one token is used up.
    expect((await put({ quota: { tokensPerHour: 1 } })).statusCode).toBe(200);
    const refused = await chat(neighbourKey, { message: 'Who discovered polonium?' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'agent_quota_exceeded', details: { quota: 'tokens', limit: 1 } });
    // A quota above the deployment's does not lift it (the deployment allows 3 questions per hour).
    expect((await put({ quota: { questionsPerHour: 1_000, tokensPerHour: 1_000_000_000 } })).statusCode).toBe(200);
    for (let question = 1; question < questionsPerHour; question += 1) {
      expect((await chat(neighbourKey, { message: 'Who discovered polonium?' })).statusCode).toBe(200);
    }
    const capped = await chat(neighbourKey, { message: 'Who discovered polonium?' });
    expect(capped.statusCode).toBe(429);
    expect(capped.json().error.details).toMatchObject({ quota: 'questions', limit: questionsPerHour });
  });
});
