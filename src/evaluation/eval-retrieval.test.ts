import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnRhizome } from '../../test/support/spawn-rhizome.js';
import { createTestPlatform, type TestPlatform } from '../../test/support/test-platform.js';
import { testDrivers } from '../../test/support/test-databases.js';
import { registerEvalCommands } from '../cli/eval-command.js';
import type { SearchMode } from '../core/search.js';
import { loadBeirDataset, type BeirDataset } from './beir-dataset.js';
import {
  corpusFingerprint,
  ingestCorpus,
  reusableEvaluationSlug,
  reuseOrIngestCorpus,
  runRetrievalEvaluation,
  runRetrievalEvaluations,
  type IngestedCorpus,
} from './run-retrieval-evaluation.js';

/**
 * A BEIR set small enough to rank by hand. Every query shares rare words with a few documents and
 * nothing with the others, so lexical and vector retrieval both put the documents sharing more
 * query words first:
 *   q1 "quokka zephyr"            → d1 (quokka, zephyr), then d2 (quokka)
 *   q2 "marzipan obsidian"        → d3 (marzipan, obsidian), then d4 (obsidian)
 *   q3 "xylophone nebula glacier" → d6 (xylophone, nebula, glacier), then d5 (glacier)
 * The qrels are graded, q2 has a relevant document that no ranking can contain ("ghost", not in
 * the corpus) and one above it that is not relevant (d3), and q3 ranks the lower grade first.
 *
 * Each document names exactly one place or person, in mid-sentence, and no two share one. So the
 * graph list (`local`, and inside `mix`) — a walk seeded by the entities of the top BM25 passages —
 * reaches only the passages BM25 found, in BM25's order, and mix agrees with hybrid. (A
 * sentence-initial noun such as "Marsupials ..." is taken for a name by the offline extractor; it
 * would give the second passage alone a graph hit and let it overtake the first in mix.) There
 * are no relations (one entity per document), hence no communities: `global` finds nothing.
 */
const corpus = [
  { _id: 'd1', title: 'Island notes', text: 'A quokka greets visitors near Rottnest Island. The zephyr from the sea keeps the quokka cool.' },
  { _id: 'd2', title: 'Coastal fauna', text: 'The marsupials of Western Australia include the quokka, which sleeps in shaded thickets by day.' },
  { _id: 'd3', title: 'Confectionery', text: 'A baker called Clara Voss shaped marzipan into tiny rocks that looked like polished obsidian pebbles.' },
  { _id: 'd4', title: 'Volcanic glass', text: 'The obsidian of Iceland forms when lava cools too quickly for crystals to grow inside the flow.' },
  { _id: 'd5', title: 'Ice fields', text: 'A glacier on Mount Cook carves valleys slowly, dragging boulders and grinding bedrock into flour.' },
  { _id: 'd6', title: 'Orchestra and sky', text: 'The xylophone player at La Scala painted a nebula on the stage, above a cardboard glacier.' },
];
const queries = [
  { _id: 'q1', text: 'quokka zephyr' },
  { _id: 'q2', text: 'marzipan obsidian' },
  { _id: 'q3', text: 'xylophone nebula glacier' },
  { _id: 'q4', text: 'not judged, never run' },
];
const qrels = [
  ['q1', 'd1', 2],
  ['q1', 'd2', 1],
  ['q2', 'd4', 1],
  ['q2', 'ghost', 1],
  ['q3', 'd5', 2],
  ['q3', 'd6', 1],
  ['q3', 'd3', 0],
] as const;

