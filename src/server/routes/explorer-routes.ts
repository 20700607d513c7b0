import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { chunkPageSchema, type KnowledgeExplorer } from '../../explorer/knowledge-explorer.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { parseInput } from '../validation.js';

const documentParameters = z.object({ document: z.uuid() });

/** Read-only views for the document page and the usage panel. */
export function registerExplorerRoutes(
  app: FastifyInstance,
  tenants: TenantService,
  explorer: KnowledgeExplorer,
): void {
  /** A document's chunks in order, with page and section (`?offset=&limit=`). */
  app.get('/v1/documents/:document/chunks', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { document } = parseInput(documentParameters, request.params, 'params');
    return explorer.documentChunks(tenantId, document, parseInput(chunkPageSchema, request.query, 'query'));
  });

  /** The entities found in a document, most mentioned first. */
  app.get('/v1/documents/:document/entities', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { document } = parseInput(documentParameters, request.params, 'params');
    return { entities: await explorer.documentEntities(tenantId, document) };
  });

  /** What the tenant holds. */
  app.get('/v1/usage', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    return explorer.usage(tenantId);
  });
}
