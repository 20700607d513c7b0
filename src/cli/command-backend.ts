import { searchRequestSchema, type SearchRequest, type SearchResponse } from '../core/search.js';
import type { Role } from '../core/principal.js';
import type { IntakeResult } from '../ingest/document-service.js';
import type { Runtime } from '../platform/runtime.js';
import { parseInput } from '../server/validation.js';
import type { ApiKeySummary, CreatedApiKey } from '../tenancy/api-key-service.js';
import type { Tenant } from '../tenancy/tenant-service.js';

export interface FileToIngest {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly sourceKey: string;
  readonly collection?: string;
}

export interface DocumentProgress {
  readonly status: string;
  readonly errorMessage: string | null;
  readonly chunkCount: number;
}

/**
 * What the administrative commands need, whichever way they reach the data: straight through the
 * database (`runtimeBackend`), or through a running server's HTTP API when that server holds the
 * embedded database (`remote-backend.ts`). Tenants are named by id or slug throughout.
 */
export interface CommandBackend {
  /** Said to the user on stderr, e.g. "via the running server at http://… (pid 123)". */
  readonly via: string | null;
  createTenant(input: { slug: string; name: string }): Promise<Tenant>;
  listTenants(): Promise<readonly Tenant[]>;
  deleteTenant(identifier: string): Promise<Tenant>;
  createKey(input: { name: string; role: Role; tenant: string | null }): Promise<CreatedApiKey>;
  listKeys(tenant: string | null): Promise<readonly ApiKeySummary[]>;
  revokeKey(keyId: string): Promise<ApiKeySummary>;
  /** Makes sure something indexes what is ingested (a worker in this process, or the server's). */
  startIndexing(): Promise<void>;
  ingest(tenant: string, file: FileToIngest): Promise<IntakeResult>;
  documentProgress(tenant: string, documentId: string): Promise<DocumentProgress>;
  collectionId(tenant: string, collection: string): Promise<string>;
  search(tenant: string, request: SearchRequest): Promise<SearchResponse>;
}

export function runtimeBackend(runtime: Runtime): CommandBackend {
  // `ingest --wait` names the same tenant for every file and every status poll of every document:
  // it is looked up once (a deleted tenant is forgotten).
  const tenantIds = new Map<string, string>();
  const tenantId = async (identifier: string) => {
    let id = tenantIds.get(identifier);
    if (id === undefined) {
      id = (await runtime.tenants.get(identifier)).id;
      tenantIds.set(identifier, id);
    }
    return id;
  };
  return {
    via: null,
    createTenant: (input) => runtime.tenants.create(input),
    listTenants: () => runtime.tenants.list(),
    async deleteTenant(identifier) {
      tenantIds.clear();
      return runtime.tenants.delete(identifier);
    },
    async createKey(input) {
      return runtime.keys.create({
        name: input.name,
        role: input.role,
        tenantId: input.tenant === null ? null : await tenantId(input.tenant),
      });
    },
    async listKeys(tenant) {
      return runtime.keys.list(tenant === null ? 'all' : { tenantId: await tenantId(tenant) });
    },
    revokeKey: (keyId) => runtime.keys.revoke(keyId),
    async startIndexing() {
      await runtime.startWorker();
    },
    async ingest(tenant, file) {
      const [result] = await runtime.documents.intake(
        await tenantId(tenant),
        [{ fileName: file.fileName, bytes: file.bytes }],
        { sourceKey: file.sourceKey, ...(file.collection ? { collection: file.collection } : {}) },
      );
      return result!;
    },
    async documentProgress(tenant, documentId) {
      const record = await runtime.documents.get(await tenantId(tenant), documentId);
      return { status: record.status, errorMessage: record.errorMessage, chunkCount: record.chunkCount };
    },
    async collectionId(tenant, collection) {
      return (await runtime.collections.get(await tenantId(tenant), collection)).id;
    },
    async search(tenant, request) {
      return runtime.search.search(await tenantId(tenant), parseInput(searchRequestSchema, request, 'body'));
    },
  };
}
