import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { searchRequestSchema, type SearchHit, type SearchResponse } from '../../core/search.js';
import type { SearchService } from '../../retrieval/search-service.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { parseInput } from '../validation.js';
import { searchResponseSchema } from './search-response-schema.js';

export const searchQuerySchema = z.object({
  include: z
    .literal('content')
    .optional()
    .describe("'content' adds each hit's content (its text without the heading context) next to its text"),
});

/** A hit over HTTP: its text once, the content only when asked for (it is the text's tail). */
export type HttpSearchHit = Omit<SearchHit, 'content'> & { readonly content?: string };

function withoutContent({ content: _content, ...hit }: SearchHit): HttpSearchHit {
  return hit;
}

/** `POST /v1/search`: tenant-scoped hybrid retrieval with explanations. */
export function registerSearchRoutes(
  app: FastifyInstance,
  search: SearchService,
  tenants: TenantService,
): void {
  app.post(
    '/v1/search',
    {
      schema: {
        summary: 'Hybrid search (BM25, vectors, graph, communities) with an explanation per hit',
        tags: ['search'],
        body: searchRequestSchema,
        response: { 200: searchResponseSchema },
        querystring: searchQuerySchema,
      },
    },
    async (request): Promise<SearchResponse | (Omit<SearchResponse, 'hits'> & { hits: HttpSearchHit[] })> => {
      const tenantId = await tenantOf(request, tenants, 'reader');
      const input = parseInput(searchRequestSchema, request.body, 'body');
      const { include } = parseInput(searchQuerySchema, request.query, 'query');
      const response = await search.search(tenantId, input);
      // Serialising every passage twice is most of a response's bytes.
      return include === 'content' ? response : { ...response, hits: response.hits.map(withoutContent) };
    },
  );
}
