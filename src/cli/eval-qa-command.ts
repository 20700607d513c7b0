import { InvalidArgumentError, Option, type Command } from 'commander';
import { agentModes, type AgentMode } from '../core/agent.js';
import { runQaEvaluation, type QaEvaluationReport } from '../evaluation/run-qa-evaluation.js';
import { evaluationProgress } from './evaluation-progress.js';
import { withRuntime } from './run-command.js';

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** The JSON line of DESIGN.md §4 for `eval qa`: the contract's keys first, then context. */
export function qaEvaluationJson(report: QaEvaluationReport): Record<string, number | string> {
  const { summary } = report;
  return {
    accuracy: round(summary.accuracy, 4),
    em: round(summary.em, 4),
    f1: round(summary.f1, 4),
    support_recall: round(summary.support_recall, 4),
    p50_ms: round(summary.p50_ms, 2),
    p95_ms: round(summary.p95_ms, 2),
    questions: summary.questions,
    documents: summary.documents,
    mode: summary.mode,
    not_found: summary.not_found,
    errors: summary.errors,
    ingest_seconds: round(summary.ingest_seconds, 1),
  };
}

export function formatQaSummary(report: QaEvaluationReport, dataDirectory: string): string {
  const { summary, corpus } = report;
  const metric = (value: number) => value.toFixed(4);
  return (
    [
      `QA evaluation of ${dataDirectory} (mode ${summary.mode})`,
      `  documents       ${summary.documents} (${corpus.indexed} indexed, ${corpus.failures.length} failed) ` +
        (corpus.reused ? `in reused tenant ${corpus.tenantSlug}` : `in ${summary.ingest_seconds.toFixed(1)} s`),
      `  questions       ${summary.questions} (${summary.not_found} answered "not in the documents", ${summary.errors} errors)`,
      `  accuracy        ${metric(summary.accuracy)}`,
      `  exact match     ${metric(summary.em)}`,
      `  F1              ${metric(summary.f1)}`,
      `  support recall  ${metric(summary.support_recall)}`,
      `  latency         p50 ${summary.p50_ms.toFixed(1)} ms, p95 ${summary.p95_ms.toFixed(1)} ms`,
      report.tenantKept ? `  tenant          ${corpus.tenantSlug} (kept)` : `  tenant          ${corpus.tenantSlug} (deleted)`,
    ].join('\n') + '\n'
  );
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

interface EvalQaOptions {
  readonly data: string;
  readonly mode: AgentMode;
  readonly limit?: number;
  readonly json?: boolean;
  readonly keep?: boolean;
  readonly reuse?: boolean;
  readonly details?: string;
}

/**
 * `rhizome eval qa --data DIR [--mode M] [--json]` (DESIGN.md §4). Progress goes to stderr; with
 * `--json` stdout holds exactly one JSON object (the last line), otherwise the readable summary.
 */
export function registerEvalQaCommand(evaluation: Command): void {
  evaluation
    .command('qa')
    .description('ingest a QA set into a fresh tenant, ask the agent every question, print accuracy, EM, F1, support recall and latency')
    .requiredOption('--data <dir>', 'QA folder: corpus.jsonl and questions.jsonl')
    .addOption(new Option('--mode <mode>', 'agent mode (auto lets the agent choose)').choices(agentModes).default('auto'))
    .option('--limit <n>', 'ask only the first N questions (a documented sample of a large set)', positiveInteger)
    .option('--json', 'print JSON only: one object with the metrics')
    .option('--keep', 'keep the evaluation tenant instead of deleting it')
    .option('--reuse', 'ask the kept tenant that holds exactly this corpus, ingesting it once when there is none')
    .option('--details <file>', 'write every question, answer and score to this JSON Lines file')
    .action(async (options: EvalQaOptions) => {
      await withRuntime(async (runtime) => {
        const report = await runQaEvaluation(runtime, {
          data: options.data,
          mode: options.mode,
          ...(options.limit ? { limit: options.limit } : {}),
          keep: options.keep ?? false,
          reuse: options.reuse ?? false,
          onProgress: evaluationProgress(),
        });
        if (options.details) {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(options.details, report.perQuestion.map((outcome) => JSON.stringify(outcome)).join('\n') + '\n');
        }
        const readable = formatQaSummary(report, options.data);
        if (options.json) {
          process.stderr.write(readable);
          process.stdout.write(`${JSON.stringify(qaEvaluationJson(report))}\n`);
        } else {
          process.stdout.write(readable);
        }
      });
    });
}
