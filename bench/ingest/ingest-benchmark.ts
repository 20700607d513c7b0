/**
 * End-to-end ingestion throughput on the real server (not a test):
 *
 *   npx tsx bench/ingest/ingest-benchmark.ts [--runs 3] [--synthetic-chunks 100000,10000]
 *        [--document-characters 30000] [--concurrency 2] [--skip hotpot|synthetic] [--communities on|off]
 *        [--json FILE]
 *
 * Each run gets a fresh database on BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:55432/
 * postgres), a fresh runtime with the offline embedder and extractor, and a worker with
 * RHIZOME_WORKER_CONCURRENCY (default 2). The clock starts before the first upload and stops when
 * every document is indexed or failed: intake, parsing, chunking, embedding, entity and relation
 * extraction and the graph/index write are all inside. Uploads go through DocumentService.intake
 * in this process while the worker runs, as `rhizome ingest` does.
 *
 * Corpora:
 *  (a) HotpotQA-100 (../shared/data/eval/hotpotqa-100/corpus.jsonl): one Markdown document per line
 *      ("# title\n\ntext"), `--runs` runs, median and p95 over runs;
 *  (b) synthetic Markdown (bench/ingest/synthetic-corpus.ts), names drawn from a skewed pool so
 *      the graph overlaps; one run per size in `--synthetic-chunks`.
 *
 * Reported: documents/s, chunks/s, edges/s (relations created per second), peak RSS of this
 * process (sampled), per-document latency, and a time profile: summed durations of each pipeline
 * stage and of each kind of SQL statement (summed over concurrent jobs, so they can exceed the
 * wall time). Index invariants are checked after every run; a run that breaks them is reported.
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/core/config.js';
import type { Database, Queryable, TransactionOptions } from '../../src/core/database.js';
import type { DocumentEvent } from '../../src/core/document-events.js';
import { openDatabase } from '../../src/db/open-database.js';
import { chunkDocument } from '../../src/ingest/chunking/chunk-document.js';
import { parseDocument } from '../../src/ingest/parsers/index.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';
import { indexCounts, type IndexCounts } from '../../test/support/index-counts.js';
import {
  benchServerUrl,
  createBenchDatabase,
  log,
  markdownTable,
  redactUrl,
  serverVersion,
} from '../retrieval/bench-support.js';
import { syntheticDocument } from './synthetic-corpus.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const hotpotCorpus = resolve(repositoryRoot, '../shared/data/eval/hotpotqa-100/corpus.jsonl');
const silent = pino({ level: 'silent' });

const { values: argv } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'synthetic-chunks': { type: 'string', default: '100000,10000' },
    'document-characters': { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '2' },
    skip: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
    /** `off`: skip the background community rebuilds indexing schedules, to isolate ingestion itself. */
    communities: { type: 'string', default: 'on' },
  },
});

interface InputDocument {
  readonly fileName: string;
  readonly bytes: Buffer;
}

/** Where time goes: summed milliseconds and counts per label. */
class Profile {
  readonly totals = new Map<string, { ms: number; count: number }>();

  add(label: string, ms: number): void {
    const entry = this.totals.get(label) ?? { ms: 0, count: 0 };
    entry.ms += ms;
    entry.count += 1;
    this.totals.set(label, entry);
  }

  async time<T>(label: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(label, performance.now() - started);
    }
  }
}