/*
 * The metrics for the rankings above, by hand (log2(2) = 1, log2(3) = 1.5849625; the cutoffs 10 and
 * 100 see the same documents, since only the documents sharing a word are relevant):
 * q1 [d1, d2, …]: DCG = 2/1 + 1/log2(3) = 2.6309298 = IDCG → nDCG 1; recall 2/2 = 1; MRR 1/1 = 1
 * q2 [d3, d4, …]: DCG = 1/log2(3) = 0.6309298; IDCG (grades 1, 1) = 1 + 0.6309298 = 1.6309298
 *                 → nDCG 0.3868528; recall 1/2 (ghost is never retrieved); MRR 1/2
 * q3 [d6, d5, …]: DCG = 1/1 + 2/log2(3) = 2.2618595; IDCG (grades 2, 1) = 2 + 0.6309298 = 2.6309298
 *                 → nDCG 0.8597186; recall 1; MRR 1
 * Means over the 3 judged queries (q4 has no qrels and is not run):
 *   nDCG@10 = (1 + 0.3868528 + 0.8597186) / 3 = 0.7488571
 *   recall@10 = recall@100 = (1 + 0.5 + 1) / 3 = 0.8333333
 *   MRR@10 = (1 + 0.5 + 1) / 3 = 0.8333333
 */
/*
 * all-supporting@10: q1 has d1 and d2 in its top 10 (1), q2 can never have "ghost" (0), q3 has d6
 * and d5 (1) → 2/3.
 */
const expected = {
  'ndcg@10': 0.7488571,
  'recall@10': 0.8333333,
  'recall@100': 0.8333333,
  'mrr@10': 0.8333333,
  'all_supporting@10': 0.6666667,
};
const expectedTop = { q1: ['d1', 'd2'], q2: ['d3', 'd4'], q3: ['d6', 'd5'] };
const contractKeys = [
  'ndcg@10',
  'recall@10',
  'recall@100',
  'mrr@10',
  'p50_ms',
  'p95_ms',
  'queries',
  'documents',
  'mode',
  'ingest_seconds',
  'all_supporting@10',
];

