export const serviceRoles = ['all', 'api', 'worker', 'retrieval', 'agent'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

/** What each role serves, said at start-up and in `serve --help`. */
export const roleDescriptions: Record<ServiceRole, string> = {
  all: 'the whole HTTP API, the web UI and the ingestion worker in one process',
  api: 'the whole HTTP API and the web UI (tenants, keys, documents, search, agent); ingestion jobs go to workers',
  worker: 'no API: consumes ingestion jobs (parse, chunk, embed, extract, index)',
  retrieval:
    "read-only search: POST /v1/search, Dify's POST /retrieval, GET /v1/graph/…; no uploads, tenants or keys (those are api's)",
  agent:
    'the agent: POST /v1/chat (SSE), /v1/threads, /v1/agent/settings, OpenAI-compatible /v1/chat/completions and /v1/models, MCP at /mcp; no uploads, tenants or keys',
};

/** Roles that serve an HTTP API besides the probes (and so an API reference at /docs). */
export const rolesWithApi: ReadonlySet<ServiceRole> = new Set(['all', 'api', 'retrieval', 'agent']);

/** Which route groups of `buildServer` a role serves (the probes and /metrics are always served). */
export function routesOfRole(role: ServiceRole): { publicApi: boolean; retrievalApi: boolean; agentApi: boolean } {
  const publicApi = role === 'all' || role === 'api';
  return { publicApi, retrievalApi: publicApi || role === 'retrieval', agentApi: publicApi || role === 'agent' };
}
