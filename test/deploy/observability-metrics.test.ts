import type { ServerResponse } from 'node:http';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  sendJson,
  startFakeProvider,
  type FakeProvider,
  type ReceivedRequest,
} from '../../src/models/openai-compatible/fake-provider-server.js';
import { startTracing, type Tracing } from '../../src/platform/tracing.js';
import type { Tenant } from '../../src/tenancy/tenant-service.js';
import { describeEachDriver, silentLogger } from '../support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

/**
 * The service's own metrics and spans move with its work: an ingest records every stage's duration,
 * the job's outcome and the queue depth while it waits; a chat through an OpenAI-compatible model
 * counts the model's tokens (and failures) against the tenant that asked; agent nodes and model
 * calls are spans of one trace.
 */
const model = 'metered-model';
const promptTokens = 100;
const completionTokens = 20;

/** An OpenAI chat completion (streamed or not) with usage, or a provider failure when `failing`. */
function answerChat(failing: () => boolean) {
  return (request: ReceivedRequest, response: ServerResponse): void => {
    if (failing()) {
      sendJson(response, 500, { error: { message: 'provider down' } });
      return;
    }
    const content = 'The Bell Rock lighthouse was completed in 1810 [1].';
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const base = { id: 'chatcmpl-metrics', created: 1, model };
    if ((request.body as { stream?: boolean }).stream !== true) {
      sendJson(response, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage,
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = { ...base, object: 'chat.completion.chunk' };
    send({ ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] });
    send({ ...chunk, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    send({ ...chunk, choices: [], usage });
    response.end('data: [DONE]\n\n');
  };
}

/** The value of one series on /metrics (0 when absent), labels matched exactly as given. */
function seriesValue(metrics: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const present = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) total += Number(line.split(' ').at(-1));
  }
  return total;
}

describeEachDriver('metrics and spans move with ingestion and chat', (driver) => {
  let provider: FakeProvider;
  let platform: TestPlatform;
  let tenant: Tenant;
  let readerKey: string;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();
  let providerFails = false;

  const scrape = async (): Promise<string> => (await platform.app.inject({ url: '/metrics' })).body;
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);
  const parentOf = (span: ReadableSpan): ReadableSpan | undefined =>
    exporter.getFinishedSpans().find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);

  beforeAll(async () => {
    tracing = startTracing(
      { profile: 'test', telemetry: { serviceName: 'rhizome-test', sampleRatio: 1, otlpEndpoint: undefined } },
      silentLogger,
      [new SimpleSpanProcessor({ exporter })],
    );
    provider = await startFakeProvider();
    provider.handle(answerChat(() => providerFails));
    platform = await createTestPlatform(driver, {
      CHAT_PROVIDER: 'openai',
      CHAT_BASE_URL: provider.baseUrl,
      CHAT_MODEL: model,
      RHIZOME_EXTRACTION: 'offline',
      MODEL_MAX_RETRIES: '0',
      RHIZOME_BREAKER_FAILURES: '50',
    });
    tenant = await platform.runtime.tenants.create({ slug: 'metered', name: 'Metered' });
    readerKey = (await platform.runtime.keys.create({ name: 'reader', role: 'reader', tenantId: tenant.id })).key;
  }, 600_000);
  afterAll(async () => {
    await platform?.dispose();
    await provider?.close();
    await tracing?.shutdown();
  });

  it('counts the queue, every ingestion stage and the job outcome, in spans under one attempt', async () => {
    const stages = ['parsing', 'chunking', 'embedding', 'extracting', 'writing'];
    const before = await scrape();
    // No worker yet: the job waits in the queue, and the gauge says so.
    const [document] = await platform.runtime.documents.intake(tenant.id, [
      {
        fileName: 'bell-rock.md',
        bytes: Buffer.from('# Bell Rock\n\nThe Bell Rock lighthouse was completed in 1810 by Robert Stevenson.\n'),
      },
    ]);
    expect(seriesValue(await scrape(), 'rhizome_ingestion_queue_depth', { state: 'queued' })).toBe(1);

    await platform.runtime.startWorker();
    const [record] = await waitForDocuments(platform.runtime, tenant.id, [document!.id]);
    expect(record!.status).toBe('indexed');
    const after = await scrape();
    for (const stage of stages) {
      const count = (metrics: string) => seriesValue(metrics, 'rhizome_ingestion_stage_duration_seconds_count', { stage });
      expect(count(after) - count(before), stage).toBe(1);
    }
    const indexed = (metrics: string) => seriesValue(metrics, 'rhizome_ingestion_jobs_total', { outcome: 'indexed' });
    expect(indexed(after) - indexed(before)).toBe(1);
    expect(seriesValue(after, 'rhizome_ingestion_queue_depth', { state: 'queued' })).toBe(0);

    const attempt = spans('ingest.document').find((span) => span.attributes['rhizome.document'] === document!.id);
    expect(attempt?.attributes['rhizome.tenant']).toBe(tenant.id);
    for (const stage of ['parsing', 'chunking', 'embedding', 'extracting']) {
      const span = spans(`ingest.${stage}`).find((candidate) => parentOf(candidate) === attempt);
      expect(span, stage).toBeDefined();
    }
    expect(spans('ingest.writing').length).toBeGreaterThan(0);
  }, 300_000);

  it('counts a chat’s model tokens against the tenant, with agent nodes and the model call as spans', async () => {
    const tokens = (metrics: string, kind: string) =>
      seriesValue(metrics, 'rhizome_model_tokens_total', { tenant: tenant.id, model, kind });
    const before = await scrape();
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/chat',
      headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
      payload: { message: 'When was the Bell Rock lighthouse completed?' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('event: answer');
    const after = await scrape();
    const calls = provider.requests.filter((request) => request.url.pathname.endsWith('/chat/completions')).length;
    expect(calls).toBeGreaterThan(0);
    expect(tokens(after, 'prompt') - tokens(before, 'prompt')).toBe(promptTokens * calls);
    expect(tokens(after, 'completion') - tokens(before, 'completion')).toBe(completionTokens * calls);
    // Nobody else's counter moved.
    expect(seriesValue(after, 'rhizome_model_tokens_total', { tenant: 'none', model })).toBe(0);

    const run = spans('agent.run').at(-1)!;
    expect(run.attributes['rhizome.tenant']).toBe(tenant.id);
    const nodes = exporter
      .getFinishedSpans()
      .filter((span) => span.name.startsWith('agent.') && span.name !== 'agent.run' && parentOf(span) === run)
      .map((span) => span.name);
    expect(nodes).toEqual(expect.arrayContaining(['agent.understand', 'agent.retrieve', 'agent.answer']));
    const modelCall = spans('model.chat').at(-1)!;
    expect(modelCall.attributes['gen_ai.request.model']).toBe(model);
    // The model call nests under a node of the same run.
    let ancestor = parentOf(modelCall);
    while (ancestor && ancestor !== run) ancestor = parentOf(ancestor);
    expect(ancestor).toBe(run);
  }, 300_000);

  it('counts a failing model call as an error of the tenant', async () => {
    const errors = (metrics: string) =>
      seriesValue(metrics, 'rhizome_model_errors_total', { tenant: tenant.id, model, operation: 'chat' });
    const before = errors(await scrape());
    providerFails = true;
    try {
      const response = await platform.app.inject({
        method: 'POST',
        url: '/v1/chat',
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        payload: { message: 'Who built the Bell Rock lighthouse?' },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      providerFails = false;
    }
    expect(errors(await scrape()) - before).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
