import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withSpan } from '../../src/core/telemetry.js';
import { createLogger } from '../../src/platform/create-logger.js';
import { startTracing, type Tracing } from '../../src/platform/tracing.js';
import { silentLogger, testDrivers } from '../support/test-databases.js';
import { createTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { helmBinary, parseManifests, runHelm } from '../support/kubernetes-tools.js';

/**
 * Observability as operators meet it: every metric the Grafana dashboard and the alert rules (the
 * Compose rules file and the Helm chart's PrometheusRule) query is served on /metrics; a request
 * yields one trace (HTTP → retrieval stages → database) that continues the caller's traceparent;
 * log lines carry the trace id; spans leave over OTLP/HTTP when an endpoint is configured.
 */
const observability = join(process.cwd(), 'deploy', 'observability');

/** Metric names in PromQL: identifiers followed by `{`, `[` or a space, minus functions and keywords. */
function metricNames(expression: string): string[] {
  const withoutStrings = expression.replace(/"[^"]*"/g, '""');
  const keywords = new Set([
    ...[
      'by',
      'without',
      'and',
      'or',
      'unless',
      'on',
      'ignoring',
      'group_left',
      'group_right',
      'offset',
      'bool',
    ],
    ...[
      'sum',
      'min',
      'max',
      'avg',
      'count',
      'stddev',
      'topk',
      'bottomk',
      'quantile',
      'count_values',
      'group',
    ],
  ]);
  const names = new Set<string>();
  for (const match of withoutStrings.matchAll(/(?<![\w:.$])([a-zA-Z_][a-zA-Z0-9_:]*)\s*(?=[{[)\s]|$)/g)) {
    const name = match[1]!;
    // Function calls are followed by "(" (excluded by the lookahead); labels inside by (...) are words too.
    if (keywords.has(name) || name.includes(':')) continue;
    names.add(name);
  }
  return [...names];
}

function labelNamesInsideBy(expression: string): Set<string> {
  const labels = new Set<string>();
  for (const match of expression.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)) {
    for (const label of match[1]!.split(',')) labels.add(label.trim());
  }
  return labels;
}

function seriesNames(expressions: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const expression of expressions) {
    const labels = labelNamesInsideBy(expression);
    for (const name of metricNames(expression)) {
      if (!labels.has(name) && name !== 'up') names.add(name.replace(/_(bucket|count|sum)$/, ''));
    }
  }
  return names;
}

async function dashboardExpressions(): Promise<string[]> {
  const dashboard = JSON.parse(await readFile(join(observability, 'grafana', 'rhizome.json'), 'utf8')) as {
    uid: string;
    panels: { title: string; targets: { expr: string }[] }[];
  };
  expect(dashboard.uid).toBe('rhizome-overview');
  expect(dashboard.panels.length).toBeGreaterThan(8);
  return dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
}

