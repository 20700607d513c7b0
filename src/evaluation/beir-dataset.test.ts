import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BeirDatasetError, evaluableQueryIds, loadBeirDataset } from './beir-dataset.js';

const folders: string[] = [];

function beirFolder(files: { corpus?: string; queries?: string; qrels?: string }): string {
  const directory = mkdtempSync(join(tmpdir(), 'rhizome-beir-'));
  folders.push(directory);
  if (files.corpus !== undefined) writeFileSync(join(directory, 'corpus.jsonl'), files.corpus);
  if (files.queries !== undefined) writeFileSync(join(directory, 'queries.jsonl'), files.queries);
  if (files.qrels !== undefined) {
    mkdirSync(join(directory, 'qrels'));
    writeFileSync(join(directory, 'qrels', 'test.tsv'), files.qrels);
  }
  return directory;
}

afterEach(() => {
  for (const directory of folders.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const corpus = [
  '\uFEFF{"_id": "d1", "title": "One", "text": "first"}',
  '{"_id": 2, "title": null, "text": "second, with a numeric id and no title"}',
  '',
  '{"_id": "Lilu (mythology)", "text": "a title-less passage"}\r',
].join('\n');
const queries = '{"_id": "q1", "text": "first?"}\n{"_id": "q2", "text": "second?"}\n{"_id": "q3", "text": "unjudged"}\n';
const qrels = 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t2\t1\nq2\t2\t0\nq2\tLilu (mythology)\t1\r\n';

describe('loadBeirDataset', () => {
  it('loads corpus, queries and graded qrels', async () => {
    const dataset = await loadBeirDataset(beirFolder({ corpus, queries, qrels }));
    expect(dataset.corpus).toEqual([
      { id: 'd1', title: 'One', text: 'first' },
      { id: '2', title: '', text: 'second, with a numeric id and no title' },
      { id: 'Lilu (mythology)', title: '', text: 'a title-less passage' },
    ]);
    expect([...dataset.queries.keys()]).toEqual(['q1', 'q2', 'q3']);
    expect(dataset.qrels.get('q1')).toEqual(new Map([['d1', 2], ['2', 1]]));
    expect(dataset.qrels.get('q2')).toEqual(new Map([['2', 0], ['Lilu (mythology)', 1]]));
    expect(dataset.warnings).toEqual([]);
    expect(evaluableQueryIds(dataset)).toEqual(['q1', 'q2']);
  });

  it('accepts qrels without a header, and only evaluates queries with a relevant document', async () => {
    const dataset = await loadBeirDataset(beirFolder({ corpus, queries, qrels: 'q1\td1\t1\nq2\td1\t0\n' }));
    expect(evaluableQueryIds(dataset)).toEqual(['q1']);
  });

  it('warns about relevant documents that are not in the corpus', async () => {
    const dataset = await loadBeirDataset(beirFolder({ corpus, queries, qrels: `${qrels}q3\tghost\t1\n` }));
    expect(dataset.warnings).toEqual([expect.stringMatching(/1 relevant document is not in corpus\.jsonl \("ghost"\)/)]);
  });

  it('names the missing file', async () => {
    const directory = beirFolder({ corpus, queries });
    await expect(loadBeirDataset(directory)).rejects.toThrow(
      `${join(directory, 'qrels', 'test.tsv')}: missing: a BEIR set needs qrels/test.tsv`,
    );
    await expect(loadBeirDataset(join(directory, 'nowhere'))).rejects.toBeInstanceOf(BeirDatasetError);
  });

  it.each([
    ['corpus', { corpus: `${corpus}\n{"_id": "d9", "title": "x"`, queries, qrels }, /corpus\.jsonl:5: not valid JSON/],
    ['corpus', { corpus: `${corpus}\n{"_id": "d9", "title": "x"}`, queries, qrels }, /corpus\.jsonl:5: unexpected shape: text: /],
    ['corpus', { corpus: `${corpus}\n{"_id": "d1", "text": "again"}`, queries, qrels }, /corpus\.jsonl:5: duplicate _id "d1" \(first on line 1\)/],
    ['corpus', { corpus: `${corpus}\n{"_id": "", "text": "x"}`, queries, qrels }, /corpus\.jsonl:5: unexpected shape: _id: must not be empty/],
    ['queries', { corpus, queries: `${queries}{"_id": "q4", "text": "  "}\n`, qrels }, /queries\.jsonl:4: unexpected shape: text: must not be empty/],
    ['qrels', { corpus, queries, qrels: `${qrels}q1\td1\n` }, /test\.tsv:6: expected 3 tab-separated fields/],
    ['qrels', { corpus, queries, qrels: `${qrels}q3\td1\thigh\n` }, /test\.tsv:6: score must be an integer, found "high"/],
    ['qrels', { corpus, queries, qrels: `${qrels}q1\td1\t1\n` }, /test\.tsv:6: duplicate judgement for query "q1" and document "d1"/],
    ['qrels', { corpus, queries, qrels: `${qrels}q9\td1\t1\n` }, /test\.tsv: 1 judged query is not in queries\.jsonl: "q9"/],
    ['qrels', { corpus, queries, qrels: 'query-id\tcorpus-id\tscore\n' }, /test\.tsv: no judgements/],
  ])('names the file and line of malformed %s input', async (_file, files, message) => {
    await expect(loadBeirDataset(beirFolder(files))).rejects.toThrow(message);
  });
});
