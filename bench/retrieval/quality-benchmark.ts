/**
 * Retrieval quality of every mode on the shared sets, on the real server:
 *
 *   npx tsx bench/retrieval/quality-benchmark.ts [--sets hotpotqa-100,cmrc2018-dev] [--modes bm25,naive,…] [--out FILE]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:55432/postgres) names the server; each
 * run creates a fresh database there and drops it afterwards. Each corpus is ingested ONCE through
 * the real pipeline and every mode runs on that tenant, through the same code as
 * `rhizome eval retrieval` (DESIGN.md §4). `bm25` is the plain BM25 baseline and `naive` the plain
 * vector baseline; the other modes are measured against them. Prints a Markdown table.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { searchModes, type SearchMode } from '../../src/core/search.js';
import { loadBeirDataset } from '../../src/evaluation/beir-dataset.js';
import {
  ingestCorpus,
  runRetrievalEvaluation,
  type RetrievalEvaluationSummary,
} from '../../src/evaluation/run-retrieval-evaluation.js';
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

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: 'hotpotqa-100,cmrc2018-dev' },
    // A mode may name its fusion: `mix:convex`; without one the search default (RRF) applies.
    modes: { type: 'string', default: [...searchModes, 'hybrid:convex', 'mix:convex'].join(',') },
    out: { type: 'string' },
  },
});

const evalRoot = resolve(import.meta.dirname, '../../../shared/data/eval');
const sets = values.sets.split(',').map((name) => (name.includes('/') ? resolve(name) : resolve(evalRoot, name)));
interface Variant {
  readonly label: string;
  readonly mode: SearchMode;
  readonly fusion: 'rrf' | 'convex';
}
const modes: Variant[] = values.modes.split(',').map((label) => {
  const [mode, fusion = 'rrf'] = label.split(':') as [string, string | undefined];
  if (!(searchModes as readonly string[]).includes(mode)) throw new Error(`unknown mode ${mode}; modes: ${searchModes.join(', ')}`);
  if (fusion !== 'rrf' && fusion !== 'convex') throw new Error(`unknown fusion ${fusion}: rrf or convex`);
  return { label, mode: mode as SearchMode, fusion };
});
for (const set of sets) {
  if (!existsSync(set)) throw new Error(`${set} does not exist (the shared data lives beside the checkout, in ../shared)`);
}

interface SetResult {
  readonly set: string;
  readonly documents: number;
  readonly indexed: number;
  readonly queries: number;
  readonly ingestSeconds: number;
  readonly byMode: Map<string, RetrievalEvaluationSummary>;
  readonly warnings: string[];
}

const serverUrl = benchServerUrl();
const database = await createBenchDatabase(serverUrl);
log(`fresh database ${database.name} on ${redactUrl(serverUrl)}`);
const startedAt = new Date();
const results: SetResult[] = [];
let serverDescription = '';
try {
  // No search cache: every query runs once anyway, and a benchmark must not measure the cache.
  const { runtime } = await benchRuntime(benchConfig(database.url, { RHIZOME_SEARCH_CACHE_ENTRIES: '0' }));
  try {
    serverDescription = await serverVersion(runtime);
    for (const set of sets) {
      const dataset = await loadBeirDataset(set);
      log(`${basename(set)}: ingesting ${dataset.corpus.length} documents`);
      const corpus = await ingestCorpus(runtime, dataset, { onProgress: (message) => log(`${basename(set)}: ${message}`) });
      log(`${basename(set)}: ${corpus.indexed} indexed, ${corpus.failures.length} failed in ${corpus.ingestSeconds.toFixed(1)} s`);
      const result: SetResult = {
        set: basename(set),
        documents: corpus.documents,
        indexed: corpus.indexed,
        queries: 0,
        ingestSeconds: corpus.ingestSeconds,
        byMode: new Map(),
        warnings: [],
      };
      try {
        for (const { label, mode, fusion } of modes) {
          const report = await runRetrievalEvaluation(runtime, { data: dataset, mode, fusion, corpus });
          result.byMode.set(label, report.summary);
          (result as { queries: number }).queries = report.summary.queries;
          for (const warning of report.warnings) if (!result.warnings.includes(warning)) result.warnings.push(warning);
          const s = report.summary;
          log(
            `${result.set} ${label}: nDCG@10 ${s['ndcg@10'].toFixed(4)} R@10 ${s['recall@10'].toFixed(4)} ` +
              `R@100 ${s['recall@100'].toFixed(4)} MRR@10 ${s['mrr@10'].toFixed(4)} p50 ${s.p50_ms.toFixed(1)} ms p95 ${s.p95_ms.toFixed(1)} ms`,
          );
        }
      } finally {
        await runtime.tenants.delete(corpus.tenantId);
      }
      results.push(result);
    }
  } finally {
    await runtime.close();
  }
} finally {
  await database.drop();
}

const metric = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));
const milliseconds = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(1));
const header = ['mode', ...results.flatMap((result) => [`${result.set} nDCG@10`, 'R@10', 'R@100', 'MRR@10', 'p50 ms', 'p95 ms'])];
const rows = modes.map(({ label }) => [
  label === 'bm25' ? 'bm25 (BM25 baseline)' : label === 'naive' ? 'naive (vector baseline)' : label,
  ...results.flatMap((result) => {
    const summary = result.byMode.get(label);
    return [
      metric(summary?.['ndcg@10']),
      metric(summary?.['recall@10']),
      metric(summary?.['recall@100']),
      metric(summary?.['mrr@10']),
      milliseconds(summary?.p50_ms),
      milliseconds(summary?.p95_ms),
    ];
  }),
]);

const report = [
  `## Retrieval quality (${startedAt.toISOString().slice(0, 10)})`,
  '',
  markdownTable(header, rows),
  '',
  ...results.map(
    (result) =>
      `- ${result.set}: ${result.documents} documents (${result.indexed} indexed) ingested once in ` +
      `${result.ingestSeconds.toFixed(1)} s, ${result.queries} judged queries, run sequentially per mode`,
  ),
  ...results.flatMap((result) => result.warnings.map((warning) => `- warning (${result.set}): ${warning}`)),
  `- machine: ${machineDescription()}`,
  `- database: ${serverDescription} (fresh database per run), search cache off`,
  `- date: ${startedAt.toISOString()}`,
  '',
].join('\n');
process.stdout.write(report);
if (values.out) {
  writeFileSync(values.out, JSON.stringify({ date: startedAt.toISOString(), machine: machineDescription(), server: serverDescription, results: results.map((result) => ({ ...result, byMode: Object.fromEntries(result.byMode) })) }, null, 2));
}
