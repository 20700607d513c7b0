import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentService } from '../core/agent.js';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { DocumentEvents } from '../core/document-events.js';
import type { DocumentService } from '../ingest/document-service.js';
import type { SearchService } from '../retrieval/search-service.js';
import type { AgentSettingsStore } from '../agent/agent-settings.js';
import type { ThreadStore } from '../agent/memory/thread-store.js';
import type { ApiKeyService } from '../tenancy/api-key-service.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { ChatModel, Embedder } from '../core/models.js';
import { KnowledgeExplorer } from '../explorer/knowledge-explorer.js';
import { registerAuthentication } from './authentication.js';
import { answerFrameworkError, registerErrorHandling } from './error-handler.js';
import type { McpReadTools } from './mcp/create-mcp-server.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { packageVersion } from '../platform/package-version.js';
import { requestIdFor } from './request-id.js';
import { registerChatRoutes } from './routes/chat-routes.js';
import { registerUnsafeTextGuard } from './unsafe-text-guard.js';
import { registerAuthenticationThrottle, registerRateLimits } from './rate-limits.js';
import { registerCollectionRoutes } from './routes/collection-routes.js';
import { registerDifyRetrievalRoutes } from './routes/dify-retrieval-routes.js';
import { registerDocumentRoutes } from './routes/document-routes.js';
import { registerExplorerRoutes } from './routes/explorer-routes.js';
import { registerModelRoutes } from './routes/model-routes.js';
import { findWebDirectory, pageFallback, registerWebInterface } from './web-interface.js';
import { registerGraphRoutes } from './routes/graph-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerKeyRoutes } from './routes/key-routes.js';
import { registerMcpRoutes } from './routes/mcp-routes.js';
import { registerOpenAiRoutes } from './routes/openai-routes.js';
import { registerSearchRoutes } from './routes/search-routes.js';
import { registerTenantRoutes } from './routes/tenant-routes.js';
import { registerThreadRoutes } from './routes/thread-routes.js';

export interface ServerDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly tenants: TenantService;
  readonly keys: ApiKeyService;
  readonly collections: CollectionService;
  readonly documents: DocumentService;
  readonly search: SearchService;
  readonly events: DocumentEvents;
  /** The agent port: `/v1/chat` and the OpenAI-compatible routes answer through it. */
  readonly agent?: AgentService;
  /** The agent's threads (with runs and traces) and per-tenant settings, for `/v1/threads` and `/v1/agent/settings`. */
  readonly agentThreads?: ThreadStore;
  readonly agentSettings?: AgentSettingsStore;
  /** The agent's read-only document and graph tools, which the MCP server exposes. */
  readonly agentTools?: McpReadTools;
  /** Serve the agent's routes (`/v1/chat`, `/v1/threads`…): roles `all`, `api` and `agent`; default: with the public API. */
  readonly agentApi?: boolean;
  /** Serve the public API (roles `api` and `all`); other roles serve only probes and metrics. */
  readonly publicApi?: boolean;
  /**
   * Serve the read-only retrieval routes (`/v1/search`, Dify's `/retrieval`, `/v1/graph/…`) without
   * the rest of the public API (which includes them): role `retrieval`, e.g. a separately scaled function.
   */
  readonly retrievalApi?: boolean;
  /** For the model settings and health check routes. */
  readonly embedder?: Embedder;
  readonly chatModel?: ChatModel | null;
}

/** Builds the HTTP app without listening; `listen` or `inject` (tests, in-process) readies it. */
export async function buildServer(dependencies: ServerDependencies): Promise<FastifyInstance> {
  const { config, database } = dependencies;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only widens the instance's logger type.
    loggerInstance: dependencies.logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    trustProxy: config.server.trustProxy,
    bodyLimit: 1024 * 1024,
    // Answer 503 to new requests while closing; in-flight ones finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: (error, request, reply) => {
      void answerFrameworkError(error, request, reply);
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  if (config.server.corsOrigins.length > 0) {
    // A web UI hosted elsewhere (a CDN) calls the API from its own origin.
    await app.register(cors, {
      origin: config.server.corsOrigins.includes('*') ? true : [...config.server.corsOrigins],
      exposedHeaders: ['x-request-id'],
      allowedHeaders: ['authorization', 'content-type', 'x-rhizome-tenant', 'x-request-id', 'accept'],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      maxAge: 600,
    });
  }
  const publicApi = dependencies.publicApi ?? true;
  const webDirectory = publicApi ? findWebDirectory(config.server.webDirectory) : null;
  registerErrorHandling(app, webDirectory ? { notFoundPage: pageFallback(webDirectory) } : {});
  // Before any route: routes registered afterwards appear in /openapi.json and /docs.
  await registerOpenApi(app, { version: packageVersion() });
  registerUnsafeTextGuard(app);
  registerMetrics(app, database, config.server.metricsToken);
  registerAuthenticationThrottle(app, config.server.rateLimits);
  registerAuthentication(app, dependencies.keys);
  await registerRateLimits(app, config.server.rateLimits, { redisUrl: config.redisUrl, logger: app.log });
  registerHealthRoutes(app, database);
  const explorer = new KnowledgeExplorer(database);
  if (publicApi || dependencies.retrievalApi) {
    // Read-only: a `retrieval` replica scales search without taking uploads or administration.
    registerSearchRoutes(app, dependencies.search, dependencies.tenants);
    registerDifyRetrievalRoutes(
      app,
      dependencies.search,
      dependencies.collections,
      dependencies.documents,
      dependencies.tenants,
    );
    registerGraphRoutes(app, database, dependencies.tenants, explorer);
  }
  if (publicApi) {
    registerTenantRoutes(app, dependencies.tenants, dependencies.keys);
    registerKeyRoutes(app, dependencies.keys, dependencies.tenants);
    registerCollectionRoutes(app, dependencies.collections, dependencies.tenants);
    registerExplorerRoutes(app, dependencies.tenants, explorer);
    registerModelRoutes(app, config, {
      ...(dependencies.embedder ? { embedder: dependencies.embedder } : {}),
      chatModel: dependencies.chatModel ?? null,
    });
    await registerDocumentRoutes(app, dependencies.documents, dependencies.tenants, dependencies.events, {
      maxUploadBytes: config.server.maxUploadBytes,
      maxFilesPerUpload: 100,
    });
    // The web UI (web/dist) at `/`, when it has been built.
    if (webDirectory) await registerWebInterface(app, webDirectory);
    else app.log.debug('web UI not built (npm run build:web): serving the API only');
  }
  if (dependencies.agentApi ?? dependencies.publicApi ?? true) {
    if (dependencies.agent) registerChatRoutes(app, dependencies.agent, dependencies.tenants);
    // Interoperability adapters over the same agent and services (OpenAI-compatible API, MCP).
    if (dependencies.agent) registerOpenAiRoutes(app, dependencies.agent, dependencies.tenants);
    if (dependencies.agent && dependencies.agentTools) {
      registerMcpRoutes(
        app,
        {
          search: dependencies.search,
          collections: dependencies.collections,
          agent: dependencies.agent,
          tools: dependencies.agentTools,
          logger: dependencies.logger,
        },
        dependencies.tenants,
        process.env.npm_package_version ?? '0.1.0',
      );
    }
    if (dependencies.agentThreads && dependencies.agentSettings) {
      registerThreadRoutes(app, dependencies.agentThreads, dependencies.agentSettings, dependencies.tenants);
    }
  }
  return app;
}