function writeFixture(): string {
  const directory = mkdtempSync(join(tmpdir(), 'rhizome-eval-set-'));
  writeFileSync(join(directory, 'corpus.jsonl'), corpus.map((line) => JSON.stringify(line)).join('\n') + '\n');
  writeFileSync(join(directory, 'queries.jsonl'), queries.map((line) => JSON.stringify(line)).join('\n') + '\n');
  mkdirSync(join(directory, 'qrels'));
  writeFileSync(
    join(directory, 'qrels', 'test.tsv'),
    ['query-id\tcorpus-id\tscore', ...qrels.map((row) => row.join('\t'))].join('\n') + '\n',
  );
  return directory;
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

// The evaluation is a tool over the runtime: PGlite shows it end to end; the driver suites cover SQL.
describe('eval retrieval through the runtime [pglite]', () => {
  let platform: TestPlatform;
  let dataset: BeirDataset;
  let ingested: IngestedCorpus;

  beforeAll(async () => {
    const directory = writeFixture();
    folders.push(directory);
    dataset = await loadBeirDataset(directory);
    platform = await createTestPlatform(testDrivers[0]!);
    ingested = await ingestCorpus(platform.runtime, dataset);
  });
  afterAll(() => platform.dispose());

  it('ingests one document per corpus line under its _id, in a fresh tenant', async () => {
    expect(ingested).toMatchObject({ documents: 6, indexed: 6, failures: [], duplicates: [] });
    expect(ingested.tenantSlug).toMatch(/^eval-[0-9a-f]{10}$/);
    const documents = await platform.database.query<{ source_key: string; title: string; status: string }>(
      'SELECT source_key, title, status FROM documents WHERE tenant_id = $1 ORDER BY source_key',
      [ingested.tenantId],
    );
    expect(documents.rows.map((row) => [row.source_key, row.title, row.status])).toEqual(
      corpus.map((line) => [line._id, line.title, 'indexed']),
    );
  });

  it.each<SearchMode>(['bm25', 'naive', 'hybrid', 'mix', 'local'])(
    '%s ranks as constructed and scores the hand-computed metrics',
    async (mode) => {
      const report = await runRetrievalEvaluation(platform.runtime, { data: dataset, mode, corpus: ingested });
      expect(Object.fromEntries(report.perQuery.map((query) => [query.queryId, query.top.slice(0, 2)]))).toEqual(expectedTop);
      for (const [key, value] of Object.entries(expected)) {
        expect(report.summary[key as keyof typeof expected], key).toBeCloseTo(value, 6);
      }
      expect(report.summary).toMatchObject({ queries: 3, documents: 6, mode, fusion: 'rrf' });
      expect(Object.keys(report.summary).sort()).toEqual([...contractKeys, 'fusion'].sort());
      expect(report.summary.p95_ms).toBeGreaterThanOrEqual(report.summary.p50_ms);
      expect(report.warnings).toEqual([expect.stringContaining('"ghost"')]);
      expect(report.tenantKept).toBe(true); // a corpus the caller ingested is the caller's to delete
    },
  );

  it('global finds nothing without communities, and scores zero', async () => {
    // The corpus's titles are entities of their passages (heading-entities.ts), so the rebuild may
    // have found communities: take them away to test the empty path.
    await platform.database.query('DELETE FROM communities WHERE tenant_id = $1', [ingested.tenantId]);
    const report = await runRetrievalEvaluation(platform.runtime, { data: dataset, mode: 'global', corpus: ingested, k: 5 });
    expect(report.perQuery.map((query) => query.top)).toEqual([[], [], []]);
    expect(report.summary).toMatchObject({ 'ndcg@10': 0, 'recall@10': 0, 'recall@100': 0, 'mrr@10': 0, queries: 3 });
    expect(report.atK).toEqual({ ndcg: 0, recall: 0, mrr: 0, allSupporting: 0 });
  });

  it('runs every mode and fusion of a grid on one ingested corpus', async () => {
    const reports = await runRetrievalEvaluations(platform.runtime, {
      data: dataset,
      corpus: ingested,
      cells: [
        { mode: 'bm25', fusion: 'rrf' },
        { mode: 'hybrid', fusion: 'convex' },
      ],
    });
    expect(reports.map((report) => [report.summary.mode, report.summary.fusion])).toEqual([
      ['bm25', 'rrf'],
      ['hybrid', 'convex'],
    ]);
    for (const report of reports) expect(report.summary['all_supporting@10']).toBeCloseTo(2 / 3, 6);
    expect(new Set(reports.map((report) => report.corpus.tenantId))).toEqual(new Set([ingested.tenantId]));
  });

  it('reuses the tenant that holds exactly the corpus, and ingests again when it does not', async () => {
    const fingerprint = corpusFingerprint(dataset);
    const first = await reuseOrIngestCorpus(platform.runtime, dataset);
    expect(first.reused).toBeUndefined();
    expect(first.tenantSlug).toBe(reusableEvaluationSlug(fingerprint));
    const second = await reuseOrIngestCorpus(platform.runtime, dataset);
    expect(second).toMatchObject({ tenantId: first.tenantId, reused: true, indexed: 6, ingestSeconds: 0 });

    // A document edited in the tenant (not the corpus) no longer matches: the tenant is rebuilt.
    await platform.database.query(
      "UPDATE documents SET content_hash = 'edited' WHERE tenant_id = $1 AND source_key = 'd4'",
      [first.tenantId],
    );
    const rebuilt = await reuseOrIngestCorpus(platform.runtime, dataset);
    expect(rebuilt.reused).toBeUndefined();
    expect(rebuilt.tenantId).not.toBe(first.tenantId);
    expect(rebuilt.tenantSlug).toBe(first.tenantSlug);
    expect(await platform.runtime.tenants.find(first.tenantId)).toBeNull();

    // A different corpus has a different fingerprint, hence its own tenant.
    const smaller = { ...dataset, corpus: dataset.corpus.slice(0, 5) };
    expect(reusableEvaluationSlug(corpusFingerprint(smaller))).not.toBe(first.tenantSlug);

    const report = await runRetrievalEvaluation(platform.runtime, { data: dataset, mode: 'bm25', reuse: true });
    expect(report).toMatchObject({ tenantKept: true, corpus: { tenantId: rebuilt.tenantId, reused: true } });
    expect(report.summary['ndcg@10']).toBeCloseTo(expected['ndcg@10'], 6);
    await platform.runtime.tenants.delete(rebuilt.tenantId);
  });

  it('deletes the tenant it created unless asked to keep it', async () => {
    const report = await runRetrievalEvaluation(platform.runtime, { data: dataset, mode: 'bm25' });
    expect(report.tenantKept).toBe(false);
    expect(await platform.runtime.tenants.find(report.corpus.tenantId)).toBeNull();
    expect(report.summary['ndcg@10']).toBeCloseTo(expected['ndcg@10'], 6);
    expect(report.summary.ingest_seconds).toBeGreaterThan(0);
  });
});

function lastJsonLine(output: string): Record<string, unknown> {
  const lines = output.trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}

/** Runs `rhizome eval retrieval ARGS` in process on PGlite; returns what it wrote. */
async function runEvalCli(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'rhizome-eval-data-'));
  folders.push(dataDirectory);
  vi.stubEnv('RHIZOME_DATA_DIR', dataDirectory);
  vi.stubEnv('RHIZOME_PROFILE', 'test');
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('LOG_LEVEL', 'warn');
  let stdout = '';
  let stderr = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const writeError = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const program = new Command().exitOverride();
    registerEvalCommands(program);
    await program.parseAsync(['eval', 'retrieval', ...args], { from: 'user' });
  } finally {
    write.mockRestore();
    writeError.mockRestore();
    vi.unstubAllEnvs();
  }
  return { stdout, stderr };
}

