import { InvalidArgumentError, type Command } from 'commander';
import { searchFusions, searchModes, type SearchFusion, type SearchMode } from '../core/search.js';
import { maxEvaluationK } from '../evaluation/evaluation-limits.js';
import type { EvaluationCell, RetrievalEvaluationReport } from '../evaluation/run-retrieval-evaluation.js';
import { evaluationProgress } from './evaluation-progress.js';
import { withRuntime } from './run-command.js';

function cutoff(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > maxEvaluationK) {
    throw new InvalidArgumentError(`must be an integer from 1 to ${maxEvaluationK}`);
  }
  return parsed;
}

/** A comma-separated list of choices, each given once: `bm25,hybrid,mix`. */
function choiceList<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((item) => item.trim());
    const unknown = items.filter((item) => !(choices as readonly string[]).includes(item));
    if (items.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(`${unknown.map((item) => JSON.stringify(item)).join(', ') || 'nothing'} is not one of ${choices.join(', ')}`);
    }
    return [...new Set(items)] as T[];
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * The JSON line of DESIGN.md §4: exactly the contract's keys (metrics rounded to 4 decimals,
 * times to 0.01 ms); a `--k` other than 10 adds its own `ndcg@k`, `recall@k` and `mrr@k`.
 */
export function evaluationJson(
  report: RetrievalEvaluationReport,
  options: { readonly withFusion?: boolean } = {},
): Record<string, number | string> {
  const { summary } = report;
  return {
    'ndcg@10': round(summary['ndcg@10'], 4),
    'recall@10': round(summary['recall@10'], 4),
    'recall@100': round(summary['recall@100'], 4),
    'mrr@10': round(summary['mrr@10'], 4),
    p50_ms: round(summary.p50_ms, 2),
    p95_ms: round(summary.p95_ms, 2),
    queries: summary.queries,
    documents: summary.documents,
    mode: summary.mode,
    ingest_seconds: round(summary.ingest_seconds, 1),
    'all_supporting@10': round(summary['all_supporting@10'], 4),
    // A grid's lines must say which cell they are; the single-mode line keeps its contract shape.
    ...(options.withFusion ? { fusion: summary.fusion } : {}),
    ...(report.k === 10
      ? {}
      : {
          [`ndcg@${report.k}`]: round(report.atK.ndcg, 4),
          [`recall@${report.k}`]: round(report.atK.recall, 4),
          [`mrr@${report.k}`]: round(report.atK.mrr, 4),
          [`all_supporting@${report.k}`]: round(report.atK.allSupporting, 4),
        }),
  };
}

