/**
 * Search latency at scale, on the real server:
 *
 *   npx tsx bench/retrieval/latency-benchmark.ts [--chunks 100000] [--queries 200] [--http-requests 1000]
 *                                                [--modes bm25,naive,…] [--keep-database]
 *                                                [--database-url URL] [--skip-in-process]
 *
 * `--database-url` measures a tenant kept by build-synthetic-tenant.ts instead of building one.
 *
 * Builds a synthetic tenant (synthetic-tenant.ts: 100k chunks with clustered 384-d vectors,
 * postings and statistics, entities, relations, communities) in a fresh database on
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:55432/postgres), then measures p50/p95
 * per mode:
 * - in process: `runtime.search.search`, sequential, after a warm-up;
 * - over HTTP: `POST /v1/search` with a reader key against a real `rhizome serve --role api` child
 *   process, with 1 client and with 50 concurrent clients (bounded loops of fetch on keep-alive
 *   connections; the load generator shares the machine with the server and PostgreSQL).
 * The search cache is off everywhere: every measured query runs against the database.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { searchModes, type SearchMode } from '../../src/core/search.js';
import { percentile } from '../../src/evaluation/retrieval-metrics.js';
import {
  benchConfig,
  benchRuntime,
  benchServerUrl,
  createBenchDatabase,
  log,
  machineDescription,
  markdownTable,
  redactUrl,
  serverVersion,
} from './bench-support.js';
import { freePort, startServer, stopServer } from './bench-server.js';
import { defaultSyntheticTenantOptions, generateSyntheticTenant, syntheticQueries, syntheticVocabulary } from './synthetic-tenant.js';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: String(defaultSyntheticTenantOptions.chunks) },
    queries: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '30' },
    'http-requests': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    modes: { type: 'string', default: searchModes.join(',') },
    k: { type: 'string', default: '10' },
    'keep-database': { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    'skip-in-process': { type: 'boolean', default: false },
  },
});
const positive = (name: string, value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer`);
  return parsed;
};
const chunkCount = positive('chunks', values.chunks);
const queryCount = Math.max(200, positive('queries', values.queries));
const warmupCount = positive('warmup', values.warmup);
const httpRequests = positive('http-requests', values['http-requests']);
const concurrency = positive('concurrency', values.concurrency);
const k = positive('k', values.k);
const modes = values.modes.split(',').map((mode) => {
  if (!(searchModes as readonly string[]).includes(mode)) throw new Error(`unknown mode ${mode}`);
  return mode as SearchMode;
});

interface Latencies {
  readonly p50: number;
  readonly p95: number;
  readonly mean: number;
  readonly requestsPerSecond: number;
  readonly errors: number;
}

function summarise(samples: readonly number[], wallMs: number, errors = 0): Latencies {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    mean: samples.reduce((sum, value) => sum + value, 0) / samples.length,
    requestsPerSecond: (samples.length / wallMs) * 1000,
    errors,
  };
}

/** `total` requests over `clients` concurrent loops; each sample is one request's round trip. */
async function httpLoad(
  url: string,
  key: string,
  mode: SearchMode,
  queries: readonly string[],
  total: number,
  clients: number,
): Promise<Latencies> {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  const client = async () => {
    while (next < total) {
      const index = next;
      next += 1;
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: queries[index % queries.length], mode, k }),
      });
      await response.arrayBuffer();
      samples.push(performance.now() - started);
      if (response.status !== 200) errors += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  return summarise(samples, performance.now() - started, errors);
}

const serverUrl = benchServerUrl();
const startedAt = new Date();
const kept = values['database-url'];
const database = kept
  ? { name: new URL(kept).pathname.slice(1), url: kept, drop: async () => undefined }
  : await createBenchDatabase(serverUrl);
