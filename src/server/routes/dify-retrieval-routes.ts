import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CollectionService } from '../../collections/collection-service.js';
import { searchModes, type SearchHit } from '../../core/search.js';
import type { DocumentService } from '../../ingest/document-service.js';
import type { SearchService } from '../../retrieval/search-service.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { matchesMetadataCondition, metadataConditionSchema } from '../dify/metadata-condition.js';
import { parseInput } from '../validation.js';

/** Dify's External Knowledge API request; `mode` is our extension (Dify never sends it). */
export const difyRetrievalSchema = z.object({
  knowledge_id: z.string().trim().min(1).max(200),
  query: z.string().trim().min(1).max(4_000),
  retrieval_setting: z.object({
    top_k: z.number().int().min(1).max(200),
    score_threshold: z.number().min(0).max(1).default(0),
  }),
  metadata_condition: metadataConditionSchema.nullish(),
  mode: z.enum(searchModes).default('mix'),
});

export interface DifyRecord {
  readonly content: string;
  readonly score: number;
  readonly title: string;
  readonly metadata: Record<string, unknown>;
}

/**
 * Candidates read when a metadata condition filters them afterwards: the condition runs on the
 * documents of the best candidates, so it can only keep what retrieval found among these.
 */
const filteredCandidateLimit = 200;

/**
 * Dify's scores are 0–1 and its threshold is compared with them. Fused scores have no fixed scale
 * (RRF sums reciprocal ranks), so each record carries its score relative to the best hit of the
 * query: the best is 1, and 0.5 means half as strong. A reranker's score, already 0–1, is used as is.
 */
function relativeScores(hits: readonly SearchHit[]): number[] {
  const reranked = hits.every((hit) => hit.explanation.rerankScore !== undefined);
  if (reranked) return hits.map((hit) => Math.min(1, Math.max(0, hit.explanation.rerankScore!)));
  const best = hits[0]?.score ?? 0;
  return hits.map((hit) => (best > 0 ? Math.round((hit.score / best) * 10_000) / 10_000 : 0));
}

/**
 * `POST /retrieval`: Dify's External Knowledge API, so a Dify workspace uses a Rhizome collection
 * as a knowledge base. Register `https://<rhizome>` as the endpoint (Dify appends `/retrieval`), a
 * tenant API key as the key, and a collection id or name as the External Knowledge ID.
 */
export function registerDifyRetrievalRoutes(
  app: FastifyInstance,
  search: SearchService,
  collections: CollectionService,
  documents: DocumentService,
  tenants: TenantService,
): void {
  app.post('/retrieval', { config: { errorFormat: 'dify' } }, async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const input = parseInput(difyRetrievalSchema, request.body, 'body');
    const collection = await collections.get(tenantId, input.knowledge_id);
    const condition = input.metadata_condition;
    const filtering = condition !== undefined && condition !== null && condition.conditions.length > 0;
    const response = await search.search(tenantId, {
      query: input.query,
      mode: input.mode,
      k: filtering ? filteredCandidateLimit : input.retrieval_setting.top_k,
      filters: { collectionIds: [collection.id] },
    });
    const records = await documents.getMany(
      tenantId,
      response.hits.map((hit) => hit.documentId),
    );
    const metadataByDocument = new Map(records.map((record) => [record.id, record.metadata]));
    const kept = filtering
      ? response.hits.filter((hit) =>
          matchesMetadataCondition(metadataByDocument.get(hit.documentId) ?? {}, condition),
        )
      : response.hits;
    const scores = relativeScores(kept);
    const result: DifyRecord[] = [];
    kept.forEach((hit, index) => {
      const score = scores[index]!;
      if (score < input.retrieval_setting.score_threshold || result.length >= input.retrieval_setting.top_k)
        return;
      result.push({
        content: hit.content,
        score,
        title: hit.documentTitle || hit.fileName,
        // Dify requires an object here (null breaks its pipeline). The document's own metadata
        // first, then where the passage comes from, which a citation in Dify can show.
        metadata: {
          ...(metadataByDocument.get(hit.documentId) ?? {}),
          path: hit.sourceKey ?? hit.fileName,
          description: hit.sectionPath.join(' › '),
          document_id: hit.documentId,
          file_name: hit.fileName,
          chunk_id: hit.chunkId,
          chunk_index: hit.chunkIndex,
          pages: hit.pages,
          section_path: hit.sectionPath,
          collection_id: collection.id,
        },
      });
    });
    return { records: result };
  });
}
