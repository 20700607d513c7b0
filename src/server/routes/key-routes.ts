import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, PermissionError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { isTenantId } from '../../core/tenant-id.js';
import type { ApiKeyService } from '../../tenancy/api-key-service.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { principalOf, requireRole } from '../authentication.js';
import { parseInput } from '../validation.js';

const createKeyBody = z.object({
  name: z.string().trim().min(1).max(200),
  role: z.enum(['admin', 'owner', 'editor', 'reader']),
  /** The tenant's id or slug; omitted or null for admin keys. */
  tenantId: z.string().min(1).max(100).nullable().optional(),
});
const listKeysQuery = z.object({ tenantId: z.string().min(1).max(100).optional() });
const keyParameters = z.object({ key: z.string().regex(/^[A-Za-z0-9]{12}$/, 'must be a key id') });
const keySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'owner', 'editor', 'reader']),
  tenantId: z.uuid().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
const createdKeySchema = keySummarySchema.extend({
  key: z.string().describe('the full key: shown once, only its hash is stored'),
});
const tags = ['keys'];

/**
 * Keys: platform admins manage every key; a tenant owner manages the keys of its own tenant and
 * can grant at most the owner role.
 */
export function registerKeyRoutes(app: FastifyInstance, keys: ApiKeyService, tenants: TenantService): void {
  // Tenants are named by id or slug, as everywhere else. For an admin an unknown tenant is a 404;
  // an owner may only name its own tenant, and learns nothing about others (always 403).
  const resolveTenant = async (principal: Principal, identifier: string | null | undefined) => {
    if (identifier === null || identifier === undefined) return null;
    if (principal.role === 'admin') return (await tenants.get(identifier)).id;
    if (identifier === principal.tenantId) return identifier;
    const tenant = isTenantId(identifier) ? null : await tenants.find(identifier);
    if (tenant?.id !== principal.tenantId)
      throw new PermissionError('Owners can manage keys of their own tenant only');
    return tenant.id;
  };

  app.post(
    '/v1/keys',
    {
      schema: {
        summary: 'Create an API key (admin; an owner for its own tenant)',
        tags,
        body: createKeyBody,
        response: { 201: createdKeySchema },
      },
    },
    async (request, reply) => {
      const principal = requireRole(request, 'owner');
      const body = parseInput(createKeyBody, request.body, 'body');
      let tenantId = await resolveTenant(principal, body.tenantId);
      if (principal.role !== 'admin') {
        if (body.role === 'admin') throw new PermissionError('Only platform admins can create admin keys');
        if (tenantId !== null && tenantId !== principal.tenantId) {
          throw new PermissionError('Owners can create keys for their own tenant only');
        }
        tenantId = principal.tenantId;
      }
      const created = await keys.create({ name: body.name, role: body.role, tenantId });
      request.log.info({ createdKeyId: created.id, role: created.role, tenantId }, 'api key created');
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/keys',
    {
      schema: {
        summary: 'List API keys (never their secrets)',
        tags,
        querystring: listKeysQuery,
        response: { 200: z.object({ keys: z.array(keySummarySchema) }) },
      },
    },
    async (request) => {
      const principal = requireRole(request, 'owner');
      const query = parseInput(listKeysQuery, request.query, 'query');
      const tenantId = await resolveTenant(principal, query.tenantId);
      if (principal.role === 'admin') {
        return { keys: await keys.list(tenantId ? { tenantId } : 'all') };
      }
      if (tenantId && tenantId !== principal.tenantId) {
        throw new PermissionError('Owners can list keys of their own tenant only');
      }
      return { keys: await keys.list({ tenantId: principal.tenantId }) };
    },
  );

  app.delete(
    '/v1/keys/:key',
    {
      schema: {
        summary: 'Revoke an API key',
        tags,
        params: keyParameters,
        response: { 200: keySummarySchema },
      },
    },
    async (request) => {
      const principal = requireRole(request, 'owner');
      const { key: keyId } = parseInput(keyParameters, request.params, 'params');
      const existing = await keys.get(keyId);
      if (principal.role !== 'admin' && existing.tenantId !== principal.tenantId) {
        throw new NotFoundError('api_key', keyId);
      }
      const revoked = await keys.revoke(keyId);
      request.log.info({ revokedKeyId: keyId }, 'api key revoked');
      return revoked;
    },
  );

  app.get(
    '/v1/me',
    {
      schema: {
        summary: 'The calling key: id, role, tenant',
        tags,
        response: {
          200: z.object({
            keyId: z.string(),
            role: z.enum(['admin', 'owner', 'editor', 'reader']),
            tenantId: z.uuid().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { keyId: principal.keyId, role: principal.role, tenantId: principal.tenantId };
    },
  );
}
