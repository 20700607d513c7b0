import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Takes the response over from Fastify and starts a `text/event-stream` on it. Every streaming
 * route (agent runs, OpenAI chunks, document status) sends the same headers: no caching or
 * transforming proxies, no buffering by nginx, and the request id for correlating logs.
 */
export function startEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
    ...extraHeaders,
  });
}
