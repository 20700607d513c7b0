import { createHash, randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { mapWithConcurrency } from '../core/map-with-concurrency.js';
import type { SearchMode } from '../core/search.js';
import { communityQueueName } from '../jobs/ingestion-queue.js';
import type { Runtime } from '../platform/runtime.js';
import { evaluableQueryIds, loadBeirDataset, type BeirDataset, type BeirDocument } from './beir-dataset.js';
import { evaluateRankings, percentile, type QueryMetrics } from './retrieval-metrics.js';
import { maxEvaluationK } from './evaluation-limits.js';

/**
 * `rhizome eval retrieval` (DESIGN.md §4): ingest a BEIR corpus into a fresh tenant through the
 * real pipeline, run every judged query through the search service, and score the rankings.
 *
 * Hits are chunks; the set judges documents. Each hit maps back to its corpus `_id` through the
 * `sourceKey` given at intake, and a document is counted once, at the rank of its best chunk.
 */

/** The runtime parts the evaluation uses (a full `Runtime` qualifies). */
export type EvaluationRuntime = Pick<Runtime, 'database' | 'tenants' | 'documents' | 'search' | 'startWorker'>;

/** The keys of the JSON line, exactly as DESIGN.md §4 names them. */
export interface RetrievalEvaluationSummary {
  readonly 'ndcg@10': number;
  readonly 'recall@10': number;
  readonly 'recall@100': number;
  readonly 'mrr@10': number;
  /** Share of queries with every judged passage in the top 10 (multi-hop: answerable at all). */
  readonly 'all_supporting@10': number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly queries: number;
  readonly documents: number;
  readonly mode: SearchMode;
  readonly fusion: 'rrf' | 'convex';
  readonly ingest_seconds: number;
}

export interface DocumentFailure {
  readonly corpusId: string;
  readonly documentId: string;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

/** A corpus ingested into a tenant, ready to be searched by any number of evaluations. */
export interface IngestedCorpus {
  readonly tenantId: string;
  readonly tenantSlug: string;
  /** Corpus documents submitted. */
  readonly documents: number;
  readonly indexed: number;
  readonly failures: readonly DocumentFailure[];
  /** Corpus ids whose content repeats an earlier document's: they share its single stored copy. */
  readonly duplicates: readonly string[];
  readonly ingestSeconds: number;
  /** Whether an existing tenant holding exactly this corpus was searched instead of ingesting it. */
  readonly reused?: boolean;
}

export interface QueryOutcome extends QueryMetrics {
  readonly latencyMs: number;
  /** Corpus ids in rank order, de-duplicated (first 10). */
  readonly top: readonly string[];
  readonly cached: boolean;
}

export interface RetrievalEvaluationReport {
  readonly summary: RetrievalEvaluationSummary;
  /** The cutoff asked for with `k`, and the means at it (also in `summary` when k is 10). */
  readonly k: number;
  readonly atK: { readonly ndcg: number; readonly recall: number; readonly mrr: number; readonly allSupporting: number };
  readonly perQuery: readonly QueryOutcome[];
  readonly corpus: IngestedCorpus;
  /** Responses the search cache answered (each query runs once, so normally 0). */
  readonly cachedResponses: number;
  readonly warnings: readonly string[];
  /** Whether the tenant still exists afterwards (`keep`, or a corpus the caller ingested). */
  readonly tenantKept: boolean;
}

export interface IngestOptions {
  /** Tenant slug; default `eval-<random>`. */
  readonly slug?: string;
  /** Intake calls in flight (default 4). */
  readonly concurrency?: number;
  /** Give up when no document finishes for this long (default 15 minutes). */
  readonly stallTimeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface RetrievalEvaluationOptions {
  /** A BEIR folder, or a dataset already loaded. */
  readonly data: string | BeirDataset;
  readonly mode: SearchMode;
  /** How the mode's lists are fused (default: the search default, weighted RRF). */
  readonly fusion?: 'rrf' | 'convex';
  /** Cutoff for nDCG, recall and MRR besides the contract's 10 and 100 (default 10). */
  readonly k?: number;
  /** Keep the tenant the evaluation created (default: delete it). */
  readonly keep?: boolean;
  /** Search this already ingested corpus instead of ingesting one; it is never deleted here. */
  readonly corpus?: IngestedCorpus;
  /** Search the kept tenant that holds exactly this corpus, ingesting it first when there is none (see reuseOrIngestCorpus). */
  readonly reuse?: boolean;
  readonly ingest?: Omit<IngestOptions, 'onProgress'>;
  /** Untimed searches before the timed ones (default 3), with texts that are not queries of the set. */
  readonly warmupQueries?: number;
  readonly onProgress?: (message: string) => void;
}

// The search service accepts k up to 200; recall@100 needs at least 100 hits.
export { maxEvaluationK };
const recallDepth = 100;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** One Markdown document per corpus line: the title as its heading (when there is one), then the text. */
export function corpusDocumentMarkdown(document: BeirDocument): string {
  const title = document.title.replace(/\s+/g, ' ').trim();
  return title ? `# ${title}\n\n${document.text}\n` : `${document.text}\n`;
}

function corpusFileName(document: BeirDocument, index: number): string {
  const safe = document.id.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 120);
  return `${safe || `document-${index + 1}`}.md`;
}

/** The intake trims source keys; hits come back with the trimmed form. */
const sourceKeyOf = (corpusId: string) => corpusId.trim();

export function randomEvaluationSlug(): string {
  return `eval-${randomBytes(5).toString('hex')}`;
}

/**
 * Ingests every corpus document into a new tenant with the worker running in this process, and
 * waits until every document is indexed or failed and the community rebuild that follows has run.
 */
export async function ingestCorpus(
  runtime: EvaluationRuntime,
  dataset: BeirDataset,
  options: IngestOptions = {},
): Promise<IngestedCorpus> {
  const progress = options.onProgress ?? (() => {});
  const started = performance.now();
  const slug = options.slug ?? randomEvaluationSlug();
  const tenant = await runtime.tenants.create({ slug, name: `Evaluation of ${basename(dataset.directory)}`.slice(0, 200) });
  try {
    await runtime.startWorker();
    progress(`ingesting ${dataset.corpus.length} documents into tenant ${tenant.slug}`);
    const duplicates: string[] = [];
    let submitted = 0;
    await mapWithConcurrency(dataset.corpus, options.concurrency ?? 4, undefined, async (document, index) => {
      const [result] = await runtime.documents.intake(
        tenant.id,
        [{ fileName: corpusFileName(document, index), bytes: Buffer.from(corpusDocumentMarkdown(document), 'utf8') }],
        { sourceKey: sourceKeyOf(document.id) },
      );
      if (result?.duplicate) duplicates.push(document.id);
      submitted += 1;
      if (submitted % 200 === 0) progress(`submitted ${submitted}/${dataset.corpus.length}`);
    });
    const statuses = await waitForTenantDocuments(runtime, tenant.id, dataset.corpus.length - duplicates.length, {
      stallTimeoutMs: options.stallTimeoutMs ?? 15 * 60_000,
      onProgress: progress,
    });
    await waitForCommunityRebuild(runtime, tenant.id, progress);
    const failures = await failedDocuments(runtime, tenant.id);
    return {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      documents: dataset.corpus.length,
      indexed: statuses.indexed,
      failures,
      duplicates,
      ingestSeconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await runtime.tenants.delete(tenant.id).catch(() => {});
    throw error;
  }
}

/**
 * What a tenant must hold to stand for a corpus: one document per distinct corpus document, under
 * its `_id`, with the SHA-256 of the very Markdown the intake would store. Documents that repeat an
 * earlier one's content are stored once (the intake de-duplicates by content), so they are not
 * expected. `hash` fingerprints the whole corpus; it names the reusable tenant.
 */
export interface CorpusFingerprint {
  readonly hash: string;
  /** Source key → content hash of every document the tenant must hold, and nothing else. */
  readonly documents: ReadonlyMap<string, string>;
  readonly duplicates: readonly string[];
}

export function corpusFingerprint(dataset: Pick<BeirDataset, 'corpus'>): CorpusFingerprint {
  const documents = new Map<string, string>();
  const seenContent = new Set<string>();
  const duplicates: string[] = [];
  for (const document of dataset.corpus) {
    const contentHash = createHash('sha256').update(Buffer.from(corpusDocumentMarkdown(document), 'utf8')).digest('hex');
    if (seenContent.has(contentHash)) {
      duplicates.push(document.id);
      continue;
    }
    seenContent.add(contentHash);
    documents.set(sourceKeyOf(document.id), contentHash);
  }
  const whole = createHash('sha256');
  for (const [sourceKey, contentHash] of [...documents].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))) {
    whole.update(`${sourceKey}\u0000${contentHash}\n`);
  }
  return { hash: whole.digest('hex'), documents, duplicates };
}

/** The slug of the tenant that `reuseOrIngestCorpus` keeps for a corpus. */
export function reusableEvaluationSlug(fingerprint: CorpusFingerprint): string {
  return `eval-${fingerprint.hash.slice(0, 16)}`;
}

/**
 * Why a tenant does not hold exactly the corpus (missing, changed, unindexed or extra documents),
 * or an empty list when it does.
 */
export async function corpusMismatches(
  runtime: EvaluationRuntime,
  tenantId: string,
  fingerprint: CorpusFingerprint,
): Promise<string[]> {
  const result = await runtime.database.query<{ source_key: string | null; content_hash: string; status: string }>(
    'SELECT source_key, content_hash, status FROM documents WHERE tenant_id = $1',
    [tenantId],
  );
  const problems: string[] = [];
  const held = new Set<string>();
  for (const row of result.rows) {
    const expected = row.source_key === null ? undefined : fingerprint.documents.get(row.source_key);
    if (expected === undefined) problems.push(`extra document ${JSON.stringify(row.source_key)}`);
    else if (expected !== row.content_hash) problems.push(`document ${JSON.stringify(row.source_key)} differs from the corpus`);
    // A failed document failed for its content and would fail again: it does not call for a re-ingest.
    else if (row.status !== 'indexed' && row.status !== 'failed') problems.push(`document ${JSON.stringify(row.source_key)} is ${row.status}`);
    if (row.source_key !== null) held.add(row.source_key);
  }
  for (const sourceKey of fingerprint.documents.keys()) {
    if (!held.has(sourceKey)) problems.push(`document ${JSON.stringify(sourceKey)} is missing`);
  }
  return problems;
}

/**
 * Evaluation without re-ingesting: the tenant named after the corpus fingerprint is searched when
 * it holds exactly the corpus (every document indexed, nothing else); otherwise it is deleted and
 * the corpus ingested into it afresh. The tenant is kept either way, for the next run. The check
 * is about the corpus only: after a change to the ingestion pipeline itself (tokenizer, extractor,
 * embedder model), delete the tenant (`rhizome tenants delete SLUG`) to measure the change.
 */
export async function reuseOrIngestCorpus(
  runtime: EvaluationRuntime,
  dataset: BeirDataset,
  options: Omit<IngestOptions, 'slug'> = {},
): Promise<IngestedCorpus> {
  const progress = options.onProgress ?? (() => {});
  const fingerprint = corpusFingerprint(dataset);
  const slug = reusableEvaluationSlug(fingerprint);
  const existing = await runtime.tenants.find(slug);
  if (existing) {
    const problems = await corpusMismatches(runtime, existing.id, fingerprint);
    if (problems.length === 0) {
      progress(`reusing tenant ${slug}: it holds exactly this corpus (${fingerprint.documents.size} documents)`);
      const failures = await failedDocuments(runtime, existing.id);
      return {
        tenantId: existing.id,
        tenantSlug: existing.slug,
        documents: dataset.corpus.length,
        indexed: fingerprint.documents.size - failures.length,
        failures,
        duplicates: fingerprint.duplicates,
        ingestSeconds: 0,
        reused: true,
      };
    }
    progress(
      `tenant ${slug} does not hold exactly this corpus (${problems.length} differences, e.g. ${problems[0]}): ingesting it again`,
    );
    await runtime.tenants.delete(existing.id);
  }
  return ingestCorpus(runtime, dataset, { ...options, slug });
}

async function countByStatus(runtime: EvaluationRuntime, tenantId: string): Promise<Map<string, number>> {
  // As the schema owner, across the tenant's documents: one aggregate instead of a poll per document.
  const result = await runtime.database.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM documents WHERE tenant_id = $1 GROUP BY status',
    [tenantId],
  );
  return new Map(result.rows.map((row) => [row.status, Number(row.count)]));
}

