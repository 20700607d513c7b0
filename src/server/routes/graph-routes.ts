import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/database.js';
import { countGraph } from '../../db/graph/tenant-graph.js';
import { graphNameForTenant } from '../../db/graph/graph-identifiers.js';
import { withTenant } from '../../db/tenant-scope.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';

/** The caller's knowledge graph. The graph is always the one named from the caller's tenant. */
export function registerGraphRoutes(app: FastifyInstance, database: Database, tenants: TenantService): void {
  app.get('/v1/graph/summary', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const graph = graphNameForTenant(tenantId);
    const counts = await withTenant(database, tenantId, (transaction) => countGraph(transaction, graph), {
      readOnly: true,
    });
    return { graph, ...counts };
  });
}