log(`${kept ? 'kept' : 'fresh'} database ${database.name} on ${redactUrl(serverUrl)}`);
const inProcess = new Map<SearchMode, Latencies>();
const overHttp = new Map<SearchMode, { single: Latencies; concurrent: Latencies }>();
let serverDescription = '';
let generation: Awaited<ReturnType<typeof generateSyntheticTenant>> | undefined;
try {
  const { runtime } = await benchRuntime(benchConfig(database.url, { RHIZOME_SEARCH_CACHE_ENTRIES: '0' }));
  try {
    serverDescription = await serverVersion(runtime);
    let tenantId: string;
    if (kept) {
      tenantId = (await runtime.tenants.get(defaultSyntheticTenantOptions.slug)).id;
    } else {
      log(`generating a synthetic tenant of ${chunkCount} chunks`);
      const started = performance.now();
      generation = await generateSyntheticTenant(runtime, { ...defaultSyntheticTenantOptions, chunks: chunkCount }, log);
      log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(generation.counts)}`);
      tenantId = generation.tenantId;
    }
    const all = syntheticQueries(syntheticVocabulary(defaultSyntheticTenantOptions), queryCount + warmupCount, defaultSyntheticTenantOptions.seed);
    const warmups = all.slice(0, warmupCount);
    const queries = all.slice(warmupCount);

    for (const mode of values['skip-in-process'] ? [] : modes) {
      for (const query of warmups) await runtime.search.search(tenantId, { query, mode, k });
      const samples: number[] = [];
      let hits = 0;
      const wall = performance.now();
      for (const query of queries) {
        const begun = performance.now();
        const response = await runtime.search.search(tenantId, { query, mode, k });
        samples.push(performance.now() - begun);
        hits += response.hits.length;
      }
      const result = summarise(samples, performance.now() - wall);
      inProcess.set(mode, result);
      log(`in-process ${mode}: p50 ${result.p50.toFixed(1)} ms p95 ${result.p95.toFixed(1)} ms (${(hits / queries.length).toFixed(1)} hits/query)`);
    }

    const reader = await runtime.keys.create({ name: 'latency benchmark', role: 'reader', tenantId });
    const port = await freePort();
    const server = await startServer(database.url, port);
    try {
      const url = `http://127.0.0.1:${port}/v1/search`;
      for (const mode of modes) {
        await httpLoad(url, reader.key, mode, warmups, warmups.length, 1);
        const single = await httpLoad(url, reader.key, mode, queries, queries.length, 1);
        const concurrent = await httpLoad(url, reader.key, mode, queries, httpRequests, concurrency);
        overHttp.set(mode, { single, concurrent });
        log(
          `HTTP ${mode}: 1 client p50 ${single.p50.toFixed(1)} p95 ${single.p95.toFixed(1)} ms; ` +
            `${concurrency} clients p50 ${concurrent.p50.toFixed(1)} p95 ${concurrent.p95.toFixed(1)} ms, ` +
            `${concurrent.requestsPerSecond.toFixed(0)} req/s, ${single.errors + concurrent.errors} errors`,
        );
      }
    } finally {
      await stopServer(server);
    }
  } finally {
    await runtime.close();
  }
} finally {
  if (values['keep-database']) log(`kept database ${database.url}`);
  else await database.drop();
}

const ms = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(1));
const rows = modes.map((mode) => {
  const local = inProcess.get(mode);
  const http = overHttp.get(mode);
  return [
    mode,
    ms(local?.p50),
    ms(local?.p95),
    ms(http?.single.p50),
    ms(http?.single.p95),
    ms(http?.concurrent.p50),
    ms(http?.concurrent.p95),
    http ? http.concurrent.requestsPerSecond.toFixed(0) : '—',
    http ? String(http.single.errors + http.concurrent.errors) : '—',
  ];
});
const mixLocal = inProcess.get('mix');
const mixHttp = overHttp.get('mix');
const verdict = (value: number | undefined, target: number) =>
  value === undefined ? 'not measured' : `${value.toFixed(1)} ms — ${value <= target ? 'met' : 'NOT met'}`;
const langchainInstalled = existsSync(resolve(import.meta.dirname, '../../node_modules/@langchain/community'));
const report = [
  `## Search latency, synthetic tenant of ${chunkCount} chunks (${startedAt.toISOString().slice(0, 10)})`,
  '',
  markdownTable(
    ['mode', 'in-process p50', 'p95', 'HTTP 1 client p50', 'p95', `HTTP ${concurrency} clients p50`, 'p95', 'req/s', 'errors'],
    rows,
  ),
  '',
  `- target mix p95 ≤ 30 ms in process: ${verdict(mixLocal?.p95, 30)}`,
  `- target mix p95 ≤ 50 ms over HTTP at ${concurrency} clients: ${verdict(mixHttp?.concurrent.p95, 50)}`,
  `- ${queryCount} distinct queries per mode after ${warmupCount} warm-up queries, k = ${k}; HTTP: ${queryCount} sequential ` +
    `requests, then ${httpRequests} requests from ${concurrency} concurrent clients; times in ms; search cache off`,
  `- tenant: ${Object.entries(generation?.counts ?? {}).map(([table, count]) => `${table} ${count}`).join(', ')}`,
  `- generation: ${Object.entries(generation?.seconds ?? {}).map(([step, seconds]) => `${step} ${seconds.toFixed(0)} s`).join(', ')}`,
  `- LangChain.js PGVectorStore on the same table: ${langchainInstalled ? 'installed but not wired into this benchmark' : 'skipped (@langchain/community is not installed)'}`,
  `- machine: ${machineDescription()}; server, load generator and PostgreSQL share it`,
  `- database: ${serverDescription}`,
  `- date: ${startedAt.toISOString()}`,
  '',
].join('\n');
process.stdout.write(report);
