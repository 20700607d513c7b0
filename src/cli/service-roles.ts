export const serviceRoles = ['all', 'api', 'worker', 'retrieval', 'agent'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

/** What each role serves, said at start-up and in `serve --help`. */
export const roleDescriptions: Record<ServiceRole, string> = {
  all: 'the whole HTTP API and the ingestion worker in one process',
  api: 'the public HTTP API (tenants, keys, documents, search); ingestion jobs go to workers',
  worker: 'no API: consumes ingestion jobs (parse, chunk, embed, extract, index)',
  retrieval: 'search only: /v1/search and the Dify external-knowledge route (api and all serve them too)',
  agent: 'no public API yet: /healthz, /readyz and /metrics only (questions are answered by api and all)',
};
