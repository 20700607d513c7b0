/**
 * Search latency of several variants measured side by side, query by query, in shuffled order,
 * so the load of a shared machine hits every variant alike; the ratios are what to read.
 *
 *   npx tsx bench/retrieval/build-synthetic-tenant.ts --chunks 100000     # prints DATABASE_URL
 *   npx tsx bench/retrieval/interleaved-benchmark.ts --database-url URL [--modes naive,mix]
 *       [--queries 200] [--runs 3] [--peer] [--http] [--baseline /path/to/another/checkout]
 *
 * Variants per mode (each query runs once in each, in a fresh random order per query):
 * - `rhizome`: this checkout's SearchService, in process (search cache off);
 * - `baseline`: another checkout's SearchService (e.g. main before a change) on the same database;
 * - `http`: `POST /v1/search` on a `rhizome serve --role api` child of this checkout, one client;
 * - `peer` (naive only): LangChain.js PGVectorStore on the same chunks table (bench/peers);
 * - `sql` (naive only): the bare nearest-neighbour statement on a pooled connection — the floor.
 * Prints, per run, p50/p95 of each variant and the ratios to `rhizome`; then the median over runs.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { searchModes, type SearchMode } from '../../src/core/search.js';
import { vectorLiteral } from '../../src/db/vector-literal.js';
import { percentile } from '../../src/evaluation/retrieval-metrics.js';
import type { SearchService } from '../../src/retrieval/search-service.js';
import { benchConfig, benchRuntime, log, machineDescription, markdownTable, redactUrl, serverVersion } from './bench-support.js';
import { freePort, startServer, stopServer } from './bench-server.js';
import { defaultSyntheticTenantOptions, seededRandom, syntheticQueries, syntheticVocabulary } from './synthetic-tenant.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    tenant: { type: 'string', default: defaultSyntheticTenantOptions.slug },
    modes: { type: 'string', default: 'naive,mix' },
    queries: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    k: { type: 'string', default: '10' },
    peer: { type: 'boolean', default: false },
    http: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const databaseUrl = values['database-url'];
if (!databaseUrl) throw new Error('--database-url is required (bench/retrieval/build-synthetic-tenant.ts prints one)');
const positive = (name: string, value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer`);
  return parsed;
};
const queryCount = positive('queries', values.queries);
const warmupCount = positive('warmup', values.warmup);
const runs = positive('runs', values.runs);
const k = positive('k', values.k);
const modes = values.modes.split(',').map((mode) => {
  if (!(searchModes as readonly string[]).includes(mode)) throw new Error(`unknown mode ${mode}`);
  return mode as SearchMode;
});

type Variant = { readonly name: string; readonly run: (query: string) => Promise<number> };

const startedAt = new Date();
const { runtime, logger } = await benchRuntime(benchConfig(databaseUrl, { RHIZOME_SEARCH_CACHE_ENTRIES: '0' }));
const closers: (() => Promise<void>)[] = [];
const report: string[] = [];
try {
  const tenantId = (await runtime.tenants.get(values.tenant)).id;
  const chunkCount = Number(
    (await runtime.database.query<{ count: string }>('SELECT count(*) AS count FROM chunks')).rows[0]?.count ?? 0,
  );
  const all = syntheticQueries(syntheticVocabulary(defaultSyntheticTenantOptions), warmupCount + queryCount, defaultSyntheticTenantOptions.seed);
  const warmups = all.slice(0, warmupCount);
  const queries = all.slice(warmupCount);

  let baseline: { search: SearchService['search'] } | undefined;
  if (values.baseline) {
    const module = (await import(pathToFileURL(resolve(values.baseline, 'src/retrieval/search-service.ts')).href)) as {
      SearchService: new (dependencies: ConstructorParameters<typeof SearchService>[0]) => SearchService;
    };
    const service = new module.SearchService({ database: runtime.database, embedder: runtime.embedder, reranker: null, cache: null, logger });
    baseline = { search: (tenant, request) => service.search(tenant, request) };
  }
  let http: { url: string; key: string } | undefined;
  if (values.http) {
    const key = (await runtime.keys.create({ name: 'interleaved benchmark', role: 'reader', tenantId })).key;
    const port = await freePort();
    const server = await startServer(databaseUrl, port);
    closers.push(() => stopServer(server));
    http = { url: `http://127.0.0.1:${port}/v1/search`, key };
  }
  let peer: { search(query: string, k: number): Promise<number> } | undefined;
  if (values.peer) {
    // A path in a variable: the peer's packages install apart (bench/peers), so the project's
    // typecheck must not follow this import.
    const peerModule = '../peers/pgvector-store-peer.js';
    const { openPgVectorStorePeer } = (await import(peerModule)) as {
      openPgVectorStorePeer(url: string, embedder: typeof runtime.embedder): Promise<{ search(query: string, k: number): Promise<number>; close(): Promise<void> }>;
    };
    const opened = await openPgVectorStorePeer(databaseUrl, runtime.embedder);
    closers.push(() => opened.close());
    peer = opened;
  }
  const floorPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  closers.push(() => floorPool.end());

  for (const mode of modes) {
    const variants: Variant[] = [
      { name: 'rhizome', run: async (query) => (await runtime.search.search(tenantId, { query, mode, k })).hits.length },
    ];
    if (baseline) {
      const service = baseline;
      variants.push({ name: 'baseline', run: async (query) => (await service.search(tenantId, { query, mode, k })).hits.length });
    }
    if (http) {
      const target = http;
      variants.push({
        name: 'http',
        run: async (query) => {
          const response = await fetch(target.url, {
            method: 'POST',
            headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ query, mode, k }),
          });
          const body = (await response.json()) as { hits?: unknown[] };
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          return body.hits?.length ?? 0;
        },
      });
    }
    if (mode === 'naive' && peer) {
      const store = peer;
      variants.push({ name: 'peer', run: (query) => store.search(query, k) });
    }
    if (mode === 'naive') {
      variants.push({
        name: 'sql',
        run: async (query) => {
          const [vector] = await runtime.embedder.embed([query]);
          const result = await floorPool.query(
            'SELECT id, text, embedding <=> $1::vector AS distance FROM chunks ORDER BY embedding <=> $1::vector LIMIT $2',
            [vectorLiteral(vector!), k],
          );
          return result.rowCount ?? 0;
        },
      });
    }
    for (const query of warmups) for (const variant of variants) await variant.run(query);

    const perRun: Map<string, { p50: number; p95: number }>[] = [];
    for (let run = 0; run < runs; run += 1) {
      const random = seededRandom(1_000 + run);
      const samples = new Map(variants.map((variant) => [variant.name, [] as number[]]));
      for (const query of queries) {
        const order = [...variants].sort(() => random() - 0.5);
        for (const variant of order) {
          const started = performance.now();
          await variant.run(query);
          samples.get(variant.name)!.push(performance.now() - started);
        }
      }
      const summary = new Map([...samples].map(([name, values]) => [name, { p50: percentile(values, 50), p95: percentile(values, 95) }]));
      perRun.push(summary);
      log(
        `${mode} run ${run + 1}: ${[...summary].map(([name, value]) => `${name} p50 ${value.p50.toFixed(1)} p95 ${value.p95.toFixed(1)}`).join('; ')}`,
      );
    }
    const median = (numbers: number[]) => percentile(numbers, 50);
    const rows = variants.map((variant) => {
      const p50s = perRun.map((run) => run.get(variant.name)!.p50);
      const p95s = perRun.map((run) => run.get(variant.name)!.p95);
      const ratio50 = perRun.map((run) => run.get(variant.name)!.p50 / run.get('rhizome')!.p50);
      const ratio95 = perRun.map((run) => run.get(variant.name)!.p95 / run.get('rhizome')!.p95);
      return [
        variant.name,
        median(p50s).toFixed(1),
        median(p95s).toFixed(1),
        p50s.map((value) => value.toFixed(1)).join(' / '),
        p95s.map((value) => value.toFixed(1)).join(' / '),
        median(ratio50).toFixed(2),
        median(ratio95).toFixed(2),
      ];
    });
    report.push(
      `### ${mode}, ${chunkCount} chunks`,
      '',
      markdownTable(['variant', 'p50 ms (median of runs)', 'p95 ms', 'p50 per run', 'p95 per run', 'p50 ÷ rhizome', 'p95 ÷ rhizome'], rows),
      '',
    );
  }
  report.push(
    `- ${queryCount} queries per run after ${warmupCount} warm-up, ${runs} runs, k = ${k}, variants in shuffled order per query; search cache off`,
    `- database: ${redactUrl(databaseUrl)}; ${await serverVersion(runtime)}`,
    `- machine: ${machineDescription()}; load average at the end ${(await import('node:os')).loadavg().map((value) => value.toFixed(1)).join(' ')}`,
    `- date: ${startedAt.toISOString()}`,
    '',
  );
} finally {
  for (const close of closers.reverse()) await close();
  await runtime.close();
}
process.stdout.write(`${report.join('\n')}\n`);
