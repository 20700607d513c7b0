import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError, PermissionError, ValidationError } from '../core/errors.js';
import type { Principal, Role } from '../core/principal.js';
import { roleSatisfies } from '../core/principal.js';
import { isTenantId } from '../core/tenant-id.js';
import type { ApiKeyService } from '../tenancy/api-key-service.js';
import type { TenantService } from '../tenancy/tenant-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no API key (probes, metrics). */
    public?: boolean;
  }
}

/** Every route needs a valid `Authorization: Bearer <key>` unless it is marked public. */
export function registerAuthentication(app: FastifyInstance, keys: ApiKeyService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    if (!header) {
      throw new AuthenticationError('missing_credentials', 'Send an API key as Authorization: Bearer <key>');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new AuthenticationError('invalid_credentials', 'The Authorization header must be Bearer <key>');
    }
    request.principal = await keys.authenticate(match[1]!);
    request.log = request.log.child({ keyId: request.principal.keyId });
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw new AuthenticationError('missing_credentials', 'Authentication required');
  }
  return request.principal;
}

export function requireRole(request: FastifyRequest, required: Role): Principal {
  const principal = principalOf(request);
  if (!roleSatisfies(principal.role, required)) {
    throw new PermissionError(`This action needs the ${required} role; the key has ${principal.role}`);
  }
  return principal;
}

/**
 * The tenant a data request acts on. A tenant key acts on its own tenant only. A platform admin
 * names the tenant with the X-Rhizome-Tenant header (id or slug).
 */
export async function tenantOf(request: FastifyRequest, tenants: TenantService, required: Role): Promise<string> {
  const principal = requireRole(request, required);
  const header = request.headers['x-rhizome-tenant'];
  const named = Array.isArray(header) ? header[0] : header;
  if (principal.tenantId !== null) {
    if (named !== undefined && named !== principal.tenantId) {
      const tenant = isTenantId(named) ? null : await tenants.find(named);
      if (tenant?.id !== principal.tenantId) {
        throw new PermissionError('This key belongs to another tenant');
      }
    }
    return principal.tenantId;
  }
  if (!named) {
    throw new ValidationError('Platform admin keys must name a tenant', [
      { path: 'headers.x-rhizome-tenant', message: 'required: a tenant id or slug' },
    ]);
  }
  return (await tenants.get(named)).id;
}