const statementKinds: readonly [RegExp, string][] = [
  [/rhizome\.communities|communit/i, 'sql: community rebuild (background)'],
  [/pg_advisory_xact_lock\(hashtext\('rhizome:index'\)/, 'sql: tenant index lock (wait)'],
  [/^\s*INSERT INTO chunks /, 'sql: insert chunks + vectors'],
  [/^\s*INSERT INTO entities /, 'sql: upsert entities'],
  [/^\s*INSERT INTO entity_mentions/, 'sql: insert entity mentions'],
  [/^\s*INSERT INTO relations /, 'sql: upsert relations'],
  [/^\s*INSERT INTO relation_mentions/, 'sql: insert relation mentions'],
  [/^\s*WITH (source|pending) AS|^\s*UPDATE "tenant_|ag_catalog\./, 'sql: graph vertices/edges (AGE)'],
  [/^\s*INSERT INTO chunk_terms/, 'sql: insert postings'],
  [/^\s*INSERT INTO term_statistics/, 'sql: upsert term statistics'],
  [/corpus_statistics/, 'sql: corpus statistics'],
  [
    /SELECT id FROM chunks WHERE document_id|mention_count = e\.mention_count -|DELETE FROM (term_statistics|chunks|relations|entities)/,
    'sql: remove previous index',
  ],
  [/UPDATE documents SET status = 'indexed'/, 'sql: mark indexed'],
  [/UPDATE documents SET (status|attempts)/, 'sql: document status updates'],
  [/pgboss\.|pg_notify/, 'sql: job queue + events'],
  [/normalized_name = ANY/, 'sql: entity lookups (embeddings, descriptions)'],
  [/search_path/, 'sql: graph search path'],
  [/set_config\(/, 'sql: tenant scope (set_config)'],
  [/FOR UPDATE/, 'sql: lock document row'],
  [/FROM documents/, 'sql: read documents'],
];

function statementKind(sql: string): string {
  for (const [pattern, label] of statementKinds) if (pattern.test(sql)) return label;
  return 'sql: other';
}

/** The database with every statement and every index-writing transaction timed. */
function profiledDatabase(database: Database, profile: Profile): Database {
  const timedQueryable = (
    queryable: Queryable,
    state: { writes: boolean; communities: boolean },
  ): Queryable => ({
    query: (sql, parameters) => {
      if (/^\s*INSERT INTO chunks /.test(sql)) state.writes = true;
      if (/hashtext\('rhizome\.communities'\)/.test(sql)) state.communities = true;
      return profile.time(statementKind(sql), () => queryable.query(sql, parameters));
    },
  });
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (sql: string, parameters?: readonly unknown[]) =>
          profile.time(statementKind(sql), () => target.query(sql, parameters));
      }
      if (property === 'transaction') {
        return async <T>(work: (transaction: Queryable) => Promise<T>, options?: TransactionOptions) => {
          const state = { writes: false, communities: false };
          const started = performance.now();
          try {
            return await target.transaction(
              (transaction) => work(timedQueryable(transaction, state)),
              options,
            );
          } finally {
            if (state.writes)
              profile.add('index write transaction (total, incl. lock wait)', performance.now() - started);
            if (state.communities) {
              // The rebuild holds the tenant index lock: index writes wait for all of it.
              profile.add(
                'community rebuild transaction (holds the tenant index lock)',
                performance.now() - started,
              );
            }
          }
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

interface RunResult {
  readonly corpus: string;
  readonly documents: number;
  readonly failed: number;
  readonly chunks: number;
  readonly relations: number;
  readonly entities: number;
  readonly seconds: number;
  readonly intakeSeconds: number;
  readonly peakRssMiB: number;
  readonly nodeCpuSeconds: number;
  readonly loadAverage: string;
  readonly latencyP50: number;
  readonly latencyP95: number;
  readonly consistent: boolean;
  readonly inconsistencies: string[];
  readonly profile: Record<string, { ms: number; count: number }>;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the p95 of three runs is the slowest of them.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function checkInvariants(counts: IndexCounts): string[] {
  const problems: string[] = [];
  const expect = (actual: number, expected: number, what: string) => {
    if (actual !== expected) problems.push(`${what}: ${actual} ≠ ${expected}`);
  };
  expect(counts.termFrequencySum, counts.postings, 'term statistics = postings');
  expect(counts.corpusChunks, counts.chunks, 'corpus statistics = chunks');
  expect(counts.corpusLength, counts.chunkLengthSum, 'corpus length = chunk lengths');
  expect(counts.mentionCountSum, counts.mentionRowsSum, 'entity mention counts = mention rows');
  expect(counts.relationChunkSum, counts.relationMentions, 'relation chunk counts = relation mentions');
  expect(counts.vertices, counts.entities, 'vertices = entities');
  expect(counts.edges, counts.relations, 'edges = relations');
  return problems;
}

function benchConfig(databaseUrl: string, dataDirectory: string, concurrency: number): Config {
  return loadConfig({
    RHIZOME_PROFILE: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    RHIZOME_DATA_DIR: dataDirectory,
    RHIZOME_WORKER_CONCURRENCY: String(concurrency),
    EMBEDDING_PROVIDER: 'offline',
    CHAT_PROVIDER: 'none',
    RHIZOME_EXTRACTION: 'offline',
    RHIZOME_SEARCH_CACHE_ENTRIES: '0',
  });
}

let serverDescription: string | undefined;

async function runOnce(
  corpus: string,
  documents: () => AsyncIterable<InputDocument>,
  concurrency: number,
): Promise<RunResult> {
  const serverUrl = benchServerUrl();
  const bench = await createBenchDatabase(serverUrl, 'rhizome_bench_ingest');
  const dataDirectory = mkdtempSync(join(tmpdir(), 'rhizome-ingest-bench-'));
  const config = benchConfig(bench.url, dataDirectory, concurrency);
  const profile = new Profile();
  const database = profiledDatabase(await openDatabase(config, silent), profile);
  let runtime: Runtime | undefined;
  try {
    runtime = await createRuntime(config, silent, { migrate: true, database });
    serverDescription ??= await serverVersion(runtime);
    const tenant = await runtime.tenants.create({ slug: 'bench', name: 'Bench' });

    if (argv.communities === 'off') runtime.queue.scheduleCommunityRebuild = async () => undefined;

    // CPU stages the SQL profile cannot see.
    const embedder = runtime.embedder;
    const embed = embedder.embed.bind(embedder);
    embedder.embed = (texts, signal) =>
      profile.time('cpu: embedding (offline hashed)', () => embed(texts, signal));
    const extractor = runtime.extractor;
    const extract = extractor.extract.bind(extractor);
    extractor.extract = (text, signal) =>
      profile.time('cpu: entity + relation extraction', () => extract(text, signal));

    // Stage durations per document, from the status events the pipeline publishes.
    const seen = new Map<string, Map<string, number>>();
    const unsubscribe = runtime.events.subscribe(tenant.id, (event: DocumentEvent) => {
      const stages = seen.get(event.documentId) ?? new Map<string, number>();
      stages.set(event.status, Date.parse(event.at));
      seen.set(event.documentId, stages);
    });

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const loadBefore = loadavg()[0]!;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await runtime.startWorker();
    const ids: string[] = [];
    for await (const document of documents()) {
      const [result] = await runtime.documents.intake(tenant.id, [document]);
      ids.push(result!.id);
      if (ids.length % 1000 === 0) log(`${corpus}: ${ids.length} documents uploaded`);
    }
    const intakeSeconds = (performance.now() - started) / 1000;

    let lastReport = performance.now();
    for (;;) {
      const statuses = await runtime.database.query<{ status: string; count: number }>(
        'SELECT status, count(*)::int AS count FROM documents WHERE tenant_id = $1 GROUP BY status',
        [tenant.id],
      );
      const byStatus = Object.fromEntries(statuses.rows.map((row) => [row.status, row.count]));
      const finished = (byStatus.indexed ?? 0) + (byStatus.failed ?? 0);
      if (finished === ids.length) break;
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        log(
          `${corpus}: ${finished}/${ids.length} documents done after ${((lastReport - started) / 1000).toFixed(0)} s`,
        );
      }
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    unsubscribe();

    const counts = await indexCounts(runtime.database, tenant.id);
    const failed = (
      await runtime.database.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM documents WHERE tenant_id = $1 AND status = 'failed'",
        [tenant.id],
      )
    ).rows[0]!.count;
    const latencies: number[] = [];
    const stageOrder = ['parsing', 'chunking', 'embedding', 'extracting', 'indexed'];
    const stageLabels = [
      'stage: parse (read original + parse)',
      'stage: chunk',
      'stage: embed',
      'stage: extract + analyse + write',
    ];
    for (const stages of seen.values()) {
      const queued = stages.get('queued');
      const indexed = stages.get('indexed');
      if (queued !== undefined && indexed !== undefined) latencies.push((indexed - queued) / 1000);
      for (let index = 0; index < stageLabels.length; index += 1) {
        const from = stages.get(stageOrder[index]!);
        const to = stages.get(stageOrder[index + 1]!);
        if (from !== undefined && to !== undefined) profile.add(stageLabels[index]!, to - from);
      }
    }
    const inconsistencies = checkInvariants(counts);
    return {
      corpus,
      documents: ids.length,
      failed,
      chunks: counts.chunks,
      relations: counts.relations,
      entities: counts.entities,
      seconds,
      intakeSeconds,
      peakRssMiB: peakRss / 1024 / 1024,
      nodeCpuSeconds: (cpu.user + cpu.system) / 1e6,
      loadAverage: `${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
      latencyP50: quantile(latencies, 0.5),
      latencyP95: quantile(latencies, 0.95),
      consistent: inconsistencies.length === 0,
      inconsistencies,
      profile: Object.fromEntries(profile.totals),
    };
  } finally {
    await runtime?.close();
    await database.close();
    await bench.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  }
}

async function* hotpotDocuments(): AsyncIterable<InputDocument> {
  const lines = createInterface({ input: createReadStream(hotpotCorpus, 'utf8'), crlfDelay: Infinity });
  let index = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { _id: string; title: string; text: string };
    index += 1;
    yield {
      fileName: `hotpot-${String(index).padStart(4, '0')}.md`,
      bytes: Buffer.from(`# ${entry.title}\n\n${entry.text}\n`),
    };
  }
}

async function chunksPerSyntheticDocument(characters: number, config: Config): Promise<number> {
  const sample = syntheticDocument(0, { characters });
  const structured = await parseDocument(
    { bytes: Buffer.from(sample.text), fileName: sample.fileName },
    {
      maxUncompressedBytes: config.ingestion.maxUncompressedBytes,
      maxCharacters: config.ingestion.maxDocumentCharacters,
    },
  );
  return chunkDocument(structured, {
    maxTokens: config.ingestion.chunkTokens,
    overlapTokens: config.ingestion.chunkOverlapTokens,
  }).length;
}

function syntheticDocuments(count: number, characters: number): () => AsyncIterable<InputDocument> {
  return async function* () {
    for (let index = 0; index < count; index += 1) {
      const document = syntheticDocument(index, { characters });
      yield { fileName: document.fileName, bytes: Buffer.from(document.text) };
    }
  };
}

function describeRun(result: RunResult): string {
  return (
    `${result.documents} docs (${result.failed} failed), ${result.chunks} chunks, ${result.relations} relations, ` +
    `${result.seconds.toFixed(1)} s (intake ${result.intakeSeconds.toFixed(1)} s): ` +
    `${(result.documents / result.seconds).toFixed(1)} docs/s, ${(result.chunks / result.seconds).toFixed(1)} chunks/s, ` +
    `${(result.relations / result.seconds).toFixed(1)} edges/s, peak RSS ${result.peakRssMiB.toFixed(0)} MiB, ` +
    `Node CPU ${result.nodeCpuSeconds.toFixed(1)} s, load average ${result.loadAverage}` +
    (result.consistent ? '' : ` — INCONSISTENT: ${result.inconsistencies.join('; ')}`)
  );
}

function profileTable(result: RunResult): string {
  const rows = Object.entries(result.profile)
    .sort(([, left], [, right]) => right.ms - left.ms)
    .map(([label, { ms, count }]) => [
      label,
      (ms / 1000).toFixed(2),
      `${((ms / 1000 / result.seconds) * 100).toFixed(0)} %`,
      String(count),
      (ms / count).toFixed(2),
    ]);
  return markdownTable(
    ['where (summed over concurrent jobs)', 'seconds', 'of wall', 'calls', 'ms/call'],
    rows,
  );
}

const results: RunResult[] = [];
const concurrency = Number(argv.concurrency);
const skip = new Set(argv.skip);
log(
  `server ${redactUrl(benchServerUrl())}, worker concurrency ${concurrency}, community rebuilds ${argv.communities}`,
);

if (!skip.has('hotpot')) {
  const runs = Number(argv.runs);
  for (let run = 1; run <= runs; run += 1) {
    log(`HotpotQA-100 run ${run}/${runs}`);
    const result = await runOnce('HotpotQA-100', hotpotDocuments, concurrency);
    results.push(result);
    log(describeRun(result));
  }
}

if (!skip.has('synthetic')) {
  const characters = Number(argv['document-characters']);
  const probeConfig = benchConfig('postgres://unused@localhost/unused', '/tmp', concurrency);
  const perDocument = await chunksPerSyntheticDocument(characters, probeConfig);
  const sizes = argv['synthetic-chunks']
    .split(',')
    .map((size) => Number(size.trim()))
    .filter((size) => size > 0)
    .sort((a, b) => a - b);
  for (const target of sizes) {
    const count = Math.max(1, Math.ceil(target / perDocument));
    const corpus = `synthetic ${(target / 1000).toFixed(0)}k chunks`;
    log(`${corpus}: ${count} documents of ~${characters} characters (${perDocument} chunks each)`);
    const result = await runOnce(corpus, syntheticDocuments(count, characters), concurrency);
    results.push(result);
    log(describeRun(result));
  }
}

// Report.
const versionRuntime = serverDescription ?? 'server version unknown';
const processors = cpus();
const machine =
  `${processors.length} × ${processors[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU'}, ` +
  `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM (${(freemem() / 1024 ** 3).toFixed(1)} free), Node ${process.version}`;
const date = new Date().toISOString();

const byCorpus = new Map<string, RunResult[]>();
for (const result of results) byCorpus.set(result.corpus, [...(byCorpus.get(result.corpus) ?? []), result]);
const summaryRows: string[][] = [];
for (const [corpus, runs] of byCorpus) {
  const rate = (pick: (result: RunResult) => number) => {
    const values = runs.map(pick);
    return runs.length === 1
      ? values[0]!.toFixed(1)
      : `${quantile(values, 0.5).toFixed(1)} / ${[...values].sort((a, b) => a - b)[0]!.toFixed(1)}`;
  };
  const first = runs[0]!;
  summaryRows.push([
    corpus,
    String(runs.length),
    `${first.documents} (${first.failed} failed)`,
    String(first.chunks),
    String(first.relations),
    rate((result) => result.documents / result.seconds),
    rate((result) => result.chunks / result.seconds),
    rate((result) => result.relations / result.seconds),
    `${quantile(
      runs.map((result) => result.seconds),
      0.5,
    ).toFixed(1)} / ${quantile(
      runs.map((result) => result.seconds),
      0.95,
    ).toFixed(1)}`,
    `${quantile(
      runs.map((result) => result.latencyP50),
      0.5,
    ).toFixed(2)} / ${quantile(
      runs.map((result) => result.latencyP95),
      0.5,
    ).toFixed(2)}`,
    `${Math.max(...runs.map((result) => result.peakRssMiB)).toFixed(0)} MiB`,
    runs.every((result) => result.consistent) ? 'yes' : 'NO',
  ]);
}

process.stdout.write(`\n## Ingestion throughput (${date})\n\n`);
process.stdout.write(`Machine: ${machine}; ${versionRuntime}; server ${redactUrl(benchServerUrl())}.\n`);
process.stdout.write(
  `Offline embedder (384-d hashed) and offline extractor, worker concurrency ${concurrency}, community rebuilds ${argv.communities}, chunks of 512 tokens ` +
    `(64 overlap), uploads and worker in one process; wall clock from the first upload to the last document indexed.\n` +
    `Rates: median / slowest run (nearest-rank p95 = slowest of ${argv.runs}) when several runs; seconds: median / p95; ` +
    `latency: per document, queued → indexed, p50 / p95 (median over runs).\n\n`,
);
process.stdout.write(
  `${markdownTable(
    [
      'corpus',
      'runs',
      'documents',
      'chunks',
      'relations',
      'docs/s',
      'chunks/s',
      'edges/s',
      'seconds',
      'latency s',
      'peak RSS',
      'invariants',
    ],
    summaryRows,
  )}\n`,
);
for (const [corpus, runs] of byCorpus) {
  const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor((runs.length - 1) / 2)]!;
  process.stdout.write(
    `\n### Where the time goes: ${corpus} (median run, ${median.seconds.toFixed(1)} s wall)\n\n`,
  );
  process.stdout.write(`${profileTable(median)}\n`);
}
if (argv.json) {
  mkdirSync(dirname(resolve(argv.json)), { recursive: true });
  writeFileSync(
    resolve(argv.json),
    JSON.stringify({ date, machine, server: versionRuntime, concurrency, results }, null, 2),
  );
}
