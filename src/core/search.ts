import { z } from 'zod';

/**
 * Retrieval modes, named as LightRAG users know them: `naive` (vectors), `bm25` (lexical),
 * `local` (entity graph around the question), `global` (community summaries), `hybrid` (BM25 +
 * vectors), `mix` (all lists fused) — and `multihop`: retrieve, read the bridge entities of the
 * top passages, walk the graph again from the question's entities and those bridges (for
 * questions whose answer needs two passages).
 */
export const searchModes = ['naive', 'bm25', 'local', 'global', 'hybrid', 'mix', 'multihop'] as const;
export type SearchMode = (typeof searchModes)[number];

/** How the lists of a mode are combined (see `searchRequestSchema.fusion`). */
export const searchFusions = ['rrf', 'convex'] as const;
export type SearchFusion = (typeof searchFusions)[number];

/** Where a candidate came from. */
export type RetrievalListName = 'bm25' | 'vector' | 'graph' | 'community' | 'bridge';

export const searchFiltersSchema = z.object({
  collectionIds: z.array(z.uuid()).max(100).optional(),
  documentIds: z.array(z.uuid()).max(1_000).optional(),
  /** Documents whose metadata contains all these key/value pairs (JSON containment). */
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type SearchFilters = z.infer<typeof searchFiltersSchema>;

export const searchRequestSchema = z.object({
  query: z.string().trim().min(1).max(4_000),
  mode: z.enum(searchModes).default('mix'),
  k: z.number().int().min(1).max(200).default(10),
  filters: searchFiltersSchema.default({}),
  /**
   * How the lists are combined: weighted reciprocal-rank fusion (`rrf`, ranks only), or a convex
   * combination of min–max normalised scores (`convex`, keeps score margins).
   */
  fusion: z.enum(searchFusions).default('rrf'),
  /** Rerank the fused candidates with the configured reranker (without one, a `rerank_unavailable` notice says so). */
  rerank: z.boolean().default(false),
  /**
   * Score floor for the vector list: candidates whose cosine similarity to the question is below it
   * are dropped before fusion. The nearest passages by embedding always exist, relevant or not;
   * passages found by their words (BM25) or entities (graph) are kept. The scale belongs to the
   * embedding model: choose it for the model in use. With nothing left, `hits` is empty and a
   * `nothing_matched` notice says so.
   */
  minSimilarity: z.number().min(-1).max(1).optional(),
  /**
   * Reorder the first fused candidates by offline passage evidence — term proximity — and explain
   * answer type, proximity and coverage per hit (src/retrieval/evidence-rerank.ts).
   */
  evidence: z.boolean().default(false),
});
export type SearchRequest = z.input<typeof searchRequestSchema>;
export type ParsedSearchRequest = z.output<typeof searchRequestSchema>;

/** One candidate chunk from one retrieval list, before fusion. */
export interface RankedChunk {
  readonly chunkId: number;
  /** The list's own score (BM25 score, cosine similarity, PageRank mass…). */
  readonly score: number;
  /** Query terms that matched (BM25). */
  readonly matchedTerms?: readonly string[];
  /** Entities that led to the chunk (graph, community). */
  readonly entities?: readonly string[];
}

export interface ListContribution {
  readonly list: RetrievalListName;
  /** 1-based rank within that list. */
  readonly rank: number;
  readonly score: number;
  readonly weight: number;
}

/** The weight fusion gave a list for this query, and why (src/retrieval/list-trust.ts). */
export interface ListWeight {
  readonly list: RetrievalListName;
  readonly weight: number;
  readonly reason: string;
}

/** Offline passage evidence for a hit (src/retrieval/passage-signals.ts). */
export interface PassageEvidence {
  readonly coverage: number;
  readonly orderedProximity: number;
  readonly unorderedProximity: number;
  /** What the question asks for (who → person…), null when it asks for no particular type. */
  readonly answerType: 'person' | 'time' | 'number' | 'place' | null;
  /** 1 when a candidate answer of that type stands near a question term. */
  readonly answerNearby: number;
  /** The hit's rank after fusion, before this reordering. */
  readonly fusedRank: number;
  /** 1 / fusedRank + proximity: what the reordering sorted by. */
  readonly score: number;
}

export interface HitExplanation {
  /** With `evidence: true`: the offline passage evidence that reordered the first candidates. */
  readonly evidence?: PassageEvidence;
  readonly fusion: 'rrf' | 'convex';
  readonly lists: readonly ListContribution[];
  /** Every list of the mode with the weight it got for this query and why; 0 means not fused. */
  readonly weights?: readonly ListWeight[];
  readonly fusedScore: number;
  readonly rerankScore?: number;
  readonly matchedTerms: readonly string[];
  readonly entities: readonly string[];
}

export interface SearchHit {
  readonly chunkId: number;
  readonly documentId: string;
  readonly documentTitle: string;
  readonly fileName: string;
  readonly sourceKey: string | null;
  readonly chunkIndex: number;
  readonly text: string;
  readonly content: string;
  readonly pages: readonly number[];
  readonly sectionPath: readonly string[];
  readonly score: number;
  readonly explanation: HitExplanation;
}

export interface CommunitySummary {
  readonly id: number;
  readonly level: number;
  readonly title: string;
  readonly summary: string;
  readonly entityCount: number;
  readonly score: number;
}

/** Stable codes of what a search could not do or the caller should know (`SearchResponse.notices`). */
export const searchNoticeCodes = ['rerank_unavailable', 'nothing_matched', 'embedding_only'] as const;
export type SearchNoticeCode = (typeof searchNoticeCodes)[number];

export const searchNoticeSchema = z.object({
  /**
   * `rerank_unavailable`: `rerank: true` without a configured reranker (the hits are in fused order);
   * `nothing_matched`: no passage shares a word or an entity with the question (or reaches
   * `minSimilarity`): `hits` is empty; `embedding_only`: no passage shares a word or an entity with
   * the question, the hits are only the nearest by embedding and may not be relevant.
   */
  code: z.enum(searchNoticeCodes),
  message: z.string(),
});
export type SearchNotice = z.infer<typeof searchNoticeSchema>;

export interface SearchResponse {
  readonly query: string;
  readonly mode: SearchMode;
  readonly hits: readonly SearchHit[];
  /** For `global` and `mix`: the communities that matched. */
  readonly communities: readonly CommunitySummary[];
  readonly tookMs: number;
  readonly cached: boolean;
  // Optional so that other producers of a SearchResponse (tests, adapters) need not invent them;
  // SearchService always sets both.
  /** Whether the configured reranker reordered the hits. */
  readonly reranked?: boolean;
  /** What the caller should know about these hits; empty when nothing needs saying. */
  readonly notices?: readonly SearchNotice[];
}
