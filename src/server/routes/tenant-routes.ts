import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { ApiKeyService } from '../../tenancy/api-key-service.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantInputSchema } from '../../tenancy/tenant-service.js';
import { principalOf, requireRole } from '../authentication.js';
import { parseInput } from '../validation.js';

const tenantParameters = z.object({ tenant: z.string().min(1).max(100) });
const deleteTenantQuery = z.object({
  confirm: z.string().max(100).optional().describe("the tenant's slug, repeated to confirm the deletion"),
});
export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  graphName: z.string(),
  createdAt: z.string(),
});
const tags = ['tenants'];

export function registerTenantRoutes(app: FastifyInstance, tenants: TenantService, keys?: ApiKeyService): void {
  app.post(
    '/v1/tenants',
    {
      schema: {
        summary: 'Create a tenant (admin)',
        tags,
        body: tenantInputSchema,
        response: { 201: tenantSchema },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin');
      const input = parseInput(tenantInputSchema, request.body, 'body');
      const tenant = await tenants.create(input);
      request.log.info({ tenantId: tenant.id }, 'tenant created');
      return reply.status(201).send(tenant);
    },
  );

  app.get(
    '/v1/tenants',
    {
      schema: {
        summary: 'List tenants (admin)',
        tags,
        response: { 200: z.object({ tenants: z.array(tenantSchema) }) },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      return { tenants: await tenants.list() };
    },
  );

  app.get(
    '/v1/tenants/:tenant',
    {
      schema: {
        summary: 'Get a tenant by id or slug (admin, or a key of that tenant)',
        tags,
        params: tenantParameters,
        response: { 200: tenantSchema },
      },
    },
    async (request) => {
      const { tenant: identifier } = parseInput(tenantParameters, request.params, 'params');
      const principal = principalOf(request);
      const tenant = await tenants.get(identifier);
      // Members see their own tenant; any other tenant does not exist for them.
      if (principal.role !== 'admin' && principal.tenantId !== tenant.id) {
        throw new NotFoundError('tenant', identifier);
      }
      return tenant;
    },
  );

  /**
   * Deletes a tenant and everything it owns. Irreversible, so the caller confirms by repeating the
   * tenant's slug: `DELETE /v1/tenants/acme?confirm=acme` (a UUID in the path still needs the slug).
   */
  app.delete(
    '/v1/tenants/:tenant',
    {
      schema: {
        summary: 'Delete a tenant and everything it owns (admin; confirm with ?confirm=<slug>)',
        tags,
        params: tenantParameters,
        querystring: deleteTenantQuery,
        response: { 200: z.object({ deleted: z.literal(true), tenant: tenantSchema }) },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      const { tenant: identifier } = parseInput(tenantParameters, request.params, 'params');
      const { confirm } = parseInput(deleteTenantQuery, request.query, 'query');
      const existing = await tenants.get(identifier);
      if (confirm !== existing.slug) {
        throw new ValidationError(
          `Deleting a tenant cannot be undone: confirm with ?confirm=${existing.slug}`,
          [{ path: 'query.confirm', message: "must equal the tenant's slug" }],
        );
      }
      const tenant = await tenants.delete(existing.id);
      // The tenant's keys went with it: no request may pass on a recently verified one.
      keys?.forgetVerifiedKeys();
      request.log.info({ tenantId: tenant.id }, 'tenant deleted');
      return { deleted: true as const, tenant };
    },
  );
}
