import { InvalidArgumentError, Option, type Command } from 'commander';
import { searchModes, type SearchMode } from '../core/search.js';
import {
  maxEvaluationK,
  runRetrievalEvaluation,
  type RetrievalEvaluationReport,
} from '../evaluation/run-retrieval-evaluation.js';
import { withRuntime } from './run-command.js';

function cutoff(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > maxEvaluationK) {
    throw new InvalidArgumentError(`must be an integer from 1 to ${maxEvaluationK}`);
  }
  return parsed;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * The JSON line of DESIGN.md §4: exactly the contract's keys (metrics rounded to 4 decimals,
 * times to 0.01 ms); a `--k` other than 10 adds its own `ndcg@k`, `recall@k` and `mrr@k`.
 */
export function evaluationJson(report: RetrievalEvaluationReport): Record<string, number | string> {
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
    ...(report.k === 10
      ? {}
      : {
          [`ndcg@${report.k}`]: round(report.atK.ndcg, 4),
          [`recall@${report.k}`]: round(report.atK.recall, 4),
          [`mrr@${report.k}`]: round(report.atK.mrr, 4),
        }),
  };
}

export function formatEvaluationSummary(report: RetrievalEvaluationReport, dataDirectory: string): string {
  const { summary, corpus } = report;
  const metric = (value: number) => value.toFixed(4);
  const lines = [
    `Retrieval evaluation of ${dataDirectory} (mode ${summary.mode})`,
    `  documents   ${summary.documents} (${corpus.indexed} indexed, ${corpus.failures.length} failed) in ${summary.ingest_seconds.toFixed(1)} s`,
    `  queries     ${summary.queries}`,
    `  nDCG@10     ${metric(summary['ndcg@10'])}`,
    `  recall@10   ${metric(summary['recall@10'])}`,
    `  recall@100  ${metric(summary['recall@100'])}`,
    `  MRR@10      ${metric(summary['mrr@10'])}`,
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
  readonly mode: SearchMode;
  readonly fusion: 'rrf' | 'convex';
  readonly k: number;
  readonly json?: boolean;
  readonly keep?: boolean;
}

/**
 * Registers `rhizome eval retrieval` (and the `eval` group, reused when it already exists so that
 * `eval qa` can join it). Progress and warnings go to stderr; stdout carries the summary and, with
 * `--json`, one JSON object as its last line.
 */
export function registerEvalCommands(program: Command): Command {
  const evaluation =
    program.commands.find((command) => command.name() === 'eval') ??
    program.command('eval').description('evaluate retrieval and answers on a benchmark set (DESIGN.md §4)');
  evaluation
    .command('retrieval')
    .description('ingest a BEIR set into a fresh tenant, run its judged queries, print nDCG@10, recall, MRR and latency')
    .requiredOption('--data <dir>', 'BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv')
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(searchModes).default('mix'))
    .addOption(new Option('--fusion <fusion>', 'how lists are fused').choices(['rrf', 'convex']).default('rrf'))
    .option('--k <k>', `cutoff for nDCG, recall and MRR besides 10 and 100 (1–${maxEvaluationK})`, cutoff, 10)
    .option('--json', 'print one JSON object with the metrics as the last line')
    .option('--keep', 'keep the evaluation tenant instead of deleting it')
    .action(async (options: EvalRetrievalOptions) => {
      await withRuntime(async (runtime) => {
        let lastProgress = 0;
        const report = await runRetrievalEvaluation(runtime, {
          data: options.data,
          mode: options.mode,
          fusion: options.fusion,
          k: options.k,
          keep: options.keep ?? false,
          onProgress: (message) => {
            if (Date.now() - lastProgress < 2_000 && !message.startsWith('ingesting')) return;
            lastProgress = Date.now();
            process.stderr.write(`eval: ${message}\n`);
          },
        });
        for (const warning of report.warnings) process.stderr.write(`eval: warning: ${warning}\n`);
        process.stdout.write(formatEvaluationSummary(report, options.data));
        if (options.json) process.stdout.write(`${JSON.stringify(evaluationJson(report))}\n`);
      });
    });
  return evaluation;
}
