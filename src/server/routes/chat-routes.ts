import type { FastifyInstance } from 'fastify';
import type { AgentEvent, AgentService } from '../../core/agent.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { startEventStream } from '../event-stream.js';

/** One server-sent event per agent event: `event: <type>` and `data: <the event as JSON>`. */
export function serverSentEvent(event: AgentEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `POST /v1/chat`: the agent's run as Server-Sent Events. Input errors (bad body, another
 * tenant's thread) are answered as ordinary JSON errors before the stream starts; once it has
 * started, failures arrive as an `error` event. A client that disconnects cancels the run.
 */
export function registerChatRoutes(app: FastifyInstance, agent: AgentService, tenants: TenantService): void {
  const openRuns = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const controller of openRuns) controller.abort();
  });

  app.post('/v1/chat', async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const controller = new AbortController();
    const events = agent.run(tenantId, request.body as never, controller.signal)[Symbol.asyncIterator]();
    // The first event comes after validation and the thread check: their errors stay HTTP errors.
    const first = await events.next();

    startEventStream(request, reply);
    openRuns.add(controller);
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.on('close', onClose);
    try {
      if (!first.done) reply.raw.write(serverSentEvent(first.value));
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (controller.signal.aborted) break;
        reply.raw.write(serverSentEvent(next.value));
      }
    } catch (error) {
      request.log.error({ err: error }, 'chat stream failed');
    } finally {
      await events.return?.();
      openRuns.delete(controller);
      reply.raw.off('close', onClose);
      if (!reply.raw.destroyed) reply.raw.end();
    }
  });
}
