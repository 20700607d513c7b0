import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';

/**
 * A retrieval set in the BEIR layout (`shared/data/README.md`):
 * - `corpus.jsonl`: one `{"_id","title","text"}` object per line;
 * - `queries.jsonl`: one `{"_id","text"}` object per line;
 * - `qrels/test.tsv`: a header line, then `query-id<TAB>corpus-id<TAB>score` (an integer grade; > 0 is relevant).
 *
 * Everything is validated up front, and every error names the file and the line, so a broken set
 * fails before anything is ingested rather than as a puzzling metric.
 */

export interface BeirDocument {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

export interface BeirQuery {
  readonly id: string;
  readonly text: string;
}

/** Query id → corpus id → graded relevance (as given; 0 means judged not relevant). */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface BeirDataset {
  readonly directory: string;
  readonly corpus: readonly BeirDocument[];
  readonly queries: ReadonlyMap<string, BeirQuery>;
  readonly qrels: Qrels;
  /** Not fatal, but worth saying: e.g. qrels naming documents that are not in the corpus. */
  readonly warnings: readonly string[];
}

/** Invalid input (code `validation_failed`): the CLI prints the message alone, naming file and line. */
export class BeirDatasetError extends ValidationError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    const location = line === undefined ? file : `${file}:${line}`;
    super(`${location}: ${message}`, [{ path: location, message }]);
  }
}

/** BEIR ids are strings, but some sets write numeric ids unquoted: accept those as their decimal text. */
const identifier = z.union([z.string(), z.number().int().nonnegative()]).transform((value, context) => {
  const text = String(value);
  if (text.trim().length === 0) {
    context.addIssue({ code: 'custom', message: 'must not be empty' });
    return z.NEVER;
  }
  return text;
});

const corpusLineSchema = z.object({
  _id: identifier,
  title: z.string().nullish().transform((value) => value ?? ''),
  text: z.string(),
});

const queryLineSchema = z.object({
  _id: identifier,
  text: z.string().refine((value) => value.trim().length > 0, 'must not be empty'),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

async function readRequired(path: string, label: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new BeirDatasetError(`missing: a BEIR set needs ${label}`, path);
    if (code === 'EISDIR') throw new BeirDatasetError(`is a directory, expected ${label}`, path);
    throw new BeirDatasetError(`cannot be read (${error instanceof Error ? error.message : String(error)})`, path);
  }
}

/** Non-blank lines with their 1-based numbers. */
function* numberedLines(text: string): Generator<{ readonly line: number; readonly content: string }> {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const content = (lines[index] ?? '').replace(/\r$/, '');
    if (content.trim().length > 0) yield { line: index + 1, content };
  }
}

