/**
 * The API's shapes. Types shared with the service come from its own core (type-only imports, erased
 * from the bundle), so the UI and the service cannot drift apart silently.
 */
export type { AgentAnswer, AgentEvent, AgentMode, Citation } from '../../../src/core/agent.js';
export type { DocumentEvent, DocumentStatus } from '../../../src/core/document-events.js';
export type {
  CommunitySummary,
  HitExplanation,
  SearchHit,
  SearchMode,
  SearchResponse,
} from '../../../src/core/search.js';

export const searchModeList = ['naive', 'bm25', 'local', 'global', 'hybrid', 'mix'] as const;
export const agentModeList = ['auto', ...searchModeList] as const;
export const documentStatusList = [
  'queued',
  'parsing',
  'chunking',
  'embedding',
  'extracting',
  'indexed',
  'failed',
] as const;

export type Role = 'admin' | 'owner' | 'editor' | 'reader';

export interface Me {
  readonly keyId: string;
  readonly role: Role;
  readonly tenantId: string | null;
}

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly createdAt?: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tenantId: string | null;
  readonly createdAt?: string;
  readonly lastUsedAt?: string | null;
  readonly revokedAt?: string | null;
}

export interface Collection {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export interface DocumentRecord {
  readonly id: string;
  readonly collectionId: string | null;
  readonly title: string;
  readonly fileName: string;
  readonly format: string | null;
  readonly byteSize: number;
  readonly status: (typeof documentStatusList)[number];
  readonly failedStage: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly language: string | null;
  readonly pageCount: number | null;
  readonly chunkCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly indexedAt: string | null;
}

export interface EntitySummary {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly mentionCount: number;
  readonly communityId: number | null;
}

export interface RelationView {
  readonly id: number;
  readonly source: number;
  readonly target: number;
  readonly weight: number;
  readonly chunkCount: number;
  readonly description: string;
}

export interface PassageView {
  readonly chunkId: number;
  readonly documentId: string;
  readonly documentTitle: string;
  readonly fileName: string;
  readonly chunkIndex: number;
  readonly pages: number[];
  readonly sectionPath: string[];
  readonly text: string;
}

export interface EntityDetail {
  readonly entity: EntitySummary;
  readonly relations: (RelationView & { other: EntitySummary })[];
  readonly passages: PassageView[];
}

export interface ChunkView {
  readonly id: number;
  readonly chunkIndex: number;
  readonly text: string;
  readonly pages: number[];
  readonly sectionPath: string[];
  readonly tokenCount: number;
}

export interface Usage {
  readonly documents: { total: number; byStatus: Record<string, number>; bytes: number };
  readonly chunks: number;
  readonly entities: number;
  readonly relations: number;
  readonly communities: number;
  readonly questions: { total: number; failed: number; last30Days: number };
  readonly tokens: { prompt: number; completion: number };
}

/** A conversation thread (`/v1/threads`). */
export interface Thread {
  readonly id: string;
  readonly title: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}