async function waitForTenantDocuments(
  runtime: EvaluationRuntime,
  tenantId: string,
  expected: number,
  options: { readonly stallTimeoutMs: number; readonly onProgress: (message: string) => void },
): Promise<{ indexed: number; failed: number }> {
  let lastSettled = -1;
  let lastChange = Date.now();
  let lastReport = 0;
  for (;;) {
    const counts = await countByStatus(runtime, tenantId);
    const indexed = counts.get('indexed') ?? 0;
    const failed = counts.get('failed') ?? 0;
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const settled = indexed + failed;
    if (total >= expected && settled === total) return { indexed, failed };
    if (settled !== lastSettled) {
      lastSettled = settled;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > options.stallTimeoutMs) {
      throw new Error(
        `indexing stalled: no document finished for ${Math.round(options.stallTimeoutMs / 1000)} s ` +
          `(${[...counts].map(([status, count]) => `${status} ${count}`).join(', ')})`,
      );
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      options.onProgress(`indexed ${indexed}, failed ${failed}, of ${expected}`);
    }
    await sleep(500);
  }
}

/**
 * Every indexed document schedules a (debounced) rebuild of the tenant's communities, which
 * `global` and `mix` search; results taken before the last rebuild has run would under-rate them.
 * The jobs live in pg-boss's table; a rebuild is scheduled just after a document is marked indexed,
 * so "none pending" must hold on two polls a second apart.
 */
