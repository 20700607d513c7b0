import { RhizomeError, type ErrorCategory, type ErrorKind } from '../core/errors.js';
import type { SearchResponse } from '../core/search.js';
import type { IntakeResult } from '../ingest/document-service.js';
import type { ApiKeySummary, CreatedApiKey } from '../tenancy/api-key-service.js';
import type { Tenant } from '../tenancy/tenant-service.js';
import type { CommandBackend } from './command-backend.js';
import type { LocalServerAnnouncement } from './local-server.js';

export interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly category?: ErrorCategory };
}

export const kindByStatus: Record<number, ErrorKind> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported',
  429: 'rate_limited',
  503: 'unavailable',
};

/**
 * The commands over the HTTP API of the server that holds the embedded database, with the local
 * admin key it announced. Errors come back as the same typed errors (same codes) as in-process.
 */
export function remoteBackend(server: LocalServerAnnouncement): CommandBackend {
  const call = async <T>(
    method: string,
    path: string,
    options: { tenant?: string; json?: unknown; form?: FormData } = {},
  ): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${server.key}` };
    if (options.tenant !== undefined) headers['x-rhizome-tenant'] = options.tenant;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, server.url), {
        method,
        headers,
        ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
        ...(options.form ? { body: options.form } : {}),
      });
    } catch (error) {
      throw new RhizomeError(
        'server_unreachable',
        'unavailable',
        'system',
        `The server that holds the data folder (pid ${server.pid}) does not answer at ${server.url}`,
        { cause: error },
      );
    }
    const body = (await response.json().catch(() => ({}))) as T & ErrorBody;
    if (!response.ok) {
      throw new RhizomeError(
        body.error?.code ?? 'request_failed',
        kindByStatus[response.status] ?? 'internal',
        body.error?.category ?? 'system',
        body.error?.message ?? `HTTP ${response.status}`,
      );
    }
    return body;
  };
  const segment = encodeURIComponent;

  return {
    via: `the running server at ${server.url} (pid ${server.pid})`,
    createTenant: (input) => call<Tenant>('POST', '/v1/tenants', { json: input }),
    listTenants: async () => (await call<{ tenants: Tenant[] }>('GET', '/v1/tenants')).tenants,
    deleteTenant: async (identifier) =>
      (
        await call<{ tenant: Tenant }>(
          'DELETE',
          `/v1/tenants/${segment(identifier)}?confirm=${segment((await call<Tenant>('GET', `/v1/tenants/${segment(identifier)}`)).slug)}`,
        )
      ).tenant,
    createKey: (input) =>
      call<CreatedApiKey>('POST', '/v1/keys', {
        json: { name: input.name, role: input.role, tenantId: input.tenant },
      }),
    listKeys: async (tenant) =>
      (
        await call<{ keys: ApiKeySummary[] }>(
          'GET',
          `/v1/keys${tenant === null ? '' : `?tenantId=${segment(tenant)}`}`,
        )
      ).keys,
    revokeKey: (keyId) => call<ApiKeySummary>('DELETE', `/v1/keys/${segment(keyId)}`),
    // The server runs its own worker.
    startIndexing: async () => undefined,
    async ingest(tenant, file) {
      const form = new FormData();
      form.append('sourceKey', file.sourceKey);
      if (file.collection) form.append('collection', file.collection);
      form.append('file', new Blob([file.bytes]), file.fileName);
      const { documents } = await call<{ documents: IntakeResult[] }>('POST', '/v1/documents', {
        tenant,
        form,
      });
      return documents[0]!;
    },
    documentProgress: (tenant, documentId) =>
      call<{ status: string; errorMessage: string | null; chunkCount: number }>(
        'GET',
        `/v1/documents/${segment(documentId)}`,
        { tenant },
      ),
    collectionId: async (tenant, collection) =>
      (await call<{ id: string }>('GET', `/v1/collections/${segment(collection)}`, { tenant })).id,
    search: (tenant, request) => call<SearchResponse>('POST', '/v1/search?include=content', { tenant, json: request }),
  };
}
