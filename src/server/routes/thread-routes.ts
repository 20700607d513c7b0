import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { agentSettingsSchema, type AgentSettingsStore } from '../../agent/agent-settings.js';
import type { ThreadStore } from '../../agent/memory/thread-store.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { parseInput } from '../validation.js';

const threadParameters = z.object({ thread: z.uuid() });
const runParameters = z.object({ thread: z.uuid(), run: z.uuid() });
const listThreadsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});
const renameBody = z.object({ title: z.string().trim().min(1).max(200) }).strict();

/**
 * Conversation threads of the caller's tenant: list, read (with its runs), rename, delete; a run
 * with its full trace; and the tenant's agent settings. A thread of another tenant does not exist
 * here (row-level security), so asking for it is a 404.
 */
export function registerThreadRoutes(
  app: FastifyInstance,
  threads: ThreadStore,
  settings: AgentSettingsStore,
  tenants: TenantService,
): void {
  app.get('/v1/threads', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const query = parseInput(listThreadsQuery, request.query, 'query');
    return { threads: await threads.list(tenantId, query) };
  });

  app.get('/v1/threads/:thread', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { thread } = parseInput(threadParameters, request.params, 'params');
    const record = await threads.get(tenantId, thread);
    return { ...record, runs: await threads.listRuns(tenantId, thread) };
  });

  app.patch('/v1/threads/:thread', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { thread } = parseInput(threadParameters, request.params, 'params');
    const { title } = parseInput(renameBody, request.body, 'body');
    return threads.rename(tenantId, thread, title);
  });

  app.delete('/v1/threads/:thread', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { thread } = parseInput(threadParameters, request.params, 'params');
    await threads.delete(tenantId, thread);
    return { deleted: true };
  });

  app.get('/v1/threads/:thread/runs/:run', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { thread, run } = parseInput(runParameters, request.params, 'params');
    return threads.getRun(tenantId, thread, run);
  });

  app.get('/v1/agent/settings', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    return settings.get(tenantId);
  });

  app.put('/v1/agent/settings', async (request) => {
    const tenantId = await tenantOf(request, tenants, 'owner');
    return settings.put(tenantId, parseInput(agentSettingsSchema, request.body, 'body'));
  });
}
