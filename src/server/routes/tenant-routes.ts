import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantInputSchema } from '../../tenancy/tenant-service.js';
import { principalOf, requireRole } from '../authentication.js';
import { parseInput } from '../validation.js';

const tenantParameters = z.object({ tenant: z.string().min(1).max(100) });

export function registerTenantRoutes(app: FastifyInstance, tenants: TenantService): void {
  app.post('/v1/tenants', async (request, reply) => {
    requireRole(request, 'admin');
    const input = parseInput(tenantInputSchema, request.body, 'body');
    const tenant = await tenants.create(input);
    request.log.info({ tenantId: tenant.id }, 'tenant created');
    return reply.status(201).send(tenant);
  });

  app.get('/v1/tenants', async (request) => {
    requireRole(request, 'admin');
    return { tenants: await tenants.list() };
  });

  app.get('/v1/tenants/:tenant', async (request) => {
    const { tenant: identifier } = parseInput(tenantParameters, request.params, 'params');
    const principal = principalOf(request);
    const tenant = await tenants.get(identifier);
    // Members see their own tenant; any other tenant does not exist for them.
    if (principal.role !== 'admin' && principal.tenantId !== tenant.id) {
      throw new NotFoundError('tenant', identifier);
    }
    return tenant;
  });

  app.delete('/v1/tenants/:tenant', async (request) => {
    requireRole(request, 'admin');
    const { tenant: identifier } = parseInput(tenantParameters, request.params, 'params');
    const tenant = await tenants.delete(identifier);
    request.log.info({ tenantId: tenant.id }, 'tenant deleted');
    return { deleted: true, tenant };
  });
}
