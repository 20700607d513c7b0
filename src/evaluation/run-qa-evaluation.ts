import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { AgentMode, AgentService } from '../core/agent.js';
import { ValidationError } from '../core/errors.js';
import { parseCorpus, type BeirDataset } from './beir-dataset.js';
import { containsAnswer, exactMatch, supportRecall, tokenF1 } from './qa-metrics.js';
import { percentile, mean } from './retrieval-metrics.js';
import {
  ingestCorpus,
  reuseOrIngestCorpus,
  type EvaluationRuntime,
  type IngestedCorpus,
} from './run-retrieval-evaluation.js';

/**
 * `rhizome eval qa` (DESIGN.md §4): ingest `corpus.jsonl` into a fresh tenant exactly as the
 * retrieval evaluation does, ask the agent every question of `questions.jsonl` (one new thread
 * each, one at a time so latencies are not shared), and score the answers and their citations.
 */
export interface QaQuestion {
  readonly id: string;
  readonly question: string;
  readonly answers: readonly string[];
  readonly supporting: readonly string[];
}

export interface QaDataset {
  readonly directory: string;
  readonly corpus: BeirDataset['corpus'];
  readonly questions: readonly QaQuestion[];
}

const questionLineSchema = z.object({
  _id: z.union([z.string(), z.number()]).transform(String),
  question: z.string().min(1),
  answers: z.array(z.union([z.string(), z.number()]).transform(String)).min(1),
  supporting: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
});

export async function loadQaDataset(directory: string): Promise<QaDataset> {
  const root = resolve(directory);
  const read = (file: string) =>
    readFile(join(root, file), 'utf8').catch(() => {
      throw new ValidationError(`${join(root, file)}: cannot read it (a QA set needs corpus.jsonl and questions.jsonl)`);
    });
  const [corpusText, questionsText] = await Promise.all([read('corpus.jsonl'), read('questions.jsonl')]);
  const corpus = parseCorpus(corpusText, join(root, 'corpus.jsonl'));
  const questions: QaQuestion[] = [];
  for (const [index, line] of questionsText.split('\n').entries()) {
    if (line.trim().length === 0) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ValidationError(`${join(root, 'questions.jsonl')}:${index + 1}: not valid JSON`);
    }
    const parsed = questionLineSchema.safeParse(json);
    if (!parsed.success) {
      throw new ValidationError(`${join(root, 'questions.jsonl')}:${index + 1}: expected {"_id","question","answers":[...],"supporting":[...]}`);
    }
    questions.push({ id: parsed.data._id, question: parsed.data.question, answers: parsed.data.answers, supporting: parsed.data.supporting });
  }
  if (questions.length === 0) throw new ValidationError(`${join(root, 'questions.jsonl')}: no questions`);
  return { directory: root, corpus, questions };
}