/** Several cells: one table row per mode and fusion. */
export function formatEvaluationTable(reports: readonly RetrievalEvaluationReport[], dataDirectory: string): string {
  const first = reports[0]!;
  const header = ['mode', 'fusion', 'nDCG@10', 'R@10', 'all@10', 'R@100', 'MRR@10', 'p50 ms', 'p95 ms'];
  const rows = reports.map(({ summary }) => [
    summary.mode,
    summary.fusion,
    summary['ndcg@10'].toFixed(4),
    summary['recall@10'].toFixed(4),
    summary['all_supporting@10'].toFixed(4),
    summary['recall@100'].toFixed(4),
    summary['mrr@10'].toFixed(4),
    summary.p50_ms.toFixed(1),
    summary.p95_ms.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const { corpus } = first;
  return [
    `Retrieval evaluation of ${dataDirectory}: ${first.summary.queries} queries, ${corpus.documents} documents ` +
      `(${corpus.indexed} indexed, ${corpus.failures.length} failed)` +
      (corpus.reused ? `, reused tenant ${corpus.tenantSlug}` : ` in ${corpus.ingestSeconds.toFixed(1)} s`),
    line(header),
    ...rows.map(line),
    first.tenantKept ? `tenant ${corpus.tenantSlug} (kept)` : `tenant ${corpus.tenantSlug} (deleted)`,
  ].join('\n') + '\n';
}

export function formatEvaluationSummary(report: RetrievalEvaluationReport, dataDirectory: string): string {
  const { summary, corpus } = report;
  const metric = (value: number) => value.toFixed(4);
  const lines = [
    `Retrieval evaluation of ${dataDirectory} (mode ${summary.mode}, fusion ${summary.fusion})`,
    `  documents   ${summary.documents} (${corpus.indexed} indexed, ${corpus.failures.length} failed) ` +
      (corpus.reused ? `in reused tenant ${corpus.tenantSlug}` : `in ${summary.ingest_seconds.toFixed(1)} s`),
    `  queries     ${summary.queries}`,
    `  nDCG@10     ${metric(summary['ndcg@10'])}`,
    `  recall@10   ${metric(summary['recall@10'])}`,
    `  recall@100  ${metric(summary['recall@100'])}`,
    `  MRR@10      ${metric(summary['mrr@10'])}`,
    `  all@10      ${metric(summary['all_supporting@10'])} (queries with every judged passage in the top 10)`,
    ...(report.k === 10
      ? []
      : [
          `  nDCG@${report.k}`.padEnd(14) + metric(report.atK.ndcg),
          `  recall@${report.k}`.padEnd(14) + metric(report.atK.recall),
          `  MRR@${report.k}`.padEnd(14) + metric(report.atK.mrr),
        ]),
    `  latency     p50 ${summary.p50_ms.toFixed(1)} ms, p95 ${summary.p95_ms.toFixed(1)} ms`,
    report.tenantKept ? `  tenant      ${corpus.tenantSlug} (kept)` : `  tenant      ${corpus.tenantSlug} (deleted)`,
  ];
  return `${lines.join('\n')}\n`;
}

interface EvalRetrievalOptions {
  readonly data: string;
  readonly mode: SearchMode[];
  readonly fusion: SearchFusion[];
  readonly k: number;
  readonly json?: boolean;
  readonly keep?: boolean;
  readonly reuse?: boolean;
}

/**
 * Registers `rhizome eval retrieval` (and the `eval` group, reused when it already exists so that
 * `eval qa` can join it). Progress and warnings go to stderr; stdout carries the summary and, with
 * `--json`, one JSON object as its last line.
 */
export function registerEvalCommands(program: Command): Command {
  const evaluation =
    program.commands.find((command) => command.name() === 'eval') ??
    program.command('eval').description('measure retrieval quality on a benchmark set in the BEIR layout');
  evaluation
    .command('retrieval')
    .description('ingest a BEIR set into a fresh tenant, run its judged queries, print nDCG@10, recall, MRR and latency')
    .requiredOption('--data <dir>', 'BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv')
    .option('--mode <modes>', `retrieval modes, comma-separated (${searchModes.join(', ')})`, choiceList(searchModes), ['mix'])
    .option('--fusion <fusions>', `how lists are fused, comma-separated (${searchFusions.join(', ')})`, choiceList(searchFusions), ['rrf'])
    .option('--k <k>', `cutoff for nDCG, recall and MRR besides 10 and 100 (1–${maxEvaluationK})`, cutoff, 10)
    .option('--json', 'print JSON only: one object per mode and fusion, one per line')
    .option('--keep', 'keep the evaluation tenant instead of deleting it')
    .option('--reuse', 'search the kept tenant that holds exactly this corpus (checked document by document), ingesting it once when there is none')
    .addHelpText(
      'after',
      '\nThe tenant is created for the run and deleted afterwards (unless --keep). Needs the data folder:\n' +
        'stop a server that holds the embedded database first, or point DATABASE_URL at a server.',
    )
    .action(async (options: EvalRetrievalOptions) => {
      // Loaded when the command runs, so that `--help` stays quick.
      const { runRetrievalEvaluations } = await import('../evaluation/run-retrieval-evaluation.js');
      await withRuntime(async (runtime) => {
        const cells: EvaluationCell[] = options.mode.flatMap((mode) => options.fusion.map((fusion) => ({ mode, fusion })));
        const reports = await runRetrievalEvaluations(runtime, {
          data: options.data,
          cells,
          k: options.k,
          keep: options.keep ?? false,
          reuse: options.reuse ?? false,
          onProgress: evaluationProgress(),
        });
        for (const warning of reports[0]!.warnings) process.stderr.write(`eval: warning: ${warning}\n`);
        const grid = reports.length > 1;
        // With --json stdout carries JSON only (DESIGN.md §4); the readable summary goes to stderr.
        const readable = grid ? formatEvaluationTable(reports, options.data) : formatEvaluationSummary(reports[0]!, options.data);
        if (options.json) {
          process.stderr.write(readable);
          for (const report of reports) process.stdout.write(`${JSON.stringify(evaluationJson(report, { withFusion: grid }))}\n`);
        } else {
          process.stdout.write(readable);
        }
      }, { command: 'eval retrieval' });
    });
  return evaluation;
}
