/**
 * Item 5 of issue #12, measured before anything is built into ingestion: does a semantic signal
 * learned from the tenant's own corpus (no downloaded weights) help retrieval on both visible sets?
 *
 * Learns term vectors by a truncated SVD of the corpus's PPMI co-occurrence matrix (Levy, Goldberg
 * & Dagan 2015: window 5, context-distribution smoothing 0.75, eigenvalue weighting 0.5), computed
 * by a randomised range finder (Halko, Martinsson & Tropp 2011) with ml-matrix for the dense linear
 * algebra. A passage's vector is the idf-weighted sum of its terms' vectors (the corpus's common
 * direction removed, as in SIF), a query's likewise; the list is the passages by cosine.
 * Then re-fuses that list with the dumped BM25 (and graph) lists in memory and prints nDCG@10,
 * recall@10, all-supporting@10 and MRR@10 per method.
 *
 *   npx tsx bench/retrieval/corpus-semantics-lab.ts DUMP.json [--dimensions 128]
 *
 * DUMP.json from bench/retrieval/dump-lists.ts (it holds every chunk's text).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EigenvalueDecomposition, Matrix, QrDecomposition } from 'ml-matrix';
import type { RankedChunk } from '../../src/core/search.js';
import { evaluateRankings } from '../../src/evaluation/retrieval-metrics.js';
import { analyzeText } from '../../src/ingest/analysis/analyze-text.js';
import { convexScoreFusion } from '../../src/retrieval/convex-score-fusion.js';
import { anchorHead, confidentHead, listAgreement } from '../../src/retrieval/list-trust.js';
import { reciprocalRankFusion, type RankedList } from '../../src/retrieval/reciprocal-rank-fusion.js';
import { fuseWithTrust } from '../../src/retrieval/trusted-fusion.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dimensions: { type: 'string', default: '128' },
    window: { type: 'string', default: '5' },
    vocabulary: { type: 'string', default: '20000' },
  },
});

interface Dump {
  readonly qrels: Record<string, Record<string, number>>;
  readonly chunks: Record<string, string>;
  readonly texts: Record<string, string>;
  readonly queries: {
    id: string;
    text: string;
    bm25: [number, number][];
    vector: [number, number][];
    graph: [number, number][];
    community: [number, number][];
    questionSeeds: [string, number, number][];
  }[];
}

const terms = (text: string): string[] =>
  analyzeText(text)
    .filter((term) => term.script === 'latin' || term.script === 'han')
    .map((term) => term.term);

/** Sparse matrix in compressed rows. */
interface Csr {
  readonly rows: number;
  readonly columns: number;
  readonly offsets: Int32Array;
  readonly indexes: Int32Array;
  readonly values: Float64Array;
}

function multiply(a: Csr, x: Matrix): Matrix {
  const out = new Matrix(a.rows, x.columns);
  for (let row = 0; row < a.rows; row += 1) {
    for (let at = a.offsets[row]!; at < a.offsets[row + 1]!; at += 1) {
      const column = a.indexes[at]!;
      const value = a.values[at]!;
      for (let k = 0; k < x.columns; k += 1) out.set(row, k, out.get(row, k) + value * x.get(column, k));
    }
  }
  return out;
}

function multiplyTransposed(a: Csr, x: Matrix): Matrix {
  const out = new Matrix(a.columns, x.columns);
  for (let row = 0; row < a.rows; row += 1) {
    for (let at = a.offsets[row]!; at < a.offsets[row + 1]!; at += 1) {
      const column = a.indexes[at]!;
      const value = a.values[at]!;
      for (let k = 0; k < x.columns; k += 1) out.set(column, k, out.get(column, k) + value * x.get(row, k));
    }
  }
  return out;
}

