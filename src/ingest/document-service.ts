import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../core/database.js';
import type { DocumentEvents, DocumentStatus } from '../core/document-events.js';
import { DocumentError, NotFoundError, ValidationError } from '../core/errors.js';
import { cleanText } from '../core/text-safety.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { graphNameForTenant } from '../db/graph/graph-identifiers.js';
import { useGraphSearchPath } from '../db/graph/tenant-graph.js';
import { withTenant } from '../db/tenant-scope.js';
import type { CollectionService } from '../collections/collection-service.js';
import { removeDocumentIndex } from './document-index-remover.js';
import { lockTenantIndex } from './lock-tenant-index.js';
import type { JobQueue } from '../core/job-queue.js';
import { detectFormat } from './parsers/index.js';
import { mediaTypeOf } from './parsers/detect-format.js';
import type { DocumentFormat } from '../core/document.js';

export interface IncomingFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly declaredMediaType?: string;
}

export const intakeOptionsSchema = z.object({
  collection: z.string().trim().min(1).max(200).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  /** Stable key chosen by the client (a path, a URL): new bytes under the same key replace the document. */
  sourceKey: z.string().trim().min(1).max(2_000).optional(),
});
export type IntakeOptions = z.input<typeof intakeOptionsSchema>;

export interface IntakeResult {
  readonly id: string;
  readonly fileName: string;
  readonly status: DocumentStatus;
  /** The same bytes were already in this tenant: nothing new was created. */
  readonly duplicate: boolean;
  /** New bytes replaced the document stored under the same source key. */
  readonly replaced: boolean;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export interface DocumentRecord {
  readonly id: string;
  readonly collectionId: string | null;
  readonly title: string;
  readonly fileName: string;
  readonly format: string | null;
  readonly mediaType: string | null;
  readonly byteSize: number;
  readonly contentHash: string;
  readonly sourceKey: string | null;
  readonly status: DocumentStatus;
  readonly failedStage: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly language: string | null;
  readonly pageCount: number | null;
  readonly chunkCount: number;
  readonly attempts: number;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly indexedAt: string | null;
}

interface DocumentRow {
  id: string;
  collection_id: string | null;
  title: string;
  file_name: string;
  format: string | null;
  media_type: string | null;
  byte_size: number;
  content_hash: string;
  source_key: string | null;
  status: DocumentStatus;
  failed_stage: string | null;
  error_code: string | null;
  error_message: string | null;
  language: string | null;
  page_count: number | null;
  chunk_count: number;
  attempts: number;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  indexed_at: Date | null;
}

const documentColumns = `id, collection_id, title, file_name, format, media_type, byte_size, content_hash, source_key,
  status, failed_stage, error_code, error_message, language, page_count, chunk_count, attempts, metadata,
  created_at, updated_at, indexed_at`;

function toRecord(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    collectionId: row.collection_id,
    title: row.title,
    fileName: row.file_name,
    format: row.format,
    mediaType: row.media_type,
    byteSize: row.byte_size,
    contentHash: row.content_hash,
    sourceKey: row.source_key,
    status: row.status,
    failedStage: row.failed_stage,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    language: row.language,
    pageCount: row.page_count,
    chunkCount: row.chunk_count,
    attempts: row.attempts,
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    indexedAt: row.indexed_at ? row.indexed_at.toISOString() : null,
  };
}

export const listDocumentsSchema = z.object({
  status: z.enum(['queued', 'parsing', 'chunking', 'embedding', 'extracting', 'indexed', 'failed']).optional(),
  collection: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
});
export type ListDocumentsOptions = z.input<typeof listDocumentsSchema>;

