/**
 * Offline reranking research on the lists `dump-lists.ts` wrote (with passage texts): the
 * project's fusion, then the top candidates reordered with the passage signals
 * (src/retrieval/passage-signals.ts) in a few combinations. Prints nDCG@10, R@10, all@10, MRR@10.
 *
 *   npx tsx bench/retrieval/signals-lab.ts FILE…
 */
import { readFileSync } from 'node:fs';
import type { RankedChunk } from '../../src/core/search.js';
import { evaluateRankings } from '../../src/evaluation/retrieval-metrics.js';
import { passageEvidence, passageSignals } from '../../src/retrieval/passage-signals.js';
import { fuseWithTrust } from '../../src/retrieval/trusted-fusion.js';

interface Dump {
  readonly qrels: Record<string, Record<string, number>>;
  readonly chunks: Record<string, string>;
  readonly texts: Record<string, string>;
  readonly queries: { id: string; text: string; bm25: [number, number][]; vector: [number, number][]; graph: [number, number][]; community: [number, number][]; questionSeeds: [string, number, number][] }[];
}
const toChunks = (pairs: readonly [number, number][]): RankedChunk[] => pairs.map(([chunkId, score]) => ({ chunkId, score }));
const depth = 20;

for (const file of process.argv.slice(2)) {
  const dump = JSON.parse(readFileSync(file, 'utf8')) as Dump;
  const qrels = new Map(Object.entries(dump.qrels).map(([id, grades]) => [id, new Map(Object.entries(grades))]));
  const variants: Record<string, (rank: number, evidence: number, signals: ReturnType<typeof passageSignals>) => number> = {
    'reciprocal rank + answer type': (rank, _evidence, signals) => 1 / rank + signals.answerNearby,
    'reciprocal rank + proximity': (rank, _evidence, signals) => 1 / rank + (signals.orderedProximity + signals.unorderedProximity) / 2,
    'reciprocal rank + coverage': (rank, _evidence, signals) => 1 / rank + signals.coverage,
    'fusion only': (rank) => -rank,
    'evidence then rank': (rank, evidence) => evidence * 1000 - rank,
    'reciprocal rank + evidence': (rank, evidence) => 1 / rank + evidence,
    'log-discount + evidence': (rank, evidence) => 1 / Math.log2(rank + 1) + evidence,
  };
  for (const mode of ['bm25', 'mix'] as const) {
    for (const [label, combine] of Object.entries(variants)) {
      const rankings = new Map<string, string[]>();
      for (const query of dump.queries) {
        const lists =
          mode === 'bm25'
            ? [{ name: 'bm25' as const, weight: 1, chunks: toChunks(query.bm25) }]
            : (['bm25', 'vector', 'graph', 'community'] as const).map((name) => ({ name, weight: name === 'community' ? 0.5 : 1, chunks: toChunks(query[name]) }));
        const strength = query.questionSeeds.reduce((sum, seed) => sum + seed[1], 0);
        const fused = fuseWithTrust(lists, 'rrf', false, strength).fused;
        const head = fused.slice(0, depth).map((chunk, index) => ({
          chunkId: chunk.chunkId,
          score: ((signals) => combine(index + 1, passageEvidence(signals), signals))(passageSignals(query.text, dump.texts[chunk.chunkId] ?? '')),
        }));
        head.sort((left, right) => right.score - left.score);
        const order = [...head.map((chunk) => chunk.chunkId), ...fused.slice(depth).map((chunk) => chunk.chunkId)];
        rankings.set(query.id, [...new Set(order.map((chunkId) => dump.chunks[chunkId]!))]);
      }
      const { mean } = evaluateRankings(dump.queries.map((query) => query.id), qrels, rankings, [10]);
      console.log(file.split('/').pop(), mode.padEnd(5), label.padEnd(28), mean.ndcg[10]!.toFixed(4), mean.recall[10]!.toFixed(4), mean.allSupporting[10]!.toFixed(4), mean.mrr[10]!.toFixed(4));
    }
  }
}