function parseJsonLines<T>(text: string, file: string, schema: z.ZodType<T>): { readonly line: number; readonly value: T }[] {
  const rows: { line: number; value: T }[] = [];
  for (const { line, content } of numberedLines(text)) {
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch (error) {
      throw new BeirDatasetError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`, file, line);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new BeirDatasetError(`unexpected shape: ${describeIssues(parsed.error)}`, file, line);
    rows.push({ line, value: parsed.data });
  }
  return rows;
}

export function parseCorpus(text: string, file: string): BeirDocument[] {
  const seen = new Map<string, number>();
  const corpus: BeirDocument[] = [];
  for (const { line, value } of parseJsonLines(text, file, corpusLineSchema)) {
    const first = seen.get(value._id);
    if (first !== undefined) throw new BeirDatasetError(`duplicate _id ${JSON.stringify(value._id)} (first on line ${first})`, file, line);
    if (value.title.trim().length === 0 && value.text.trim().length === 0) {
      throw new BeirDatasetError(`document ${JSON.stringify(value._id)} has neither title nor text`, file, line);
    }
    seen.set(value._id, line);
    corpus.push({ id: value._id, title: value.title, text: value.text });
  }
  if (corpus.length === 0) throw new BeirDatasetError('no documents', file);
  return corpus;
}

export function parseQueries(text: string, file: string): Map<string, BeirQuery> {
  const lines = new Map<string, number>();
  const queries = new Map<string, BeirQuery>();
  for (const { line, value } of parseJsonLines(text, file, queryLineSchema)) {
    const first = lines.get(value._id);
    if (first !== undefined) throw new BeirDatasetError(`duplicate _id ${JSON.stringify(value._id)} (first on line ${first})`, file, line);
    lines.set(value._id, line);
    queries.set(value._id, { id: value._id, text: value.text });
  }
  return queries;
}

const integerText = /^[+-]?\d+$/;

/** Parses `qrels/*.tsv`: a header line (skipped when its score column is not a number), then judgements. */
export function parseQrels(text: string, file: string): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  let first = true;
  for (const { line, content } of numberedLines(text)) {
    const fields = content.split('\t');
    if (first) {
      first = false;
      if (fields.length >= 3 && !integerText.test((fields[2] ?? '').trim())) continue;
    }
    if (fields.length !== 3) {
      throw new BeirDatasetError(
        `expected 3 tab-separated fields (query-id, corpus-id, score), found ${fields.length}`,
        file,
        line,
      );
    }
    const [queryId, corpusId, scoreText] = fields as [string, string, string];
    if (queryId.length === 0 || corpusId.length === 0) throw new BeirDatasetError('empty query-id or corpus-id', file, line);
    if (!integerText.test(scoreText.trim())) {
      throw new BeirDatasetError(`score must be an integer, found ${JSON.stringify(scoreText)}`, file, line);
    }
    const judged = qrels.get(queryId) ?? new Map<string, number>();
    if (judged.has(corpusId)) {
      throw new BeirDatasetError(`duplicate judgement for query ${JSON.stringify(queryId)} and document ${JSON.stringify(corpusId)}`, file, line);
    }
    judged.set(corpusId, Number.parseInt(scoreText.trim(), 10));
    qrels.set(queryId, judged);
  }
  if (qrels.size === 0) throw new BeirDatasetError('no judgements', file);
  return qrels;
}

/**
 * Loads and validates a BEIR folder. Fatal: a missing file, a malformed line, a duplicate id, a
 * judged query missing from `queries.jsonl` (it could not be run). A warning: judgements naming a
 * document that is not in the corpus (it still counts as relevant, so recall cannot reach 1 — as
 * BEIR's own evaluation counts it).
 */
export async function loadBeirDataset(directory: string, split = 'test'): Promise<BeirDataset> {
  const root = resolve(directory);
  const folder = await stat(root).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new BeirDatasetError('no such directory (expected a BEIR set: corpus.jsonl, queries.jsonl, qrels/test.tsv)', root);
  }
  const corpusFile = join(root, 'corpus.jsonl');
  const queriesFile = join(root, 'queries.jsonl');
  const qrelsFile = join(root, 'qrels', `${split}.tsv`);
  const [corpusText, queriesText, qrelsText] = await Promise.all([
    readRequired(corpusFile, 'corpus.jsonl (lines {"_id","title","text"})'),
    readRequired(queriesFile, 'queries.jsonl (lines {"_id","text"})'),
    readRequired(qrelsFile, `qrels/${split}.tsv (header, then query-id<TAB>corpus-id<TAB>score)`),
  ]);
  const corpus = parseCorpus(corpusText, corpusFile);
  const queries = parseQueries(queriesText, queriesFile);
  const qrels = parseQrels(qrelsText, qrelsFile);

  const corpusIds = new Set(corpus.map((document) => document.id));
  const missingQueries = [...qrels.keys()].filter((queryId) => !queries.has(queryId));
  if (missingQueries.length > 0) {
    throw new BeirDatasetError(
      `${missingQueries.length} judged quer${missingQueries.length === 1 ? 'y is' : 'ies are'} not in queries.jsonl: ` +
        missingQueries.slice(0, 5).map((id) => JSON.stringify(id)).join(', ') +
        (missingQueries.length > 5 ? ', …' : ''),
      qrelsFile,
    );
  }
  const warnings: string[] = [];
  const dangling = new Set<string>();
  for (const judged of qrels.values()) {
    for (const [corpusId, grade] of judged) if (grade > 0 && !corpusIds.has(corpusId)) dangling.add(corpusId);
  }
  if (dangling.size > 0) {
    warnings.push(
      `${qrelsFile}: ${dangling.size} relevant document${dangling.size === 1 ? ' is' : 's are'} not in corpus.jsonl ` +
        `(${[...dangling].slice(0, 5).map((id) => JSON.stringify(id)).join(', ')}${dangling.size > 5 ? ', …' : ''}); ` +
        'they count as relevant but can never be retrieved',
    );
  }
  return { directory: root, corpus, queries, qrels, warnings };
}

/** Ids of the queries that can be evaluated: judged with at least one relevant (grade > 0) document. */
export function evaluableQueryIds(dataset: Pick<BeirDataset, 'qrels'>): string[] {
  return [...dataset.qrels]
    .filter(([, judged]) => [...judged.values()].some((grade) => grade > 0))
    .map(([queryId]) => queryId);
}