async function waitForCommunityRebuild(
  runtime: EvaluationRuntime,
  tenantId: string,
  progress: (message: string) => void,
): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  let quietPolls = 0;
  let reported = false;
  while (quietPolls < 2) {
    await sleep(1_000);
    const result = await runtime.database.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM pgboss.job
       WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data->>'tenantId' = $2`,
      [communityQueueName, tenantId],
    );
    const pending = Number(result.rows[0]?.pending ?? 0);
    if (pending === 0) {
      quietPolls += 1;
    } else {
      quietPolls = 0;
      if (!reported) progress('waiting for the community rebuild');
      reported = true;
    }
    if (Date.now() > deadline) throw new Error('the community rebuild did not finish within 30 minutes');
  }
}

async function failedDocuments(runtime: EvaluationRuntime, tenantId: string): Promise<DocumentFailure[]> {
  const result = await runtime.database.query<{
    id: string;
    source_key: string | null;
    error_code: string | null;
    error_message: string | null;
  }>(
    `SELECT id, source_key, error_code, error_message FROM documents
     WHERE tenant_id = $1 AND status = 'failed' ORDER BY source_key`,
    [tenantId],
  );
  return result.rows.map((row) => ({
    corpusId: row.source_key ?? row.id,
    documentId: row.id,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  }));
}

/** Document id → corpus id, for hits whose source key is missing (a corpus ingested some other way). */
async function corpusIdsByDocument(runtime: EvaluationRuntime, tenantId: string): Promise<Map<string, string>> {
  const result = await runtime.database.query<{ id: string; source_key: string | null }>(
    'SELECT id, source_key FROM documents WHERE tenant_id = $1 AND source_key IS NOT NULL',
    [tenantId],
  );
  return new Map(result.rows.map((row) => [row.id, row.source_key!]));
}

/**
 * Runs every judged query (those with at least one relevant document) through the search service,
 * one at a time, timing each call, and scores the rankings.
 */
export async function evaluateQueries(
  runtime: EvaluationRuntime,
  corpus: IngestedCorpus,
  dataset: BeirDataset,
  options: {
    readonly mode: SearchMode;
    readonly fusion?: 'rrf' | 'convex';
    readonly k: number;
    readonly warmupQueries?: number;
    readonly onProgress?: (message: string) => void;
  },
): Promise<Omit<RetrievalEvaluationReport, 'corpus' | 'tenantKept'>> {
  const { mode, k } = options;
  const fusion = options.fusion ?? 'rrf';
  if (!Number.isInteger(k) || k < 1 || k > maxEvaluationK) throw new RangeError(`k must be an integer from 1 to ${maxEvaluationK}`);
  const progress = options.onProgress ?? (() => {});
  const searchK = Math.max(k, recallDepth);
  const corpusIdBySourceKey = new Map(dataset.corpus.map((document) => [sourceKeyOf(document.id), document.id]));
  const corpusIdByDocument = await corpusIdsByDocument(runtime, corpus.tenantId);
  const queryIds = evaluableQueryIds(dataset);
  if (queryIds.length === 0) throw new Error(`${dataset.directory}: no query has a relevant document in the qrels`);

  // Warm-up with document titles, never with the set's queries (the search cache would answer those).
  const warmups = dataset.corpus
    .map((document) => document.title.trim() || document.text.slice(0, 80).trim())
    .filter(Boolean)
    .slice(0, options.warmupQueries ?? 3);
  for (const text of warmups) await runtime.search.search(corpus.tenantId, { query: text.slice(0, 4_000), mode, fusion, k: searchK });

  const rankings = new Map<string, string[]>();
  const latencies = new Map<string, number>();
  const cachedQueries = new Set<string>();
  let lastReport = Date.now();
  for (const [index, queryId] of queryIds.entries()) {
    const query = dataset.queries.get(queryId)!;
    const started = performance.now();
    let response;
    try {
      response = await runtime.search.search(corpus.tenantId, { query: query.text, mode, fusion, k: searchK });
    } catch (error) {
      throw new Error(`search failed for query ${JSON.stringify(queryId)} (${mode}): ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    latencies.set(queryId, performance.now() - started);
    if (response.cached) cachedQueries.add(queryId);
    const ranking: string[] = [];
    const seen = new Set<string>();
    for (const hit of response.hits) {
      const corpusId =
        (hit.sourceKey === null ? undefined : corpusIdBySourceKey.get(hit.sourceKey)) ??
        corpusIdBySourceKey.get(corpusIdByDocument.get(hit.documentId) ?? '') ??
        // Still occupies its rank: a retrieved document the qrels cannot judge is not relevant.
        `\u0000unmapped:${hit.documentId}`;
      if (seen.has(corpusId)) continue; // Several chunks of one document: the first (best) one counts.
      seen.add(corpusId);
      ranking.push(corpusId);
    }
    rankings.set(queryId, ranking);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      progress(`${mode}: ${index + 1}/${queryIds.length} queries`);
    }
  }

  const cutoffs = [...new Set([10, recallDepth, k])];
  const evaluation = evaluateRankings(queryIds, dataset.qrels, rankings, cutoffs);
  const allLatencies = [...latencies.values()];
  const warnings: string[] = [];
  if (cachedQueries.size > 0) {
    warnings.push(`${cachedQueries.size} queries were answered from the search cache (repeated query texts); their latency is the cache's`);
  }
  const summary: RetrievalEvaluationSummary = {
    'ndcg@10': evaluation.mean.ndcg[10]!,
    'recall@10': evaluation.mean.recall[10]!,
    'recall@100': evaluation.mean.recall[recallDepth]!,
    'mrr@10': evaluation.mean.mrr[10]!,
    'all_supporting@10': evaluation.mean.allSupporting[10]!,
    p50_ms: percentile(allLatencies, 50),
    p95_ms: percentile(allLatencies, 95),
    queries: queryIds.length,
    documents: corpus.documents,
    mode,
    fusion,
    ingest_seconds: corpus.ingestSeconds,
  };
  return {
    summary,
    k,
    atK: {
      ndcg: evaluation.mean.ndcg[k]!,
      recall: evaluation.mean.recall[k]!,
      mrr: evaluation.mean.mrr[k]!,
      allSupporting: evaluation.mean.allSupporting[k]!,
    },
    perQuery: evaluation.perQuery.map((metrics) => ({
      ...metrics,
      latencyMs: latencies.get(metrics.queryId)!,
      top: (rankings.get(metrics.queryId) ?? []).slice(0, 10),
      cached: cachedQueries.has(metrics.queryId),
    })),
    cachedResponses: cachedQueries.size,
    warnings,
  };
}

