import type { Logger } from 'pino';
import type { Database, Queryable } from '../core/database.js';
import type { Embedder, Reranker } from '../core/models.js';
import {
  searchRequestSchema,
  type CommunitySummary,
  type ListWeight,
  type PassageEvidence,
  type ParsedSearchRequest,
  type RetrievalListName,
  type SearchNotice,
  type SearchHit,
  type SearchMode,
  type SearchRequest,
  type SearchResponse,
} from '../core/search.js';
import { withTenant } from '../db/tenant-scope.js';
import { analyzeQuery } from './analyze-query.js';
import { bm25Search } from './bm25-search.js';
import { communitySearch } from './communities/community-search.js';
import { findBridgeEntities, secondHopSeeds } from './graph/bridge-entities.js';
import { graphSearchWithSeeds, walkFromSeeds } from './graph/graph-search.js';
import type { SeedEntity } from './graph/seed-entities.js';
import { fuseWithTrust } from './trusted-fusion.js';
import { evidenceDepth, rerankByEvidence } from './evidence-rerank.js';
import type { FusedChunk, RankedList } from './reciprocal-rank-fusion.js';
import type { SearchCache } from './search-cache.js';
import { vectorSearch } from './vector-search.js';
import { retrievalDuration, retrievalStageDuration, secondsSince, withSpan, withTelemetryTenant } from '../core/telemetry.js';

/** Which lists each mode fuses, and with what weight. */
const modeLists: Record<SearchMode, Partial<Record<RankedList['name'], number>>> = {
  naive: { vector: 1 },
  bm25: { bm25: 1 },
  local: { graph: 1 },
  global: { community: 1 },
  hybrid: { bm25: 1, vector: 1 },
  mix: { bm25: 1, vector: 1, graph: 1, community: 0.5 },
  multihop: { bm25: 1, vector: 1, graph: 1, bridge: 1 },
};

/** Graph walks are seeded by the entities of the best lexical passages, as in HippoRAG. */
const graphSeedPassages = 5;

export interface SearchServiceDependencies {
  readonly database: Database;
  readonly embedder: Embedder;
  readonly reranker: Reranker | null;
  readonly cache: SearchCache | null;
  readonly logger: Logger;
  readonly statementTimeoutMs?: number;
}

interface ChunkRow {
  id: number;
  document_id: string;
  chunk_index: number;
  text: string;
  content: string;
  pages: number[];
  section_path: string[];
  title: string;
  file_name: string;
  source_key: string | null;
}

/**
 * Hybrid retrieval for one tenant: each list of the mode runs in one read-only transaction (on a
 * replica when configured), the lists are fused by weighted RRF, optionally reranked, and every
 * hit carries the explanation of how it got there.
 */
export class SearchService {
  constructor(private readonly dependencies: SearchServiceDependencies) {}

  /** One search, traced (a span per stage) and timed by mode for /metrics. */
  search(tenantId: string, input: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    return withTelemetryTenant(tenantId, () =>
      withSpan('retrieval.search', { 'rhizome.tenant': tenantId }, async (span) => {
        const response = await this.searchOnce(tenantId, input);
        span.setAttributes({ 'rhizome.retrieval.mode': response.mode, 'rhizome.retrieval.hits': response.hits.length });
        retrievalDuration.observe({ mode: response.mode, cached: String(response.cached) }, secondsSince(started));
        return response;
      }),
    );
  }

