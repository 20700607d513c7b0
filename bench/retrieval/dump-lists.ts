/**
 * Fusion research: computes every retrieval list once per judged query on a tenant that
 * `rhizome eval retrieval --reuse` ingested, and writes them to a JSON file, so fusion methods
 * can be compared in memory (`bench/retrieval/fusion-lab.ts`) without searching again.
 *
 *   DATABASE_URL=… npx tsx bench/retrieval/dump-lists.ts --data DIR --out FILE [--lists bm25,graph]
 *
 * `--lists` computes only the named lists (the others are written empty): BM25 alone is quick on a
 * set of thousands of questions, the graph and community lists are not.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/core/config.js';
import type { RankedChunk } from '../../src/core/search.js';
import { withTenant } from '../../src/db/tenant-scope.js';
import { evaluableQueryIds, loadBeirDataset } from '../../src/evaluation/beir-dataset.js';
import { corpusFingerprint, reusableEvaluationSlug } from '../../src/evaluation/run-retrieval-evaluation.js';
import { analyzeQuery } from '../../src/retrieval/analyze-query.js';
import { bm25Search } from '../../src/retrieval/bm25-search.js';
import { communitySearch } from '../../src/retrieval/communities/community-search.js';
import { graphSearchWithSeeds } from '../../src/retrieval/graph/graph-search.js';
import { vectorSearch } from '../../src/retrieval/vector-search.js';
import { benchRuntime, log } from './bench-support.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, depth: { type: 'string', default: '100' }, lists: { type: 'string', default: 'bm25,vector,graph,community' } } });
if (!values.data || !values.out) throw new Error('--data DIR --out FILE');
const depth = Number(values.depth);
const wanted = new Set(values.lists.split(','));
const dataset = await loadBeirDataset(values.data);
const { runtime } = await benchRuntime(loadConfig({ ...process.env, RHIZOME_SEARCH_CACHE_ENTRIES: '0' }));
try {
  const tenant = await runtime.tenants.find(reusableEvaluationSlug(corpusFingerprint(dataset)));
  if (!tenant) throw new Error('ingest the set first: rhizome eval retrieval --reuse');
  const sourceKeys = new Map<number, string>();
  const texts = new Map<number, string>();
  const chunkRows = await runtime.database.query<{ id: number; source_key: string; text: string }>(
    'SELECT c.id, d.source_key, c.text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.tenant_id = $1',
    [tenant.id],
  );
  for (const row of chunkRows.rows) {
    sourceKeys.set(Number(row.id), row.source_key);
    texts.set(Number(row.id), row.text);
  }
  const compact = (chunks: readonly RankedChunk[]) => chunks.map((chunk) => [chunk.chunkId, Number(chunk.score.toPrecision(6))]);
  const queries = [];
  const queryIds = evaluableQueryIds(dataset);
  for (const [index, queryId] of queryIds.entries()) {
    const text = dataset.queries.get(queryId)!.text;
    const [queryVector] = await runtime.embedder.embed([text]);
    const lists = await withTenant(runtime.database, tenant.id, async (transaction) => {
      const bm25 = await bm25Search(transaction, tenant.id, analyzeQuery(text), { limit: depth, filters: {} });
      const vector = wanted.has('vector') ? await vectorSearch(transaction, queryVector!, { model: runtime.embedder.model, limit: depth, filters: {} }) : [];
      const graph = wanted.has('graph')
        ? await graphSearchWithSeeds(transaction, {
            query: text,
            queryVector: queryVector!,
            seedChunks: bm25.slice(0, 5),
            limit: depth,
            filters: {},
          })
        : { chunks: [], seeds: [] };
      const community = wanted.has('community')
        ? await communitySearch(transaction, { query: text, queryVector: queryVector!, limit: depth, filters: {} })
        : { chunks: [] };
      return {
        bm25: compact(bm25),
        vector: compact(vector),
        graph: compact(graph.chunks),
        community: compact(community.chunks),
        questionSeeds: graph.seeds.filter((seed) => seed.questionStrength > 0).map((seed) => [seed.name, seed.questionStrength, seed.mentionCount]),
      };
    }, { readOnly: true });
    queries.push({ id: queryId, text, ...lists });
    if ((index + 1) % 200 === 0) log(`${index + 1}/${queryIds.length}`);
  }
  writeFileSync(
    values.out,
    JSON.stringify({ set: values.data, qrels: Object.fromEntries([...dataset.qrels].map(([id, grades]) => [id, Object.fromEntries(grades)])), chunks: Object.fromEntries(sourceKeys), texts: Object.fromEntries(texts), queries }),
  );
  log(`wrote ${queries.length} queries to ${values.out}`);
} finally {
  await runtime.close();
}
