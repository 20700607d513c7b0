import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, PermissionError } from '../../core/errors.js';
import type { ApiKeyService } from '../../tenancy/api-key-service.js';
import { principalOf, requireRole } from '../authentication.js';
import { parseInput } from '../validation.js';

const createKeyBody = z.object({
  name: z.string().trim().min(1).max(200),
  role: z.enum(['admin', 'owner', 'editor', 'reader']),
  tenantId: z.uuid().nullable().optional(),
});
const listKeysQuery = z.object({ tenantId: z.uuid().optional() });
const keyParameters = z.object({ key: z.string().regex(/^[A-Za-z0-9]{12}$/, 'must be a key id') });

/**
 * Keys: platform admins manage every key; a tenant owner manages the keys of its own tenant and
 * can grant at most the owner role.
 */
export function registerKeyRoutes(app: FastifyInstance, keys: ApiKeyService): void {
  app.post('/v1/keys', async (request, reply) => {
    const principal = requireRole(request, 'owner');
    const body = parseInput(createKeyBody, request.body, 'body');
    let tenantId = body.tenantId ?? null;
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
  });

  app.get('/v1/keys', async (request) => {
    const principal = requireRole(request, 'owner');
    const query = parseInput(listKeysQuery, request.query, 'query');
    if (principal.role === 'admin') {
      return { keys: await keys.list(query.tenantId ? { tenantId: query.tenantId } : 'all') };
    }
    if (query.tenantId && query.tenantId !== principal.tenantId) {
      throw new PermissionError('Owners can list keys of their own tenant only');
    }
    return { keys: await keys.list({ tenantId: principal.tenantId }) };
  });

  app.delete('/v1/keys/:key', async (request) => {
    const principal = requireRole(request, 'owner');
    const { key: keyId } = parseInput(keyParameters, request.params, 'params');
    const existing = await keys.get(keyId);
    if (principal.role !== 'admin' && existing.tenantId !== principal.tenantId) {
      throw new NotFoundError('api_key', keyId);
    }
    const revoked = await keys.revoke(keyId);
    request.log.info({ revokedKeyId: keyId }, 'api key revoked');
    return revoked;
  });

  app.get('/v1/me', async (request) => {
    const principal = principalOf(request);
    return { keyId: principal.keyId, role: principal.role, tenantId: principal.tenantId };
  });
}