// The cursor keeps created_at to the microsecond: a Date (milliseconds) would skip rows created
// within the same millisecond as the last row of a page.
function encodeCursor(row: DocumentRow & { cursor_at: string }): string {
  return Buffer.from(JSON.stringify([row.cursor_at, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const parsed = z.tuple([z.iso.datetime(), z.uuid()]).safeParse(value);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function storageKey(tenantId: string, documentId: string, contentHash: string): string {
  return `tenants/${tenantId}/documents/${documentId}/${contentHash}`;
}

export interface DocumentServiceDependencies {
  readonly database: Database;
  readonly storage: ObjectStorage;
  readonly queue: JobQueue;
  readonly events: DocumentEvents;
  readonly collections: CollectionService;
  readonly logger: Logger;
}

/**
 * Documents of a tenant: intake (store the original, create the row, enqueue the job), listing,
 * deletion with everything derived from it, and re-ingestion. The upload answers at once; parsing
 * and indexing continue in jobs.
 */
export class DocumentService {
  constructor(private readonly dependencies: DocumentServiceDependencies) {}

  async intake(tenantId: string, files: readonly IncomingFile[], options: IntakeOptions = {}): Promise<IntakeResult[]> {
    const result = intakeOptionsSchema.safeParse(options);
    if (!result.success) {
      // Options come from clients (upload fields, CLI flags): name each offending one.
      throw new ValidationError(
        'Invalid upload options',
        result.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    }
    const parsed = result.data;
    // A collection named for the first time is created, so `-F collection=research` just works.
    const collectionId = parsed.collection
      ? (await this.dependencies.collections.findOrCreate(tenantId, parsed.collection)).id
      : null;
    const results: IntakeResult[] = [];
    for (const file of files) {
      results.push(
        await this.intakeOne(tenantId, file, {
          collectionId,
          metadata: parsed.metadata,
          sourceKey: files.length === 1 ? (parsed.sourceKey ?? null) : null,
        }),
      );
    }
    return results;
  }

  private async intakeOne(
    tenantId: string,
    file: IncomingFile,
    options: { collectionId: string | null; metadata: Record<string, unknown>; sourceKey: string | null },
  ): Promise<IntakeResult> {
    const { database, storage, logger } = this.dependencies;
    const contentHash = createHash('sha256').update(file.bytes).digest('hex');
    const fileName = sanitizeFileName(file.fileName);

    const duplicate = await this.findByHash(tenantId, contentHash);
    if (duplicate) return { ...resultOf(duplicate), duplicate: true, replaced: false };

    // Content, not the name, decides the format; a file we can never parse fails right here.
    let format: DocumentFormat | null = null;
    let rejection: DocumentError | null = null;
    try {
      format = await detectFormat({ bytes: file.bytes, fileName, ...(file.declaredMediaType ? { declaredMediaType: file.declaredMediaType } : {}) });
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      rejection = error;
    }

    const existing = options.sourceKey ? await this.findBySourceKey(tenantId, options.sourceKey) : undefined;
    const documentId = existing?.id ?? randomUUID();
    const key = rejection ? null : storageKey(tenantId, documentId, contentHash);
    // The stored original carries the type of what it is, not what the uploader's client declared
    // (curl and browsers send application/octet-stream for Office and EPUB files).
    const mediaType = format ? mediaTypeOf(format) : (file.declaredMediaType ?? null);
    if (key) await storage.put(key, file.bytes, mediaType ?? undefined);

    const status: DocumentStatus = rejection ? 'failed' : 'queued';
    // The same eleven values describe the new content, whether it creates or replaces a row.
    const contentValues = [
      fileName,
      file.bytes.byteLength,
      contentHash,
      key,
      format,
      mediaType,
      status,
      rejection ? 'parsing' : null,
      rejection?.code ?? null,
      rejection?.message ?? null,
      JSON.stringify(options.metadata),
    ];
    const row = await withTenant(database, tenantId, async (transaction) => {
      if (existing) {
        const updated = await transaction.query<DocumentRow>(
          `UPDATE documents SET file_name = $2, byte_size = $3, content_hash = $4, storage_key = $5, format = $6,
                  media_type = $7, status = $8, failed_stage = $9, error_code = $10, error_message = $11,
                  metadata = metadata || $12::jsonb, collection_id = coalesce($13, collection_id),
                  attempts = 0, updated_at = now()
           WHERE id = $1 RETURNING ${documentColumns}`,
          [documentId, ...contentValues, options.collectionId],
        );
        return updated.rows[0];
      }
      const inserted = await transaction.query<DocumentRow>(
        `INSERT INTO documents (id, file_name, byte_size, content_hash, storage_key, format, media_type, status,
                                failed_stage, error_code, error_message, metadata, collection_id, tenant_id,
                                source_key, title)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '')
         ON CONFLICT (tenant_id, content_hash) DO NOTHING
         RETURNING ${documentColumns}`,
        [documentId, ...contentValues, options.collectionId, tenantId, options.sourceKey],
      );
      return inserted.rows[0];
    });

    if (!row) {
      // Someone stored the same bytes between our check and our insert: theirs is the document.
      if (key) await storage.delete(key);
      const winner = await this.findByHash(tenantId, contentHash);
      if (!winner) throw new Error('a concurrent duplicate vanished');
      return { ...resultOf(winner), duplicate: true, replaced: false };
    }
    if (existing?.storage_key && existing.storage_key !== key) {
      await storage.delete(existing.storage_key);
    }
    await this.dependencies.events.publish({
      tenantId,
      documentId,
      status,
      at: new Date().toISOString(),
      errorCode: rejection?.code ?? null,
      errorMessage: rejection?.message ?? null,
    });
    if (!rejection) await this.dependencies.queue.enqueue({ tenantId, documentId });
    logger.info({ tenantId, documentId, format, status, replaced: existing !== undefined }, 'document received');
    return { ...resultOf(row), duplicate: false, replaced: existing !== undefined };
  }

  private async findByHash(tenantId: string, contentHash: string): Promise<DocumentRow | undefined> {
    return withTenant(
      this.dependencies.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<DocumentRow>(`SELECT ${documentColumns} FROM documents WHERE content_hash = $1`, [
            contentHash,
          ])
        ).rows[0],
      { readOnly: true },
    );
  }

  private async findBySourceKey(
    tenantId: string,
    sourceKey: string,
  ): Promise<{ id: string; storage_key: string | null } | undefined> {
    return withTenant(
      this.dependencies.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<{ id: string; storage_key: string | null }>(
            'SELECT id, storage_key FROM documents WHERE source_key = $1',
            [sourceKey],
          )
        ).rows[0],
      { readOnly: true },
    );
  }

  async list(
    tenantId: string,
    options: ListDocumentsOptions = {},
  ): Promise<{ documents: DocumentRecord[]; nextCursor: string | null }> {
    const parsed = listDocumentsSchema.parse(options);
    const collectionId = parsed.collection
      ? (await this.dependencies.collections.get(tenantId, parsed.collection)).id
      : null;
    const cursor = parsed.cursor ? decodeCursor(parsed.cursor) : null;
    if (parsed.cursor && !cursor) {
      throw new ValidationError('Invalid cursor', [{ path: 'query.cursor', message: 'not a cursor from this API' }]);
    }
    const rows = await withTenant(
      this.dependencies.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<DocumentRow & { cursor_at: string }>(
            `SELECT ${documentColumns},
                    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
             FROM documents
             WHERE ($1::text IS NULL OR status = $1)
               AND ($2::uuid IS NULL OR collection_id = $2)
               AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
             ORDER BY created_at DESC, id DESC LIMIT $5`,
            [parsed.status ?? null, collectionId, cursor?.[0] ?? null, cursor?.[1] ?? null, parsed.limit + 1],
          )
        ).rows,
      { readOnly: true },
    );
    const page = rows.slice(0, parsed.limit);
    return {
      documents: page.map(toRecord),
      nextCursor: rows.length > parsed.limit ? encodeCursor(page[page.length - 1]!) : null,
    };
  }

  async get(tenantId: string, documentId: string): Promise<DocumentRecord> {
    const row = await withTenant(
      this.dependencies.database,
      tenantId,
      async (transaction) =>
        (await transaction.query<DocumentRow>(`SELECT ${documentColumns} FROM documents WHERE id = $1`, [documentId]))
          .rows[0],
      { readOnly: true },
    );
    if (!row) throw new NotFoundError('document', documentId);
    return toRecord(row);
  }

  /** Several documents in one query; ids that do not exist (or are another tenant's) are left out. */
  async getMany(tenantId: string, documentIds: readonly string[]): Promise<DocumentRecord[]> {
    if (documentIds.length === 0) return [];
    const rows = await withTenant(
      this.dependencies.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<DocumentRow>(`SELECT ${documentColumns} FROM documents WHERE id = ANY($1::uuid[])`, [
            [...new Set(documentIds)],
          ])
        ).rows,
      { readOnly: true },
    );
    return rows.map(toRecord);
  }

  /** The original bytes as uploaded. */
  async original(tenantId: string, documentId: string): Promise<{ record: DocumentRecord; bytes: Uint8Array }> {
    const record = await this.get(tenantId, documentId);
    const key = await withTenant(
      this.dependencies.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<{ storage_key: string | null }>('SELECT storage_key FROM documents WHERE id = $1', [
            documentId,
          ])
        ).rows[0]?.storage_key ?? null,
      { readOnly: true },
    );
    if (!key) throw new NotFoundError('original', documentId);
    return { record, bytes: await this.dependencies.storage.get(key) };
  }

  /**
   * Deletes the document with its chunks, vectors, postings, mentions, and the entities and edges
   * nothing else mentions; then its stored original.
   */
  async delete(tenantId: string, documentId: string): Promise<void> {
    const storageKeyToDelete = await withTenant(this.dependencies.database, tenantId, async (transaction) => {
      await lockTenantIndex(transaction, tenantId);
      const locked = await transaction.query<{ storage_key: string | null }>(
        'SELECT storage_key FROM documents WHERE id = $1 FOR UPDATE',
        [documentId],
      );
      if (locked.rowCount === 0) throw new NotFoundError('document', documentId);
      await useGraphSearchPath(transaction);
      await removeDocumentIndex(transaction, tenantId, documentId, graphNameForTenant(tenantId));
      await transaction.query('DELETE FROM documents WHERE id = $1', [documentId]);
      return locked.rows[0]!.storage_key;
    });
    if (storageKeyToDelete) await this.dependencies.storage.delete(storageKeyToDelete);
    await this.dependencies.queue.scheduleCommunityRebuild(tenantId);
    await this.dependencies.events.publish({ tenantId, documentId, status: 'deleted', at: new Date().toISOString() });
  }

  /** Runs the pipeline again on the stored original (e.g. after a parser or model upgrade). */
  async reingest(tenantId: string, documentId: string): Promise<DocumentRecord> {
    const row = await withTenant(this.dependencies.database, tenantId, async (transaction) => {
      const result = await transaction.query<DocumentRow>(
        `UPDATE documents SET status = 'queued', attempts = 0, failed_stage = NULL, error_code = NULL,
                error_message = NULL, updated_at = now()
         WHERE id = $1 AND storage_key IS NOT NULL RETURNING ${documentColumns}`,
        [documentId],
      );
      return result.rows[0];
    });
    if (!row) throw new NotFoundError('document', documentId);
    await this.dependencies.queue.enqueue({ tenantId, documentId });
    return toRecord(row);
  }
}

function resultOf(row: DocumentRow): Omit<IntakeResult, 'duplicate' | 'replaced'> {
  return {
    id: row.id,
    fileName: row.file_name,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  };
}

/** Keeps the base name only, without control characters, so it is safe to show and to log. */
function sanitizeFileName(fileName: string): string {
  const base = cleanText(fileName ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return cleaned || 'unnamed';
}
