/**
 * Fusion research in memory, on the lists `bench/retrieval/dump-lists.ts` wrote: re-fuses every
 * query's lists with the project's own fusion code under several list-weighting methods and
 * prints nDCG@10, recall@10, all-supporting@10 and MRR@10 for each. Searches nothing.
 *
 *   npx tsx bench/retrieval/fusion-lab.ts FILE…
 */
import { readFileSync } from 'node:fs';
import type { RankedChunk, RetrievalListName } from '../../src/core/search.js';
import { evaluateRankings } from '../../src/evaluation/retrieval-metrics.js';
import { convexScoreFusion } from '../../src/retrieval/convex-score-fusion.js';
import { reciprocalRankFusion, type RankedList } from '../../src/retrieval/reciprocal-rank-fusion.js';
import { trustLists, type ListTrustContext } from '../../src/retrieval/list-trust.js';
import { fuseWithTrust } from '../../src/retrieval/trusted-fusion.js';

interface Dump {
  readonly qrels: Record<string, Record<string, number>>;
  readonly chunks: Record<string, string>;
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

type DumpedList = 'bm25' | 'vector' | 'graph' | 'community';
type Method = (query: Dump['queries'][number], names: readonly DumpedList[]) => { lists: RankedList[] };

const toChunks = (pairs: readonly [number, number][]): RankedChunk[] => pairs.map(([chunkId, score]) => ({ chunkId, score }));

const fixed =
  (weights: Partial<Record<RetrievalListName, number>>): Method =>
  (query, names) => ({
    lists: names.flatMap((name) => (weights[name] === undefined ? [] : [{ name, weight: weights[name]!, chunks: toChunks(query[name]) }])),
  });

const trusted =
  (prior: Partial<Record<RetrievalListName, number>>, context: Partial<ListTrustContext> = {}): Method =>
  (query, names) => {
    const lists = names.flatMap((name) => (prior[name] === undefined ? [] : [{ name, weight: prior[name]!, chunks: toChunks(query[name]) }]));
    const trust = trustLists(lists, {
      semanticEmbedder: false,
      questionEntityStrength: query.questionSeeds.reduce((sum, seed) => sum + seed[1], 0),
      ...context,
    });
    return { lists: lists.map((list) => ({ ...list, weight: trust.find((entry) => entry.list === list.name)!.weight })) };
  };

/** Supporting lists count only on candidates some other list also found (rank positions kept via score). */
const corroborated =
  (inner: Method, depth: number): Method =>
  (query, names) => {
    const { lists } = inner(query, names);
    return {
      lists: lists.map((list) => {
        if (list.name === 'bm25') return list;
        const elsewhere = new Set(lists.filter((other) => other !== list && other.weight > 0).flatMap((other) => other.chunks.slice(0, depth).map((chunk) => chunk.chunkId)));
        // Keep the list's own ranks: uncorroborated candidates are removed after ranking.
        return { ...list, chunks: list.chunks.map((chunk) => (elsewhere.has(chunk.chunkId) ? chunk : { ...chunk, score: Number.NaN })) };
      }),
    };
  };

const names: DumpedList[] = ['bm25', 'vector', 'graph', 'community'];
const methods: Record<string, Method> = {
  naive: fixed({ vector: 1 }),
  local: fixed({ graph: 1 }),
  global: fixed({ community: 1 }),
  'project hybrid': fixed({}),
  'project mix': fixed({}),
  'project bm25+graph': fixed({}),
  bm25: fixed({ bm25: 1 }),
  'hybrid fixed': fixed({ bm25: 1, vector: 1 }),
  'mix fixed': fixed({ bm25: 1, vector: 1, graph: 1, community: 0.5 }),
  'bm25+graph fixed': fixed({ bm25: 1, graph: 1 }),
  'hybrid trusted': trusted({ bm25: 1, vector: 1 }),
  'mix trusted': trusted({ bm25: 1, vector: 1, graph: 1, community: 0.5 }),
  'bm25+graph trusted': trusted({ bm25: 1, graph: 1 }),
  'bm25+comm trusted': trusted({ bm25: 1, community: 0.5 }),
  'anchored mix trusted': trusted({ bm25: 1, vector: 1, graph: 1, community: 0.5 }),
  'anchored bm25+graph': trusted({ bm25: 1, graph: 1 }),
  'anchored mix fixed': fixed({ bm25: 1, vector: 1, graph: 1, community: 0.5 }),
  'anchored mix vecsupport': (query, names) => {
    const { lists } = trusted({ bm25: 1, vector: 1, graph: 1, community: 0.5 })(query, names);
    const vector = { name: 'vector' as const, weight: 1, chunks: toChunks(query.vector) };
    const others = lists.filter((list) => list.weight > 0 && list.name !== 'vector');
    const head = new Set(vector.chunks.slice(0, 10).map((chunk) => chunk.chunkId));
    const elsewhere = new Set(others.flatMap((list) => list.chunks.slice(0, 30).map((chunk) => chunk.chunkId)));
    const agreement = [...head].filter((id) => elsewhere.has(id)).length / Math.max(1, head.size);
    return { lists: lists.map((list) => (list.name === 'vector' ? { ...vector, weight: agreement } : list)) };
  },
  'anchored bm25+graph+comm': trusted({ bm25: 1, graph: 1, community: 0.5 }),
  'mix trusted corr100': corroborated(trusted({ bm25: 1, vector: 1, graph: 1, community: 0.5 }), 100),
  'mix trusted corr30': corroborated(trusted({ bm25: 1, vector: 1, graph: 1, community: 0.5 }), 30),
  'bm25+graph corr100': corroborated(trusted({ bm25: 1, graph: 1 }), 100),
};

/** Convex fusion with a choice of normalisation, for comparison with the project's min–max one. */
function normalisedFusion(lists: readonly RankedList[], normalise: 'max' | 'zscore' | 'minmax'): { chunkId: number }[] {
  const fused = new Map<number, number>();
  for (const list of lists) {
    if (list.weight <= 0 || list.chunks.length === 0) continue;
    const scores = list.chunks.map((chunk) => chunk.score);
    const highest = Math.max(...scores);
    const lowest = Math.min(...scores);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const deviation = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length) || 1;
    const seen = new Set<number>();
    for (const chunk of list.chunks) {
      if (seen.has(chunk.chunkId)) continue;
      seen.add(chunk.chunkId);
      const value =
        normalise === 'max' ? chunk.score / (highest || 1) : normalise === 'zscore' ? (chunk.score - lowest) / deviation : highest > lowest ? (chunk.score - lowest) / (highest - lowest) : 1;
      fused.set(chunk.chunkId, (fused.get(chunk.chunkId) ?? 0) + list.weight * value);
    }
  }
  return [...fused].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([chunkId]) => ({ chunkId }));
}