  /** A retrieval stage: its own span and a sample of its duration. */
  private async stage<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await withSpan(`retrieval.${name}`, {}, work);
    } finally {
      retrievalStageDuration.observe({ stage: name }, secondsSince(started));
    }
  }

  private async searchOnce(tenantId: string, input: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const request = searchRequestSchema.parse(input);
    const weights = modeLists[request.mode];

    const version = await this.read(tenantId, (transaction) => corpusVersion(transaction, tenantId));
    const cacheKey = `${tenantId}:${version}:${this.dependencies.embedder.model}:${JSON.stringify(request)}`;
    const cached = await this.dependencies.cache?.get(cacheKey);
    if (cached) return { ...cached, cached: true, tookMs: performance.now() - started };

    const queryTerms = analyzeQuery(request.query);
    const semantic = this.dependencies.embedder.semantic !== false;
    const needsVector = weights.vector !== undefined || weights.graph !== undefined || weights.community !== undefined;
    // Filled by the graph walk: the seeds the question itself names (fusion trusts the graph by them).
    let graphSeeds: readonly SeedEntity[] = [];
    const queryVector = needsVector ? await this.embedQuery(request.query) : [];
    const fusedModes = Object.keys(weights).length > 1;
    const poolSize = Math.max(request.k, request.rerank ? 50 : 0, 20) * (fusedModes ? 3 : 1);

    // The lists are independent (the graph walk only needs the BM25 seeds), so on a server each
    // runs in its own read-only transaction on its own connection, in parallel.
    const lexicalAndGraph = (async (): Promise<RankedList[]> => {
      if (weights.bm25 === undefined && weights.graph === undefined) return [];
      const bm25 = await this.stage('bm25', () =>
        this.read(tenantId, (transaction) =>
          bm25Search(transaction, tenantId, queryTerms, {
            limit: Math.max(poolSize, graphSeedPassages),
            filters: request.filters,
          }),
        ),
      );
      const lists: RankedList[] = [];
      if (weights.bm25 !== undefined) lists.push({ name: 'bm25', weight: weights.bm25, chunks: bm25.slice(0, poolSize) });
      if (weights.graph !== undefined) {
        const graph = await this.stage('graph', () =>
          this.read(tenantId, (transaction) =>
            graphSearchWithSeeds(transaction, {
              query: request.query,
              queryVector,
              seedChunks: bm25.slice(0, graphSeedPassages),
              limit: poolSize,
              filters: request.filters,
            }),
          ),
        );
        graphSeeds = graph.seeds;
        lists.push({ name: 'graph', weight: weights.graph, chunks: graph.chunks });
      }
      if (weights.bridge !== undefined) {
        // Second hop: the bridges are read from the first hop's best passages (BM25 and the first
        // walk fused with the same trust as the final fusion), then the walk runs again.
        const firstHop = fuseWithTrust(lists, request.fusion, semantic, questionStrength(graphSeeds)).fused;
        const questionSeeds = graphSeeds.filter((seed) => seed.questionStrength > 0);
        const bridge = await this.read(tenantId, async (transaction) => {
          const bridges = await findBridgeEntities(transaction, firstHop, new Set(questionSeeds.map((seed) => seed.id)));
          return walkFromSeeds(transaction, secondHopSeeds(questionSeeds, bridges), { limit: poolSize, filters: request.filters });
        });
        lists.push({ name: 'bridge', weight: weights.bridge, chunks: bridge });
      }
      return lists;
    })();
    const vector = (async (): Promise<RankedList[]> => {
      if (weights.vector === undefined) return [];
      const chunks = await this.stage('vector', () =>
        this.read(tenantId, (transaction) =>
          vectorSearch(transaction, queryVector, {
            model: this.dependencies.embedder.model,
            limit: poolSize,
            filters: request.filters,
          }),
        ),
      );
      const floor = request.minSimilarity;
      return [
        {
          name: 'vector',
          weight: weights.vector,
          chunks: floor === undefined ? chunks : chunks.filter((chunk) => chunk.score >= floor),
        },
      ];
    })();
    const community = (async (): Promise<{ lists: RankedList[]; communities: CommunitySummary[] }> => {
      if (weights.community === undefined) return { lists: [], communities: [] };
      const found = await this.stage('community', () =>
        this.read(tenantId, (transaction) =>
          communitySearch(transaction, { query: request.query, queryVector, limit: poolSize, filters: request.filters }),
        ),
      );
      return {
        lists: [{ name: 'community', weight: weights.community, chunks: found.chunks }],
        communities: found.communities,
      };
    })();
    const [lexicalLists, vectorLists, communityResult] = await Promise.all([lexicalAndGraph, vector, community]);

    const allLists = [...lexicalLists, ...vectorLists, ...communityResult.lists];
    const trusted = fuseWithTrust(allLists, request.fusion, semantic, questionStrength(graphSeeds));
    let fused = trusted.fused;
    const candidates = fused.slice(0, Math.max(request.k, request.rerank ? 50 : 0, request.evidence ? evidenceDepth : 0));
    const rows = await this.read(tenantId, (transaction) => loadChunks(transaction, candidates));
    let evidence = new Map<number, PassageEvidence>();
    if (request.evidence) {
      ({ ranking: fused, evidence } = rerankByEvidence(request.query, fused, (chunkId) => rows.get(chunkId)?.text));
    }
    let rerankScores = new Map<number, number>();
    const reranked = request.rerank && this.dependencies.reranker !== null && fused.length > 1;
    if (reranked) {
      ({ fused, rerankScores } = await this.stage('rerank', () => this.rerank(request, fused, rows)));
    }
    const hits = fused.slice(0, request.k).flatMap((chunk) => {
      const row = rows.get(chunk.chunkId);
      return row
        ? [toHit(row, chunk, request.fusion, trusted.weights, rerankScores.get(chunk.chunkId), evidence.get(chunk.chunkId))]
        : [];
    });
    const response: SearchResponse = {
      query: request.query,
      mode: request.mode,
      hits,
      communities: communityResult.communities,
      tookMs: performance.now() - started,
      cached: false,
      reranked,
      notices: searchNotices(request, hits.length, allLists, this.dependencies.reranker !== null),
    };
    await this.dependencies.cache?.set(cacheKey, response);
    return response;
  }

  private read<T>(tenantId: string, work: (transaction: Queryable) => Promise<T>): Promise<T> {
    return withTenant(this.dependencies.database, tenantId, work, {
      readOnly: true,
      ...(this.dependencies.statementTimeoutMs ? { statementTimeoutMs: this.dependencies.statementTimeoutMs } : {}),
    });
  }

  private async embedQuery(query: string): Promise<number[]> {
    const [vector] = await this.dependencies.embedder.embed([query]);
    return vector!;
  }

  private async rerank(
    request: ParsedSearchRequest,
    fused: FusedChunk[],
    rows: ReadonlyMap<number, ChunkRow>,
  ): Promise<{ fused: FusedChunk[]; rerankScores: Map<number, number> }> {
    const reranker = this.dependencies.reranker!;
    const candidates = fused.slice(0, Math.min(fused.length, Math.max(request.k, 50))).filter((chunk) => rows.has(chunk.chunkId));
    const results = await reranker.rerank(
      request.query,
      candidates.map((chunk) => rows.get(chunk.chunkId)!.text),
    );
    const rerankScores = new Map(results.map((result) => [candidates[result.index]!.chunkId, result.score]));
    const reranked = [...candidates].sort(
      (left, right) => (rerankScores.get(right.chunkId) ?? -Infinity) - (rerankScores.get(left.chunkId) ?? -Infinity),
    );
    return { fused: [...reranked, ...fused.slice(candidates.length)], rerankScores };
  }
}

