import type { FastifyInstance } from 'fastify';
import { searchRequestSchema } from '../../core/search.js';
import type { SearchService } from '../../retrieval/search-service.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { parseInput } from '../validation.js';
import { searchResponseSchema } from './search-response-schema.js';

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
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request, tenants, 'reader');
      const input = parseInput(searchRequestSchema, request.body, 'body');
      return search.search(tenantId, input);
    },
  );
}
