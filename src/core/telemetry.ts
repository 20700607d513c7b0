import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Instrumentation every layer may call: OpenTelemetry spans (through the API only: they cost
 * nothing until src/platform/tracing.ts installs a tracer provider) and the domain metrics that
 * every role's /metrics serves beside its HTTP metrics. One registry per process: the metrics
 * describe the process's work, whichever server or worker did it.
 */
/** Runs `work` in a span named `name` (active for everything it calls); records failures on it. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  // The tracer is looked up per span: a tracer provider installed (or replaced) later still applies.
  return trace.getTracer('rhizome').startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

export const telemetryRegistry = new Registry();

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2.5, 5, 10, 30];
const stageBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

export const retrievalDuration = new Histogram({
  name: 'rhizome_retrieval_duration_seconds',
  help: 'Search latency by retrieval mode, and whether the answer came from the cache',
  labelNames: ['mode', 'cached'] as const,
  buckets: latencyBuckets,
  registers: [telemetryRegistry],
});

export const retrievalStageDuration = new Histogram({
  name: 'rhizome_retrieval_stage_duration_seconds',
  help: 'Duration of each retrieval stage (bm25, vector, graph, community, fusion, rerank)',
  labelNames: ['stage'] as const,
  buckets: latencyBuckets,
  registers: [telemetryRegistry],
});

export const ingestionStageDuration = new Histogram({
  name: 'rhizome_ingestion_stage_duration_seconds',
  help: 'Duration of each ingestion stage (parsing, chunking, embedding, extracting, writing)',
  labelNames: ['stage'] as const,
  buckets: stageBuckets,
  registers: [telemetryRegistry],
});

export const ingestionJobs = new Counter({
  name: 'rhizome_ingestion_jobs_total',
  help: 'Ingestion job attempts by outcome (indexed, failed, skipped, retried)',
  labelNames: ['outcome'] as const,
  registers: [telemetryRegistry],
});

export const modelTokens = new Counter({
  name: 'rhizome_model_tokens_total',
  help: 'Tokens used by remote models, per tenant, model and kind (prompt, completion, embedding)',
  labelNames: ['tenant', 'model', 'kind'] as const,
  registers: [telemetryRegistry],
});

export const modelErrors = new Counter({
  name: 'rhizome_model_errors_total',
  help: 'Failed remote model calls (after retries), per tenant, model and operation',
  labelNames: ['tenant', 'model', 'operation'] as const,
  registers: [telemetryRegistry],
});

export const modelRequestDuration = new Histogram({
  name: 'rhizome_model_request_duration_seconds',
  help: 'Remote model call latency by operation (chat, embed, rerank)',
  labelNames: ['model', 'operation'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [telemetryRegistry],
});

/** Seconds since a performance.now() reading. */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

// The tenant a unit of work is for, so a model call deep inside it is counted against that tenant
// without every signature carrying the id.
const tenantScope = new AsyncLocalStorage<string>();

export function withTelemetryTenant<T>(tenantId: string, work: () => T): T {
  return tenantScope.run(tenantId, work);
}

export function currentTelemetryTenant(): string {
  return tenantScope.getStore() ?? 'none';
}

/**
 * Wraps one remote model call: a span, its latency, and on failure an error counted against the
 * current tenant. `usage` reports the tokens of a successful call.
 */
export async function observeModelCall<T>(
  operation: 'chat' | 'embed' | 'rerank',
  model: string,
  work: (span: Span) => Promise<T>,
  usage?: (result: T) => readonly { kind: 'prompt' | 'completion' | 'embedding'; tokens: number }[],
): Promise<T> {
  const started = performance.now();
  const tenant = currentTelemetryTenant();
  try {
    const result = await withSpan(
      `model.${operation}`,
      { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model },
      work,
    );
    for (const { kind, tokens } of usage?.(result) ?? []) {
      if (tokens > 0) modelTokens.inc({ tenant, model, kind }, tokens);
    }
    return result;
  } catch (error) {
    // A cancelled call (the client went away) is not the provider failing.
    if (!(error instanceof Error && error.name === 'AbortError'))
      modelErrors.inc({ tenant, model, operation });
    throw error;
  } finally {
    modelRequestDuration.observe({ model, operation }, secondsSince(started));
  }
}
