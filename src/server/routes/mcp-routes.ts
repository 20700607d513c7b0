import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { createMcpServer, type McpDependencies } from '../mcp/create-mcp-server.js';

/**
 * `/mcp`: a Model Context Protocol server over streamable HTTP, stateless — every POST carries its
 * own API key, gets a server bound to that key's tenant, and ends with its response, so any
 * instance behind a load balancer can serve any request. GET (a server-initiated stream) and DELETE
 * (ending a session) need sessions and answer 405, as the protocol allows.
 */
export function registerMcpRoutes(
  app: FastifyInstance,
  dependencies: McpDependencies,
  tenants: TenantService,
  version: string,
): void {
  app.post('/mcp', async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const server = createMcpServer(dependencies, tenantId, version);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    reply.hijack();
    reply.raw.setHeader('x-request-id', request.id);
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32603, message: 'Internal server error' },
            id: null,
          }),
        );
      }
    }
  });

  const methodNotAllowed = async (_request: unknown, reply: FastifyReply) =>
    reply
      .status(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP server is stateless' },
        id: null,
      });
  app.get('/mcp', methodNotAllowed);
  app.delete('/mcp', methodNotAllowed);
}