/** RRF or min–max fusion where a NaN score marks a candidate that keeps its rank slot but does not count. */
function gappedFusion(lists: readonly RankedList[], fusion: string): { chunkId: number }[] {
  const fused = new Map<number, number>();
  for (const list of lists) {
    if (list.weight <= 0) continue;
    const valid = list.chunks.filter((chunk) => !Number.isNaN(chunk.score)).map((chunk) => chunk.score);
    const highest = Math.max(...valid);
    const lowest = Math.min(...valid);
    list.chunks.forEach((chunk, index) => {
      if (Number.isNaN(chunk.score)) return;
      const value = fusion === 'rrf' ? 1 / (60 + index + 1) : highest > lowest ? (chunk.score - lowest) / (highest - lowest) : 1;
      fused.set(chunk.chunkId, (fused.get(chunk.chunkId) ?? 0) + list.weight * value);
    });
  }
  return [...fused].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([chunkId]) => ({ chunkId }));
}

for (const file of process.argv.slice(2)) {
  const dump = JSON.parse(readFileSync(file, 'utf8')) as Dump;
  const qrels = new Map(Object.entries(dump.qrels).map(([id, grades]) => [id, new Map(Object.entries(grades))]));
  console.log(`\n${file} (${dump.queries.length} queries)`);
  console.log('method'.padEnd(22), 'fusion', 'nDCG@10', 'R@10  ', 'all@10', 'MRR@10');
  for (const [label, method] of Object.entries(methods)) {
    for (const fusion of (process.env.LAB_FUSIONS ?? 'rrf,convex,max,zscore').split(',') as ('rrf' | 'convex' | 'max' | 'zscore')[]) {
      const rankings = new Map<string, string[]>();
      for (const query of dump.queries) {
        const { lists } = method(query, names);
        if (label.startsWith('project')) {
          const prior = label.includes('hybrid') ? { bm25: 1, vector: 1 } : label.includes('graph') ? { bm25: 1, graph: 1 } : { bm25: 1, vector: 1, graph: 1, community: 0.5 };
          const lists = names.flatMap((name) =>
            prior[name as keyof typeof prior] === undefined ? [] : [{ name, weight: prior[name as keyof typeof prior]!, chunks: toChunks(query[name]) }],
          );
          const strength = query.questionSeeds.reduce((sum, seed) => sum + seed[1], 0);
          const { fused } = fuseWithTrust(lists, fusion === 'rrf' ? 'rrf' : 'convex', false, strength);
          rankings.set(query.id, [...new Set(fused.map((chunk) => dump.chunks[chunk.chunkId]!))]);
          continue;
        }
        if (label.startsWith('anchored')) {
          const bm25 = lists.find((list) => list.name === 'bm25')!;
          const scores = bm25.chunks.slice(0, 10).map((chunk) => chunk.score);
          let cut = scores.length;
          let biggest = -1;
          for (let index = 0; index + 1 < scores.length; index += 1) {
            const drop = scores[index]! - scores[index + 1]!;
            if (drop > biggest) {
              biggest = drop;
              cut = index + 1;
            }
          }
          const head = bm25.chunks.slice(0, cut).map((chunk) => chunk.chunkId);
          const rest = (fusion === 'rrf' ? reciprocalRankFusion(lists) : fusion === 'convex' ? convexScoreFusion(lists) : normalisedFusion(lists, fusion)).filter(
            (chunk) => !head.includes(chunk.chunkId),
          );
          rankings.set(query.id, [...new Set([...head.map((chunkId) => ({ chunkId })), ...rest].map((chunk) => dump.chunks[chunk.chunkId]!))]);
          continue;
        }
        const hasGaps = lists.some((list) => list.chunks.some((chunk) => Number.isNaN(chunk.score)));
        const fused = hasGaps
          ? gappedFusion(lists, fusion)
          : fusion === 'rrf'
            ? reciprocalRankFusion(lists)
            : fusion === 'convex'
              ? convexScoreFusion(lists)
              : normalisedFusion(lists, fusion);
        rankings.set(query.id, [...new Set(fused.map((chunk) => dump.chunks[chunk.chunkId]!))]);
      }
      const ids = dump.queries.map((query) => query.id);
      const { mean } = evaluateRankings(ids, qrels, rankings, [10]);
      console.log(
        label.padEnd(22),
        fusion.padEnd(6),
        mean.ndcg[10]!.toFixed(4).padEnd(7),
        mean.recall[10]!.toFixed(4),
        mean.allSupporting[10]!.toFixed(4),
        mean.mrr[10]!.toFixed(4),
      );
    }
  }
}