function expectContractJson(json: Record<string, unknown>, mode: string): void {
  expect(Object.keys(json)).toEqual(contractKeys);
  for (const [key, value] of Object.entries(expected)) expect(json[key], key).toBeCloseTo(value, 4);
  expect(json).toMatchObject({ queries: 3, documents: 6, mode });
  expect(json.p50_ms).toEqual(expect.any(Number));
}

describe('rhizome eval retrieval (CLI)', () => {
  it('with --json prints the contract object alone on stdout, the summary on stderr (PGlite in RHIZOME_DATA_DIR)', async () => {
    const directory = writeFixture();
    folders.push(directory);
    const { stdout, stderr } = await runEvalCli(['--data', directory, '--mode', 'bm25', '--json']);
    expect(process.exitCode ?? 0).toBe(0);
    expect(stderr).toContain('nDCG@10     0.7489');
    expect(stderr).toContain('all@10      0.6667');
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expectContractJson(lastJsonLine(stdout), 'bm25');
  }, 300_000);

  it('runs a grid of modes and fusions on one ingest: one JSON line per cell, with mode and fusion', async () => {
    const directory = writeFixture();
    folders.push(directory);
    const { stdout, stderr } = await runEvalCli(['--data', directory, '--mode', 'bm25,hybrid', '--fusion', 'rrf,convex', '--json']);
    expect(process.exitCode ?? 0).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.mode, line.fusion])).toEqual([
      ['bm25', 'rrf'],
      ['bm25', 'convex'],
      ['hybrid', 'rrf'],
      ['hybrid', 'convex'],
    ]);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual([...contractKeys, 'fusion']);
      expect(line['all_supporting@10']).toBeCloseTo(0.6667, 4);
    }
    expect(stderr).toMatch(/mode\s+fusion\s+nDCG@10/);
  }, 300_000);

  it('rejects an unknown mode in a list', async () => {
    const directory = writeFixture();
    folders.push(directory);
    await expect(runEvalCli(['--data', directory, '--mode', 'bm25,bogus'])).rejects.toThrow(/"bogus" is not one of/);
  }, 300_000);

  // Runs once main.ts registers the command; until then `rhizome eval` does not exist in the binary.
  const registered = readFileSync(resolve(import.meta.dirname, '../cli/main.ts'), 'utf8').includes('registerEvalCommands');
  it.skipIf(!registered)('works as a child process, as an operator runs it', async () => {
    const directory = writeFixture();
    const dataDirectory = mkdtempSync(join(tmpdir(), 'rhizome-eval-data-'));
    folders.push(directory, dataDirectory);
    const child = spawnRhizome(['eval', 'retrieval', '--data', directory, '--mode', 'naive', '--json'], {
      RHIZOME_DATA_DIR: dataDirectory,
      RHIZOME_PROFILE: 'test',
      DATABASE_URL: '',
    });
    let stdout = '';
    child.child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    const code = await child.exited;
    expect(code, child.output()).toBe(0);
    expectContractJson(lastJsonLine(stdout), 'naive');
  }, 300_000);
});