async function corpusVersion(transaction: Queryable, tenantId: string): Promise<number> {
  const result = await transaction.query<{ version: number }>(
    'SELECT version FROM corpus_statistics WHERE tenant_id = $1',
    [tenantId],
  );
  return result.rows[0]?.version ?? 0;
}

async function loadChunks(transaction: Queryable, chunks: readonly FusedChunk[]): Promise<Map<number, ChunkRow>> {
  if (chunks.length === 0) return new Map();
  const result = await transaction.query<ChunkRow>(
    `SELECT c.id, c.document_id, c.chunk_index, c.text, c.content, c.pages, c.section_path,
            d.title, d.file_name, d.source_key
     FROM chunks c JOIN documents d ON d.id = c.document_id
     WHERE c.id = ANY($1::bigint[])`,
    [chunks.map((chunk) => chunk.chunkId)],
  );
  return new Map(result.rows.map((row) => [row.id, row]));
}

/** How strongly the question names graph entities: the walk seeds' question strengths. */
function questionStrength(seeds: readonly SeedEntity[]): number {
  return seeds.reduce((sum, seed) => sum + seed.questionStrength, 0);
}

/** Plain words, with a stable code, for what a caller would otherwise not know about the hits. */
function searchNotices(
  request: ParsedSearchRequest,
  hitCount: number,
  lists: readonly RankedList[],
  hasReranker: boolean,
): SearchNotice[] {
  const notices: SearchNotice[] = [];
  if (request.rerank && !hasReranker) {
    notices.push({
      code: 'rerank_unavailable',
      message: 'rerank was asked for, but no reranker is configured (RERANK_PROVIDER): the hits are in fused order',
    });
  }
  if (hitCount === 0) {
    notices.push({
      code: 'nothing_matched',
      message:
        request.minSimilarity === undefined
          ? 'nothing matched: no passage shares a word or an entity with the question'
          : `nothing matched: no passage shares a word or an entity with the question or reaches similarity ${request.minSimilarity}`,
    });
    return notices;
  }
  const found = (name: RetrievalListName) => lists.some((list) => list.name === name && list.chunks.length > 0);
  const lexicalRan = lists.some((list) => list.name === 'bm25' || list.name === 'graph');
  if (lexicalRan && !found('bm25') && !found('graph') && !found('bridge')) {
    notices.push({
      code: 'embedding_only',
      message:
        'no passage shares a word or an entity with the question: these hits are only the nearest by embedding ' +
        'and may not be relevant (minSimilarity sets a floor)',
    });
  }
  return notices;
}

function toHit(
  row: ChunkRow,
  chunk: FusedChunk,
  fusion: 'rrf' | 'convex',
  weights: readonly ListWeight[],
  rerankScore: number | undefined,
  evidence: PassageEvidence | undefined,
): SearchHit {
  return {
    chunkId: row.id,
    documentId: row.document_id,
    documentTitle: row.title,
    fileName: row.file_name,
    sourceKey: row.source_key,
    chunkIndex: row.chunk_index,
    text: row.text,
    content: row.content,
    pages: row.pages,
    sectionPath: row.section_path,
    score: rerankScore ?? chunk.fusedScore,
    explanation: {
      fusion,
      lists: chunk.contributions,
      weights,
      fusedScore: chunk.fusedScore,
      ...(rerankScore === undefined ? {} : { rerankScore }),
      ...(evidence === undefined ? {} : { evidence }),
      matchedTerms: chunk.matchedTerms,
      entities: chunk.entities,
    },
  };
}
