import { z } from 'zod';
import { searchModes, searchNoticeSchema } from '../../core/search.js';

/**
 * The documented shape of a `POST /v1/search` answer (`SearchResponse` in src/core/search.ts).
 * Objects are loose: the response is checked as it is serialised, and a field added to a hit's
 * explanation must not be stripped from the wire because this description lags behind.
 */
const listContributionSchema = z.looseObject({
  list: z.enum(['bm25', 'vector', 'graph', 'community', 'bridge']),
  rank: z.number().int().describe('1-based rank within that list'),
  score: z.number().describe("the list's own score (BM25 score, cosine similarity, PageRank mass…)"),
  weight: z.number(),
});

const searchHitSchema = z.looseObject({
  chunkId: z.number().int(),
  documentId: z.string(),
  documentTitle: z.string(),
  fileName: z.string(),
  sourceKey: z.string().nullable(),
  chunkIndex: z.number().int(),
  text: z.string(),
  content: z
    .string()
    .optional()
    .describe("only with ?include=content: the text without its heading context (the text's tail)"),
  pages: z.array(z.number().int()),
  sectionPath: z.array(z.string()),
  score: z.number().describe('the rerank score when reranked, else the fused score'),
  explanation: z.looseObject({
    fusion: z.enum(['rrf', 'convex']),
    lists: z.array(listContributionSchema).describe('the lists that found the hit, with its rank in each'),
    fusedScore: z.number(),
    rerankScore: z.number().optional(),
    matchedTerms: z.array(z.string()),
    entities: z.array(z.string()),
  }),
});

export const searchResponseSchema = z.looseObject({
  query: z.string(),
  mode: z.enum(searchModes),
  hits: z.array(searchHitSchema),
  communities: z
    .array(
      z.looseObject({
        id: z.number().int(),
        level: z.number().int(),
        title: z.string(),
        summary: z.string(),
        entityCount: z.number().int(),
        score: z.number(),
      }),
    )
    .describe('for `global` and `mix`: the communities that matched'),
  tookMs: z.number(),
  cached: z.boolean(),
  reranked: z.boolean().optional().describe('whether the configured reranker reordered the hits'),
  notices: z
    .array(searchNoticeSchema)
    .optional()
    .describe('what the caller should know about these hits (empty when nothing needs saying)'),
});