export interface QaOutcome {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  readonly shortAnswer: string;
  readonly correct: boolean;
  readonly exact: boolean;
  readonly f1: number;
  readonly supportRecall: number;
  readonly cited: readonly string[];
  readonly notFound: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface QaSummary {
  readonly accuracy: number;
  readonly em: number;
  readonly f1: number;
  readonly support_recall: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly questions: number;
  readonly documents: number;
  readonly mode: AgentMode;
  readonly not_found: number;
  readonly errors: number;
  readonly ingest_seconds: number;
}

export interface QaEvaluationReport {
  readonly summary: QaSummary;
  readonly perQuestion: readonly QaOutcome[];
  readonly corpus: IngestedCorpus;
  readonly tenantKept: boolean;
}

export interface QaEvaluationOptions {
  readonly data: string | QaDataset;
  readonly mode: AgentMode;
  /** Only the first N questions (a documented sample of a large set). */
  readonly limit?: number;
  readonly keep?: boolean;
  readonly reuse?: boolean;
  readonly onProgress?: (message: string) => void;
}

export type QaEvaluationRuntime = EvaluationRuntime & { readonly agent: AgentService };

export function scoreAnswer(
  question: QaQuestion,
  answer: { text: string; shortAnswer?: string | undefined; citedSourceKeys: readonly string[] },
): Pick<QaOutcome, 'correct' | 'exact' | 'f1' | 'supportRecall'> {
  const short = answer.shortAnswer && answer.shortAnswer.length > 0 ? answer.shortAnswer : answer.text;
  return {
    correct: question.answers.some((gold) => containsAnswer(answer.text, gold)),
    exact: question.answers.some((gold) => exactMatch(short, gold)),
    f1: Math.max(...question.answers.map((gold) => tokenF1(short, gold))),
    supportRecall: supportRecall(answer.citedSourceKeys, question.supporting),
  };
}

export async function runQaEvaluation(runtime: QaEvaluationRuntime, options: QaEvaluationOptions): Promise<QaEvaluationReport> {
  const progress = options.onProgress ?? (() => {});
  const dataset = typeof options.data === 'string' ? await loadQaDataset(options.data) : options.data;
  const beir: BeirDataset = { directory: dataset.directory, corpus: dataset.corpus, queries: new Map(), qrels: new Map(), warnings: [] };
  const corpus = options.reuse
    ? await reuseOrIngestCorpus(runtime, beir, { onProgress: progress })
    : await ingestCorpus(runtime, beir, { onProgress: progress });
  const keep = options.reuse || (options.keep ?? false);
  try {
    const questions = options.limit ? dataset.questions.slice(0, options.limit) : dataset.questions;
    // Untimed warm-up: the first questions pay for compiled code paths and cold caches.
    for (const warmup of ['What is this collection about?', '这些文档讲的是什么？']) {
      await runtime.agent.ask(corpus.tenantId, { message: warmup, mode: options.mode }).catch(() => undefined);
    }
    const outcomes: QaOutcome[] = [];
    // Corpus ids of the documents cited so far: this run's tenant only, so it lives with the run.
    const sourceKeys = new Map<string, string>();
    for (const [index, question] of questions.entries()) {
      const started = performance.now();
      try {
        const answer = await runtime.agent.ask(corpus.tenantId, { message: question.question, mode: options.mode });
        const latencyMs = performance.now() - started;
        const cited = await sourceKeysOf(
          runtime,
          corpus.tenantId,
          answer.citations.map((citation) => citation.documentId),
          sourceKeys,
        );
        outcomes.push({
          id: question.id,
          question: question.question,
          answer: answer.text,
          shortAnswer: answer.shortAnswer ?? '',
          notFound: answer.notFound,
          cited,
          latencyMs,
          ...scoreAnswer(question, { text: answer.text, shortAnswer: answer.shortAnswer, citedSourceKeys: cited }),
        });
      } catch (error) {
        outcomes.push({
          id: question.id,
          question: question.question,
          answer: '',
          shortAnswer: '',
          notFound: false,
          cited: [],
          latencyMs: performance.now() - started,
          correct: false,
          exact: false,
          f1: 0,
          supportRecall: 0,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      if ((index + 1) % 50 === 0) progress(`asked ${index + 1}/${questions.length}`);
    }
    const latencies = outcomes.map((outcome) => outcome.latencyMs);
    return {
      summary: {
        accuracy: mean(outcomes.map((outcome) => (outcome.correct ? 1 : 0))),
        em: mean(outcomes.map((outcome) => (outcome.exact ? 1 : 0))),
        f1: mean(outcomes.map((outcome) => outcome.f1)),
        support_recall: mean(outcomes.map((outcome) => outcome.supportRecall)),
        p50_ms: percentile(latencies, 50),
        p95_ms: percentile(latencies, 95),
        questions: outcomes.length,
        documents: dataset.corpus.length,
        mode: options.mode,
        not_found: outcomes.filter((outcome) => outcome.notFound).length,
        errors: outcomes.filter((outcome) => outcome.error !== undefined).length,
        ingest_seconds: corpus.ingestSeconds,
      },
      perQuestion: outcomes,
      corpus,
      tenantKept: keep,
    };
  } finally {
    if (!keep) await runtime.tenants.delete(corpus.tenantId);
  }
}

/**
 * Corpus ids of the cited documents (the intake's source keys), in citation order. `known` keeps
 * those already looked up, so each document costs one query per run, not one per citation.
 */
async function sourceKeysOf(
  runtime: EvaluationRuntime,
  tenantId: string,
  documentIds: readonly string[],
  known: Map<string, string>,
): Promise<string[]> {
  const missing = [...new Set(documentIds.filter((id) => !known.has(id)))];
  if (missing.length > 0) {
    const result = await runtime.database.query<{ id: string; source_key: string | null }>(
      'SELECT id, source_key FROM documents WHERE tenant_id = $1 AND id = ANY($2::uuid[])',
      [tenantId, missing],
    );
    for (const row of result.rows) known.set(row.id, row.source_key ?? row.id);
  }
  return documentIds.map((id) => known.get(id) ?? id);
}