/** Deterministic standard normal numbers (a fixed seed: the lab must be reproducible). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

function learnTermVectors(documents: readonly string[][], dimensions: number, window: number, maxVocabulary: number) {
  const documentFrequency = new Map<string, number>();
  for (const document of documents) for (const term of new Set(document)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const vocabulary = [...documentFrequency].filter(([, df]) => df >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxVocabulary).map(([term]) => term);
  const index = new Map(vocabulary.map((term, position) => [term, position]));
  const size = vocabulary.length;
  const pairs = new Map<number, number>();
  for (const document of documents) {
    const ids = document.map((term) => index.get(term) ?? -1);
    for (let i = 0; i < ids.length; i += 1) {
      const left = ids[i]!;
      if (left < 0) continue;
      for (let j = i + 1; j <= Math.min(ids.length - 1, i + window); j += 1) {
        const right = ids[j]!;
        if (right < 0 || right === left) continue;
        pairs.set(left * size + right, (pairs.get(left * size + right) ?? 0) + 1);
        pairs.set(right * size + left, (pairs.get(right * size + left) ?? 0) + 1);
      }
    }
  }
  const rowSum = new Float64Array(size);
  const contextSum = new Float64Array(size);
  let total = 0;
  for (const [key, count] of pairs) {
    rowSum[Math.floor(key / size)]! += count;
    contextSum[key % size]! += count;
    total += count;
  }
  const smoothed = contextSum.map((count) => count ** 0.75);
  const smoothedTotal = smoothed.reduce((a, b) => a + b, 0);
  const entries = [...pairs].sort((a, b) => a[0] - b[0]);
  const offsets = new Int32Array(size + 1);
  const indexes: number[] = [];
  const cells: number[] = [];
  for (const [key, count] of entries) {
    const row = Math.floor(key / size);
    const column = key % size;
    const pmi = Math.log((count / total) / ((rowSum[row]! / total) * (smoothed[column]! / smoothedTotal)));
    if (pmi <= 0) continue;
    offsets[row + 1]! += 1;
    indexes.push(column);
    cells.push(pmi);
  }
  for (let row = 0; row < size; row += 1) offsets[row + 1]! += offsets[row]!;
  const ppmi: Csr = { rows: size, columns: size, offsets, indexes: Int32Array.from(indexes), values: Float64Array.from(cells) };

  // Randomised range finder with two power iterations, then the small symmetric eigenproblem.
  const sketch = dimensions + 10;
  const normal = gaussian(12);
  let y = multiply(ppmi, new Matrix(size, sketch).apply(function (this: Matrix, row: number, column: number) { this.set(row, column, normal()); }));
  for (let iteration = 0; iteration < 2; iteration += 1) {
    y = new QrDecomposition(y).orthogonalMatrix;
    y = multiply(ppmi, new QrDecomposition(multiplyTransposed(ppmi, y)).orthogonalMatrix);
  }
  const q = new QrDecomposition(y).orthogonalMatrix; // size × sketch
  const bt = multiplyTransposed(ppmi, q); // size × sketch = (Qᵀ A)ᵀ
  const gram = bt.transpose().mmul(bt); // B Bᵀ, sketch × sketch
  const eigen = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const order = eigen.realEigenvalues.map((value, position) => [value, position] as const).sort((a, b) => b[0] - a[0]).slice(0, dimensions);
  const u = q.mmul(eigen.eigenvectorMatrix); // size × sketch
  const vectors = new Map<string, Float64Array>();
  vocabulary.forEach((term, row) => {
    const vector = new Float64Array(order.length);
    order.forEach(([value, column], k) => {
      vector[k] = u.get(row, column) * Math.sqrt(Math.sqrt(Math.max(0, value)));
    });
    vectors.set(term, vector);
  });
  const idf = new Map([...documentFrequency].map(([term, df]) => [term, Math.log((documents.length + 1) / (df + 0.5))]));
  return { vectors, idf, dimensions: order.length };
}

function embed(tokens: readonly string[], model: ReturnType<typeof learnTermVectors>, common?: Float64Array): Float64Array {
  const vector = new Float64Array(model.dimensions);
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  for (const [token, count] of counts) {
    const termVector = model.vectors.get(token);
    if (!termVector) continue;
    const weight = (1 + Math.log(count)) * (model.idf.get(token) ?? 0);
    for (let k = 0; k < vector.length; k += 1) vector[k]! += weight * termVector[k]!;
  }
  normalise(vector);
  if (common) {
    const projection = vector.reduce((sum, value, k) => sum + value * common[k]!, 0);
    for (let k = 0; k < vector.length; k += 1) vector[k]! -= projection * common[k]!;
    normalise(vector);
  }
  return vector;
}

function normalise(vector: Float64Array): void {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  for (let k = 0; k < vector.length; k += 1) vector[k]! /= norm;
}

const toChunks = (pairs: readonly [number, number][]): RankedChunk[] => pairs.map(([chunkId, score]) => ({ chunkId, score }));

for (const file of positionals) {
  const dump = JSON.parse(readFileSync(file, 'utf8')) as Dump;
  const started = Date.now();
  const chunkIds = Object.keys(dump.texts).map(Number);
  const documents = chunkIds.map((id) => terms(dump.texts[id]!));
  const model = learnTermVectors(documents, Number(values.dimensions), Number(values.window), Number(values.vocabulary));
  const raw = documents.map((tokens) => embed(tokens, model));
  const common = new Float64Array(model.dimensions);
  for (const vector of raw) for (let k = 0; k < common.length; k += 1) common[k]! += vector[k]!;
  normalise(common);
  const passageVectors = documents.map((tokens) => embed(tokens, model, common));
  console.log(`\n${file}: ${chunkIds.length} passages, ${model.vectors.size} terms, ${model.dimensions} dimensions, learned in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const semanticList = (text: string): RankedChunk[] => {
    const query = embed(terms(text), model, common);
    return passageVectors
      .map((vector, position) => ({ chunkId: chunkIds[position]!, score: vector.reduce((sum, value, k) => sum + value * query[k]!, 0) }))
      .sort((a, b) => b.score - a.score || a.chunkId - b.chunkId)
      .slice(0, 100);
  };
  const semantic = new Map(dump.queries.map((query) => [query.id, semanticList(query.text)]));
  const qrels = new Map(Object.entries(dump.qrels).map(([id, grades]) => [id, new Map(Object.entries(grades))]));
  const strength = (query: Dump['queries'][number]) => query.questionSeeds.reduce((sum, seed) => sum + seed[1], 0);

  const methods: Record<string, (query: Dump['queries'][number]) => readonly { chunkId: number }[]> = {
    bm25: (query) => toChunks(query.bm25),
    'corpus semantic alone': (query) => semantic.get(query.id)!,
    'rrf bm25 + semantic (1:1)': (query) => reciprocalRankFusion([{ name: 'bm25', weight: 1, chunks: toChunks(query.bm25) }, { name: 'vector', weight: 1, chunks: semantic.get(query.id)! }]),
    'rrf bm25 + semantic (1:0.5)': (query) => reciprocalRankFusion([{ name: 'bm25', weight: 1, chunks: toChunks(query.bm25) }, { name: 'vector', weight: 0.5, chunks: semantic.get(query.id)! }]),
    'convex bm25 + semantic': (query) => convexScoreFusion([{ name: 'bm25', weight: 1, chunks: toChunks(query.bm25) }, { name: 'vector', weight: 1, chunks: semantic.get(query.id)! }]),
    'trusted: semantic as support (agreement, BM25 head kept)': (query) => {
      const bm25: RankedList = { name: 'bm25', weight: 1, chunks: toChunks(query.bm25) };
      const list: RankedList = { name: 'vector', weight: 1, chunks: semantic.get(query.id)! };
      const agreement = listAgreement(list, [bm25]);
      return anchorHead(reciprocalRankFusion([bm25, { ...list, weight: agreement }]), confidentHead(bm25.chunks));
    },
    'project mix (bm25 + graph + community, trusted)': (query) =>
      fuseWithTrust(
        [
          { name: 'bm25', weight: 1, chunks: toChunks(query.bm25) },
          { name: 'graph', weight: 1, chunks: toChunks(query.graph) },
          { name: 'community', weight: 0.5, chunks: toChunks(query.community) },
        ],
        'rrf',
        false,
        strength(query),
      ).fused,
    'project mix + semantic as support': (query) => {
      const lists: RankedList[] = [
        { name: 'bm25', weight: 1, chunks: toChunks(query.bm25) },
        { name: 'graph', weight: 1, chunks: toChunks(query.graph) },
        { name: 'community', weight: 0.5, chunks: toChunks(query.community) },
      ];
      const { weights } = fuseWithTrust(lists, 'rrf', false, strength(query));
      const weighted = lists.map((list) => ({ ...list, weight: weights.find((entry) => entry.list === list.name)!.weight }));
      const list: RankedList = { name: 'vector', weight: 1, chunks: semantic.get(query.id)! };
      const agreement = listAgreement(list, weighted.filter((other) => other.weight > 0 && other.chunks.length > 0));
      return anchorHead(reciprocalRankFusion([...weighted, { ...list, weight: agreement }]), confidentHead(lists[0]!.chunks));
    },
  };
  console.log('method'.padEnd(58), 'nDCG@10', 'R@10  ', 'all@10', 'MRR@10');
  for (const [label, method] of Object.entries(methods)) {
    const rankings = new Map<string, string[]>();
    for (const query of dump.queries) rankings.set(query.id, [...new Set(method(query).map((chunk) => dump.chunks[chunk.chunkId]!))]);
    const { mean } = evaluateRankings(dump.queries.map((query) => query.id), qrels, rankings, [10]);
    console.log(label.padEnd(58), mean.ndcg[10]!.toFixed(4).padEnd(7), mean.recall[10]!.toFixed(4), mean.allSupporting[10]!.toFixed(4), mean.mrr[10]!.toFixed(4));
  }
}