async function composeAlertExpressions(): Promise<{ alerts: string[]; expressions: string[] }> {
  const rules = parse(await readFile(join(observability, 'alerts.yaml'), 'utf8')) as {
    groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  const all = rules.groups.flatMap((group) => group.rules);
  return {
    alerts: all.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
    expressions: all.map((rule) => rule.expr),
  };
}

async function helmAlertExpressions(): Promise<string[]> {
  const helm = await helmBinary();
  const chart = join(process.cwd(), 'deploy', 'helm', 'rhizome');
  const rendered = await runHelm(helm, ['template', 'rhizome', chart, '-f', join(chart, 'values-prod.yaml')]);
  expect(rendered.exitCode).toBe(0);
  const rule = parseManifests(rendered.stdout).find((object) => object.kind === 'PrometheusRule')!;
  return (rule.spec as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((group) =>
    group.rules.map((item) => item.expr),
  );
}

describe('metric names used by the dashboard and alerts', () => {
  it('reads metric names out of PromQL without functions, labels or keywords', () => {
    expect(
      seriesNames([
        'histogram_quantile(0.95, sum by (le, mode) (rate(rhizome_retrieval_duration_seconds_bucket{job=~"$job"}[5m])))',
        'max by (state) (rhizome_ingestion_queue_depth{state="queued"}) > 100 and up == 0',
      ]),
    ).toEqual(new Set(['rhizome_retrieval_duration_seconds', 'rhizome_ingestion_queue_depth']));
  });
});

describe.each(testDrivers)('observability on $name', (driver) => {
  let platform: TestPlatform;
  let tracing: Tracing;
  const spans = new InMemorySpanExporter();

  beforeAll(async () => {
    tracing = startTracing(
      {
        telemetry: { otlpEndpoint: undefined, serviceName: 'rhizome-test', sampleRatio: 1 },
        profile: 'test',
      },
      silentLogger,
      [new SimpleSpanProcessor({ exporter: spans })],
    );
    platform = await createTestPlatform(driver);
  });

  afterAll(async () => {
    await platform?.dispose();
    await tracing?.shutdown();
  });

  it('serves every metric the dashboard and both alert rule sets query', async () => {
    const tenant = await platform.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { authorization: `Bearer ${platform.adminKey}` },
      payload: { slug: 'metrics', name: 'Metrics' },
    });
    expect(tenant.statusCode).toBe(201);
    const search = await platform.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: { authorization: `Bearer ${platform.adminKey}`, 'x-rhizome-tenant': 'metrics' },
      payload: { query: 'anything at all', mode: 'bm25', k: 5 },
    });
    expect(search.statusCode).toBe(200);

    const metrics = await platform.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    const served = new Set([...metrics.body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
    expect(metrics.body).toMatch(
      /^rhizome_retrieval_duration_seconds_count\{mode="bm25",cached="false"\} [1-9]\d*$/m,
    );
    expect(metrics.body).toMatch(/^rhizome_ingestion_queue_depth\{state="queued"\} 0$/m);

    const compose = await composeAlertExpressions();
    expect(compose.alerts).toEqual(
      expect.arrayContaining([
        'RhizomeAvailabilityBelowObjective',
        'RhizomeLatencyP95High',
        'RhizomeIngestionQueueBacklog',
        'RhizomeIngestionJobsFailing',
      ]),
    );
    const used = seriesNames([
      ...(await dashboardExpressions()),
      ...compose.expressions,
      ...(await helmAlertExpressions()),
    ]);
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((name) => !served.has(name))).toEqual([]);
  });

  it('traces a request from HTTP through retrieval stages to the database, continuing the caller’s trace', async () => {
    spans.reset();
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: {
        authorization: `Bearer ${platform.adminKey}`,
        'x-rhizome-tenant': 'metrics',
        traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`,
      },
      payload: { query: 'a traced question', mode: 'mix', k: 3 },
    });
    expect(response.statusCode).toBe(200);
    const finished = spans.getFinishedSpans();
    const names = finished.map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining(['POST /v1/search', 'retrieval.search', 'retrieval.bm25', 'db.transaction']),
    );
    for (const span of finished) expect(span.spanContext().traceId).toBe(callerTrace);

    const byId = new Map(finished.map((span) => [span.spanContext().spanId, span]));
    const http = finished.find((span) => span.name === 'POST /v1/search')!;
    expect(http.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(http.attributes['http.response.status_code']).toBe(200);
    // Walk up from a retrieval stage: it sits under the search span, which sits under the request.
    let current = finished.find((span) => span.name === 'retrieval.bm25');
    const ancestors: string[] = [];
    while (current?.parentSpanContext) {
      current = byId.get(current.parentSpanContext.spanId);
      if (current) ancestors.push(current.name);
    }
    expect(ancestors).toEqual(['retrieval.search', 'POST /v1/search']);
  });

  it('writes the active trace id on every log line', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      { logLevel: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString());
          callback();
        },
      }),
    );
    const traceId = await withSpan('logging', {}, async (span) => {
      logger.info('inside a span');
      return span.spanContext().traceId;
    });
    logger.info('outside any span');
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside a span', trace_id: traceId, trace_flags: '01' });
    expect(inside!.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(outside).not.toHaveProperty('trace_id');
  });
});

describe('OTLP export', () => {
  it('sends finished spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces', async () => {
    const received: { path: string; contentType: string; bytes: number }[] = [];
    const collector = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          path: request.url ?? '',
          contentType: String(request.headers['content-type']),
          bytes: Buffer.concat(chunks).length,
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const tracing = startTracing(
      {
        telemetry: { otlpEndpoint: `http://127.0.0.1:${port}/`, serviceName: 'rhizome-test', sampleRatio: 1 },
        profile: 'test',
      },
      silentLogger,
    );
    try {
      await withSpan('exported', { 'rhizome.test': true }, async () => undefined);
    } finally {
      // Shutting down flushes the batch: the span is sent now, not after the batch delay.
      await tracing.shutdown();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/v1/traces' });
    expect(received[0]!.contentType).toMatch(/application\/(json|x-protobuf)/);
    expect(received[0]!.bytes).toBeGreaterThan(20);
  });

  it('exports nothing, yet still traces, without an endpoint', async () => {
    const memory = new InMemorySpanExporter();
    const tracing = startTracing(
      {
        telemetry: { otlpEndpoint: undefined, serviceName: 'rhizome-test', sampleRatio: 0 },
        profile: 'test',
      },
      silentLogger,
      [new SimpleSpanProcessor({ exporter: memory })],
    );
    try {
      // Sampled out at ratio 0: the span exists (ids for logs) but is not recorded.
      const recording = await withSpan('sampled-out', {}, async (span) => span.isRecording());
      expect(recording).toBe(false);
      expect(memory.getFinishedSpans()).toHaveLength(0);
    } finally {
      await tracing.shutdown();
    }
  });
});