function corpusWarnings(corpus: IngestedCorpus): string[] {
  const warnings: string[] = [];
  if (corpus.failures.length > 0) {
    const sample = corpus.failures
      .slice(0, 5)
      .map((failure) => `${failure.corpusId}: ${failure.errorCode ?? 'error'} ${failure.errorMessage ?? ''}`.trim());
    warnings.push(
      `${corpus.failures.length} of ${corpus.documents} documents failed to index and cannot be retrieved: ${sample.join('; ')}` +
        (corpus.failures.length > 5 ? '; …' : ''),
    );
  }
  if (corpus.duplicates.length > 0) {
    warnings.push(
      `${corpus.duplicates.length} documents repeat an earlier document's title and text and were stored once ` +
        `(a hit counts for the first id only): ${corpus.duplicates.slice(0, 5).join(', ')}${corpus.duplicates.length > 5 ? ', …' : ''}`,
    );
  }
  return warnings;
}

/** One cell of an evaluation grid: a mode and a fusion. */
export interface EvaluationCell {
  readonly mode: SearchMode;
  readonly fusion: 'rrf' | 'convex';
}

export type RetrievalEvaluationGridOptions = Omit<RetrievalEvaluationOptions, 'mode' | 'fusion'> & {
  readonly cells: readonly EvaluationCell[];
};

