import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../../core/database.js';
import { countGraph } from '../../db/graph/tenant-graph.js';
import { graphNameForTenant } from '../../db/graph/graph-identifiers.js';
import { withTenant } from '../../db/tenant-scope.js';
import {
  entitySearchSchema,
  neighbourhoodSchema,
  subgraphSchema,
  type KnowledgeExplorer,
} from '../../explorer/knowledge-explorer.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { parseInput } from '../validation.js';

const entityParameters = z.object({
  entity: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

/** The caller's knowledge graph. The graph is always the one named from the caller's tenant. */
export function registerGraphRoutes(
  app: FastifyInstance,
  database: Database,
  tenants: TenantService,
  explorer: KnowledgeExplorer,
): void {
  app.get('/v1/graph/summary', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const graph = graphNameForTenant(tenantId);
    const counts = await withTenant(database, tenantId, (transaction) => countGraph(transaction, graph), {
      readOnly: true,
    });
    return { graph, ...counts };
  });

  /** Entities by name (`?query=`), most mentioned first; without a query, the most mentioned. */
  app.get('/v1/graph/entities', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    return {
      entities: await explorer.searchEntities(
        tenantId,
        parseInput(entitySearchSchema, request.query, 'query'),
      ),
    };
  });

  /** One entity: description, strongest relations, passages that mention it. */
  app.get('/v1/graph/entities/:entity', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { entity } = parseInput(entityParameters, request.params, 'params');
    return explorer.entity(tenantId, entity);
  });

  /** The entity, its strongest neighbours (`?limit=`) and the relations among them, for drawing. */
  app.get('/v1/graph/entities/:entity/neighbourhood', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { entity } = parseInput(entityParameters, request.params, 'params');
    return explorer.neighbourhood(tenantId, entity, parseInput(neighbourhoodSchema, request.query, 'query'));
  });

  /**
   * The entities and relations an answer used (its cited passages' chunk ids and the entity names
   * its tools returned), for the explorer to draw and highlight. A POST: the lists can be long.
   */
  app.post('/v1/graph/subgraph', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    return explorer.subgraph(tenantId, parseInput(subgraphSchema, request.body, 'body'));
  });
}
