import type { Logger } from 'pino';
import type { Database, Queryable } from '../core/database.js';
import type { Embedder, Reranker } from '../core/models.js';
import {
  searchRequestSchema,
  type CommunitySummary,
  type ListWeight,
  type PassageEvidence,
  type ParsedSearchRequest,
  type RankedChunk,
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
import { walkFromSeeds } from './graph/graph-search.js';
import {
  findPassageSeedRows,
  findQuestionSeedRows,
  findSeedRows,
  seedSearchSettings,
  seedsFromRows,
  type SeedEntity,
  type SeedRows,
} from './graph/seed-entities.js';
import { loadChunkRows, type ChunkRow } from './chunk-rows.js';
import { fuseWithTrust } from './trusted-fusion.js';
import { evidenceDepth, rerankByEvidence } from './evidence-rerank.js';
import type { FusedChunk, RankedList } from './reciprocal-rank-fusion.js';
import type { SearchCache } from './search-cache.js';
import { vectorSearch, vectorSearchSettings, vectorSearchWithRows } from './vector-search.js';
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

interface FoundLists {
  readonly lists: RankedList[];
  /** Hit rows already read with the lists (single-list modes). */
  readonly rows: ReadonlyMap<number, ChunkRow>;
  readonly communities: CommunitySummary[];
  /** The graph walk's seeds: fusion trusts the graph list by those the question names. */
  readonly graphSeeds: readonly SeedEntity[];
}

/**
 * Hybrid retrieval for one tenant: each list of the mode runs in one read-only transaction (on a
 * replica when configured), the lists are fused by weighted RRF, optionally reranked, and every
 * hit carries the explanation of how it got there.
 */
export class SearchService {
  constructor(private readonly dependencies: SearchServiceDependencies) {}

  /**
   * One search, traced (a span per stage) and timed by mode for /metrics. An aborted `signal`
   * cancels its SQL: statements running on the server are cancelled, no further one starts.
   */
  search(tenantId: string, input: SearchRequest, signal?: AbortSignal): Promise<SearchResponse> {
    const started = performance.now();
    return withTelemetryTenant(tenantId, () =>
      withSpan('retrieval.search', { 'rhizome.tenant': tenantId }, async (span) => {
        const response = await this.searchOnce(tenantId, input, signal);
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

  private async searchOnce(tenantId: string, input: SearchRequest, signal: AbortSignal | undefined): Promise<SearchResponse> {
    const started = performance.now();
    const request = searchRequestSchema.parse(input);
    const weights = modeLists[request.mode];
    const cache = this.dependencies.cache;

    // The corpus version only keys the cache: without a cache, no round trip for it.
    const cacheKey = cache
      ? `${tenantId}:${await this.read(tenantId, signal, (transaction) => corpusVersion(transaction, tenantId))}:${this.dependencies.embedder.model}:${JSON.stringify(request)}`
      : undefined;
    const cached = cacheKey === undefined ? undefined : await cache?.get(cacheKey);
    if (cached) return { ...cached, cached: true, tookMs: performance.now() - started };

    const semantic = this.dependencies.embedder.semantic !== false;
    const fusedModes = Object.keys(weights).length > 1;
    const poolSize = Math.max(request.k, request.rerank ? 50 : 0, 20) * (fusedModes ? 3 : 1);
    // Rows are read for the hits shown, and for the candidates reranking or evidence looks at.
    const rowCount = Math.max(request.k, request.rerank ? 50 : 0, request.evidence ? evidenceDepth : 0);

    const found = await this.lists(tenantId, request, poolSize, rowCount, signal);
    const trusted = fuseWithTrust(found.lists, request.fusion, semantic, questionStrength(found.graphSeeds));
    let fused = trusted.fused;
    const candidates = fused.slice(0, rowCount);
    // Single-list modes read their rows with the list; fused modes (or a fusion that promoted a
    // chunk beyond them) read the rest in one more statement.
    const rows = new Map(found.rows);
    const missing = candidates.filter((chunk) => !rows.has(chunk.chunkId)).map((chunk) => chunk.chunkId);
    if (missing.length > 0) {
      for (const [id, row] of await this.read(tenantId, signal, (transaction) => loadChunkRows(transaction, missing))) rows.set(id, row);
    }
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
      communities: found.communities,
      tookMs: performance.now() - started,
      cached: false,
      reranked,
      notices: searchNotices(request, hits.length, found.lists, this.dependencies.reranker !== null),
    };
    if (cacheKey !== undefined) await cache?.set(cacheKey, response);
    return response;
  }

  /**
   * The ranked lists of the mode. Each list runs in its own read-only transaction (on a replica
   * when configured), in parallel where the server has the connections, with its per-query
   * settings folded into the transaction's tenant settings. No transaction waits for another
   * (the embedded database has one connection): what one list needs from another is awaited
   * before its transaction begins.
   *
   * - `naive` and `bm25` are one transaction each, the hit rows read with the list.
   * - The question's seed entities are looked up once: by the community list when the mode has
   *   one (it needs them first), and the graph list reuses them; otherwise with BM25.
   * - The graph list waits for BM25 only for its top passages' entities, which BM25's own
   *   transaction reads; `multihop`'s second walk runs in the graph list's transaction.
   */
  private async lists(
    tenantId: string,
    request: ParsedSearchRequest,
    poolSize: number,
    rowCount: number,
    signal: AbortSignal | undefined,
  ): Promise<FoundLists> {
    const weights = modeLists[request.mode];
    const model = this.dependencies.embedder.model;
    const filters = request.filters;
    const vectorOptions = { model, limit: poolSize, filters, settingsApplied: true } as const;

    if (request.mode === 'naive') {
      const queryVector = await this.embedQuery(request.query);
      const found = await this.stage('vector', () =>
        this.read(tenantId, signal, (transaction) => vectorSearchWithRows(transaction, queryVector, { ...vectorOptions, rowLimit: rowCount }), vectorSearchSettings(vectorOptions)),
      );
      return { lists: [{ name: 'vector', weight: weights.vector!, chunks: aboveFloor(found.chunks, request.minSimilarity) }], rows: found.rows, communities: [], graphSeeds: [] };
    }
    const queryTerms = analyzeQuery(request.query);
    if (request.mode === 'bm25') {
      const found = await this.stage('bm25', () =>
        this.read(tenantId, signal, async (transaction) => {
          const chunks = await bm25Search(transaction, tenantId, queryTerms, { limit: poolSize, filters });
          return { chunks, rows: await loadChunkRows(transaction, chunks.slice(0, rowCount).map((chunk) => chunk.chunkId)) };
        }),
      );
      return { lists: [{ name: 'bm25', weight: weights.bm25!, chunks: found.chunks }], rows: found.rows, communities: [], graphSeeds: [] };
    }

    const usesGraph = weights.graph !== undefined;
    const usesCommunity = weights.community !== undefined;
    const needsVector = weights.vector !== undefined || usesGraph || usesCommunity;
    const queryVector = needsVector ? this.embedQuery(request.query) : Promise.resolve([]);
    // Found by the community list's transaction, reused by the graph list.
    let shareQuestionRows: (rows: SeedRows) => void = () => undefined;
    let failQuestionRows: (error: unknown) => void = () => undefined;
    const questionRows = new Promise<SeedRows>((resolve, reject) => {
      shareQuestionRows = resolve;
      failQuestionRows = reject;
    });
    questionRows.catch(() => undefined);

    const community = (async (): Promise<{ lists: RankedList[]; communities: CommunitySummary[] }> => {
      if (!usesCommunity) return { lists: [], communities: [] };
      const vector = await queryVector.catch((error: unknown) => {
        failQuestionRows(error);
        throw error;
      });
      const found = await this.stage('community', () =>
        this.read(
          tenantId,
          signal,
          async (transaction) => {
            const rows = await findQuestionSeedRows(transaction, { query: request.query, queryVector: vector }, { settingsApplied: true });
            shareQuestionRows(rows);
            return communitySearch(transaction, {
              query: request.query,
              queryVector: vector,
              limit: poolSize,
              filters,
              seeds: seedsFromRows([rows]),
              settingsApplied: true,
            });
          },
          seedSearchSettings,
        ),
      ).catch((error: unknown) => {
        failQuestionRows(error);
        throw error;
      });
      return { lists: [{ name: 'community', weight: weights.community!, chunks: found.chunks }], communities: found.communities };
    })();

    const lexicalAndGraph = (async (): Promise<{ lists: RankedList[]; graphSeeds: readonly SeedEntity[] }> => {
      if (weights.bm25 === undefined && !usesGraph) return { lists: [], graphSeeds: [] };
      // Without a community list, BM25's transaction also reads the question's seeds (they need the vector).
      const seedVector = usesGraph && !usesCommunity ? await queryVector : undefined;
      const bm25 = await this.stage('bm25', () =>
        this.read(
          tenantId,
          signal,
          async (transaction) => {
            const chunks = await bm25Search(transaction, tenantId, queryTerms, {
              limit: Math.max(poolSize, graphSeedPassages),
              filters,
            });
            if (!usesGraph) return { chunks, seedRows: [] };
            const seedChunks = chunks.slice(0, graphSeedPassages);
            const seedRows =
              seedVector === undefined
                ? await findPassageSeedRows(transaction, seedChunks)
                : await findSeedRows(transaction, { query: request.query, queryVector: seedVector, seedChunks }, { settingsApplied: true });
            return { chunks, seedRows: [seedRows] };
          },
          usesGraph && !usesCommunity ? seedSearchSettings : undefined,
        ),
      );
      const lists: RankedList[] = [];
      if (weights.bm25 !== undefined) lists.push({ name: 'bm25', weight: weights.bm25, chunks: bm25.chunks.slice(0, poolSize) });
      if (!usesGraph) return { lists, graphSeeds: [] };
      const graphSeeds = seedsFromRows(usesCommunity ? [await questionRows, ...bm25.seedRows] : bm25.seedRows);
      const semantic = this.dependencies.embedder.semantic !== false;
      const walked = await this.stage('graph', () =>
        this.read(tenantId, signal, async (transaction) => {
          const graph = await walkFromSeeds(transaction, graphSeeds, { limit: poolSize, filters });
          if (weights.bridge === undefined) return { graph, bridge: undefined };
          // Second hop: the bridges are read from the first hop's best passages (BM25 and the first
          // walk fused with the same trust as the final fusion), then the walk runs again.
          const firstHop = fuseWithTrust(
            [...lists, { name: 'graph', weight: weights.graph!, chunks: graph }],
            request.fusion,
            semantic,
            questionStrength(graphSeeds),
          ).fused;
          const seeds = graphSeeds.filter((seed) => seed.questionStrength > 0);
          const bridges = await findBridgeEntities(transaction, firstHop, new Set(seeds.map((seed) => seed.id)));
          return { graph, bridge: await walkFromSeeds(transaction, secondHopSeeds(seeds, bridges), { limit: poolSize, filters }) };
        }),
      );
      lists.push({ name: 'graph', weight: weights.graph!, chunks: walked.graph });
      if (walked.bridge !== undefined) lists.push({ name: 'bridge', weight: weights.bridge!, chunks: walked.bridge });
      return { lists, graphSeeds };
    })();

    const vector = (async (): Promise<RankedList[]> => {
      if (weights.vector === undefined) return [];
      const embedded = await queryVector;
      const chunks = await this.stage('vector', () =>
        this.read(tenantId, signal, (transaction) => vectorSearch(transaction, embedded, vectorOptions), vectorSearchSettings(vectorOptions)),
      );
      return [{ name: 'vector', weight: weights.vector, chunks: aboveFloor(chunks, request.minSimilarity) }];
    })();

    const [lexical, vectorLists, communityResult] = await Promise.all([lexicalAndGraph, vector, community]);
    return {
      lists: [...lexical.lists, ...vectorLists, ...communityResult.lists],
      rows: new Map(),
      communities: communityResult.communities,
      graphSeeds: lexical.graphSeeds,
    };
  }

  /** A read-only tenant transaction; `settings` are SET LOCAL in the same round trip as the tenant. */
  private read<T>(
    tenantId: string,
    signal: AbortSignal | undefined,
    work: (transaction: Queryable) => Promise<T>,
    settings?: Readonly<Record<string, string>>,
  ): Promise<T> {
    return withTenant(this.dependencies.database, tenantId, work, {
      readOnly: true,
      signal,
      ...(this.dependencies.statementTimeoutMs ? { statementTimeoutMs: this.dependencies.statementTimeoutMs } : {}),
      ...(settings ? { settings } : {}),
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

/** The vector list without the neighbours below the request's similarity floor. */
function aboveFloor(chunks: RankedChunk[], floor: number | undefined): RankedChunk[] {
  return floor === undefined ? chunks : chunks.filter((chunk) => chunk.score >= floor);
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