/**
 * The whole evaluation for any number of modes and fusions: load the set, ingest it once into a
 * fresh tenant (or search `options.corpus`, or reuse the tenant that holds exactly this corpus),
 * run and score every judged query per cell, and delete the tenant unless it is to be kept.
 */
export async function runRetrievalEvaluations(
  runtime: EvaluationRuntime,
  options: RetrievalEvaluationGridOptions,
): Promise<RetrievalEvaluationReport[]> {
  if (options.cells.length === 0) throw new RangeError('no mode to evaluate');
  const progress = options.onProgress ?? (() => {});
  const dataset = typeof options.data === 'string' ? await loadBeirDataset(options.data) : options.data;
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > maxEvaluationK) throw new RangeError(`k must be an integer from 1 to ${maxEvaluationK}`);
  const ownsCorpus = options.corpus === undefined && !options.reuse;
  const corpus =
    options.corpus ??
    (options.reuse
      ? await reuseOrIngestCorpus(runtime, dataset, { ...options.ingest, onProgress: progress })
      : await ingestCorpus(runtime, dataset, { ...options.ingest, onProgress: progress }));
  const keep = !ownsCorpus || (options.keep ?? false);
  try {
    const reports: RetrievalEvaluationReport[] = [];
    for (const cell of options.cells) {
      const result = await evaluateQueries(runtime, corpus, dataset, {
        mode: cell.mode,
        fusion: cell.fusion,
        k,
        ...(options.warmupQueries === undefined ? {} : { warmupQueries: options.warmupQueries }),
        onProgress: progress,
      });
      reports.push({
        ...result,
        corpus,
        warnings: [...dataset.warnings, ...corpusWarnings(corpus), ...result.warnings],
        tenantKept: keep,
      });
    }
    return reports;
  } finally {
    if (!keep) await runtime.tenants.delete(corpus.tenantId);
  }
}

/** One mode and fusion: `runRetrievalEvaluations` with a single cell. */
export async function runRetrievalEvaluation(
  runtime: EvaluationRuntime,
  options: RetrievalEvaluationOptions,
): Promise<RetrievalEvaluationReport> {
  const { mode, fusion, ...rest } = options;
  const [report] = await runRetrievalEvaluations(runtime, { ...rest, cells: [{ mode, fusion: fusion ?? 'rrf' }] });
  return report!;
}
