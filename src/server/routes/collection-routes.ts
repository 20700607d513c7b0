import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CollectionService } from '../../collections/collection-service.js';
import { collectionInputSchema } from '../../collections/collection-service.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { parseInput } from '../validation.js';

const collectionParameters = z.object({ collection: z.string().min(1).max(200).describe('id or name') });
const collectionSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
const tags = ['collections'];

export function registerCollectionRoutes(
  app: FastifyInstance,
  collections: CollectionService,
  tenants: TenantService,
): void {
  app.post(
    '/v1/collections',
    {
      schema: {
        summary: 'Create a collection (uploads naming a new collection also create it)',
        tags,
        body: collectionInputSchema,
        response: { 201: collectionSchema },
      },
    },
    async (request, reply) => {
      const tenantId = await tenantOf(request, tenants, 'editor');
      const input = parseInput(collectionInputSchema, request.body, 'body');
      return reply.status(201).send(await collections.create(tenantId, input));
    },
  );

  app.get(
    '/v1/collections',
    {
      schema: {
        summary: 'List collections',
        tags,
        response: { 200: z.object({ collections: z.array(collectionSchema) }) },
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request, tenants, 'reader');
      return { collections: await collections.list(tenantId) };
    },
  );

  app.get(
    '/v1/collections/:collection',
    {
      schema: {
        summary: 'Get a collection by id or name',
        tags,
        params: collectionParameters,
        response: { 200: collectionSchema },
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request, tenants, 'reader');
      const { collection } = parseInput(collectionParameters, request.params, 'params');
      return collections.get(tenantId, collection);
    },
  );

  app.delete(
    '/v1/collections/:collection',
    {
      schema: {
        summary: 'Delete a collection (its documents stay, without a collection)',
        tags,
        params: collectionParameters,
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request, tenants, 'editor');
      const { collection } = parseInput(collectionParameters, request.params, 'params');
      await collections.delete(tenantId, collection);
      return { deleted: true };
    },
  );
}
