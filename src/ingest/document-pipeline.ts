import type { Logger } from 'pino';
import type { Database, Queryable } from '../core/database.js';
import type { DocumentEvents, DocumentStatus } from '../core/document-events.js';
import type { ParserLimits } from '../core/document.js';
import { DocumentError, isRhizomeError } from '../core/errors.js';
import type { KnowledgeExtractor } from '../core/knowledge-extractor.js';
import type { ChatModel, Embedder } from '../core/models.js';
import { mergeDescriptions } from './llm-extraction/merge-entity-descriptions.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { graphNameForTenant } from '../db/graph/graph-identifiers.js';
import { useGraphSearchPath } from '../db/graph/tenant-graph.js';
import { withTenant } from '../db/tenant-scope.js';
import { termFrequencies } from './analysis/analyze-text.js';
import { detectLanguage } from './analysis/detect-language.js';
import { chunkDocument, type ChunkOptions } from './chunking/chunk-document.js';
import { removeDocumentIndex } from './document-index-remover.js';
import { lockTenantIndex } from './lock-tenant-index.js';
import { writeDocumentsIndex } from './document-index-writer.js';
import { embedInBatches } from './embed-in-batches.js';
import { mapWithConcurrency } from '../core/map-with-concurrency.js';
import { parseDocument } from './parsers/index.js';
import type { ParserPool } from './parsers/parser-pool.js';
import type { PreparedChunk, PreparedDocument } from './prepared-document.js';
import { chooseDocumentTitle } from './document-title.js';
import { withSpan, withTelemetryTenant } from '../core/telemetry.js';
import { timeIngestionStage } from './time-ingestion-stage.js';

export interface PipelineDependencies {
  readonly database: Database;
  readonly storage: ObjectStorage;
  readonly embedder: Embedder;
  readonly extractor: KnowledgeExtractor;
  /** Summarises entity descriptions that grow too long; without one they are cut at a sentence. */
  readonly chatModel?: ChatModel | null;
  readonly events: DocumentEvents;
  readonly logger: Logger;
  readonly parserLimits: ParserLimits;
  readonly chunkOptions: ChunkOptions;
  /** Where documents are parsed: a `ParserPool` (worker threads) in services; in-thread otherwise. */
  readonly parser?: Pick<ParserPool, 'parse'>;
}

interface DocumentRow {
  id: string;
  file_name: string;
  title: string;
  storage_key: string | null;
  content_hash: string;
  status: DocumentStatus;
}

export type PipelineOutcome = 'indexed' | 'failed' | 'skipped';

export interface BatchJob {
  readonly tenantId: string;
  readonly documentId: string;
  /** True when a thrown error will not be retried. */
  readonly finalAttempt: boolean;
}

interface PreparedForWrite {
  readonly index: number;
  readonly job: BatchJob;
  readonly document: DocumentRow;
  readonly prepared: PreparedDocument;
}

const maxDescriptionLength = 1_200;

// Transaction failures that a plain retry fixes: deadlock, serialisation failure, lock timeout.
const transientStates = new Set(['40P01', '40001', '55P03']);

/**
 * One document's way through ingestion: parsing → chunking → embedding → extracting → indexed.
 * Each stage is recorded (a short transaction) and published as an event; all index data is then
 * written in one transaction that also marks the document indexed, so a crash at any point leaves
 * either the previous index or the new one — never a half-indexed document shown as indexed.
 */
export class DocumentPipeline {
  constructor(private readonly dependencies: PipelineDependencies) {}

  /** One document on its own; see processBatch. */
  async process(
    tenantId: string,
    documentId: string,
    options: { finalAttempt: boolean; signal?: AbortSignal },
  ): Promise<PipelineOutcome> {
    const [outcome] = await this.processBatch([{ tenantId, documentId, finalAttempt: options.finalAttempt }], options.signal);
    if (outcome instanceof Error) throw outcome;
    return outcome!;
  }

  /**
   * Several documents at once (the queue hands a worker a batch): each is prepared on its own —
   * parse, chunk, embed, extract, with its own status events and failures — and then the prepared
   * documents of a tenant are written in one transaction, so per-transaction costs (the tenant's
   * index lock above all) are paid once per batch rather than once per document. Returns one
   * outcome per job, in order; an Error means that job should be retried.
   */
  async processBatch(jobs: readonly BatchJob[], signal?: AbortSignal): Promise<(PipelineOutcome | Error)[]> {
    const outcomes: (PipelineOutcome | Error | undefined)[] = [];
    const ready: PreparedForWrite[] = [];
    for (const [index, job] of jobs.entries()) {
      try {
        const result = await this.prepare(job.tenantId, job.documentId, { finalAttempt: job.finalAttempt, signal });
        if (typeof result === 'string') outcomes[index] = result;
        else ready.push({ ...result, index, job });
      } catch (error) {
        outcomes[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
    const byTenant = new Map<string, PreparedForWrite[]>();
    for (const item of ready) byTenant.set(item.job.tenantId, [...(byTenant.get(item.job.tenantId) ?? []), item]);
    for (const [tenantId, items] of byTenant) {
      for (const [index, outcome] of (await this.writeGroup(tenantId, items)).entries()) {
        outcomes[items[index]!.index] = outcome;
      }
    }
    return outcomes.map((outcome) => outcome ?? new Error('document was not processed'));
  }

  /**
   * Writes a tenant's prepared documents together; should that fail for a reason a retry does not
   * fix, each is written on its own so one bad document cannot fail the others.
   */
  private async writeGroup(tenantId: string, items: readonly PreparedForWrite[]): Promise<(PipelineOutcome | Error)[]> {
    try {
      const written = await withTelemetryTenant(tenantId, () =>
        timeIngestionStage('writing', () => this.writeWithRetry(tenantId, items)),
      );
      return Promise.all(items.map((item, index) => this.afterWrite(tenantId, item, written[index]!)));
    } catch (error) {
      if (items.length > 1) {
        const outcomes: (PipelineOutcome | Error)[] = [];
        for (const item of items) outcomes.push(...(await this.writeGroup(tenantId, [item])));
        return outcomes;
      }
      return [await this.failedWrite(tenantId, items[0]!, error)];
    }
  }

  private async afterWrite(tenantId: string, item: PreparedForWrite, written: boolean): Promise<PipelineOutcome> {
    const log = this.dependencies.logger.child({ tenantId, documentId: item.document.id });
    if (!written) {
      log.info('document changed or was deleted while processing; result discarded');
      return 'skipped';
    }
    await this.publish(tenantId, item.document.id, 'indexed', { chunkCount: item.prepared.chunks.length });
    log.info({ chunks: item.prepared.chunks.length }, 'document indexed');
    return 'indexed';
  }

  private async failedWrite(tenantId: string, item: PreparedForWrite, error: unknown): Promise<PipelineOutcome | Error> {
    try {
      return await this.settleFailure(tenantId, item.document.id, 'extracting', error, item.job.finalAttempt);
    } catch (retry) {
      return retry instanceof Error ? retry : new Error(String(retry));
    }
  }

  /** Everything up to the write: the prepared document, or the outcome when there is nothing to write. */
  private async prepare(
    tenantId: string,
    documentId: string,
    options: { finalAttempt: boolean; signal?: AbortSignal | undefined },
  ): Promise<PipelineOutcome | { document: DocumentRow; prepared: PreparedDocument }> {
    // One span per attempt, and model calls inside it counted against the document's tenant.
    return withTelemetryTenant(tenantId, () =>
      withSpan('ingest.document', { 'rhizome.tenant': tenantId, 'rhizome.document': documentId }, () =>
        this.prepareDocument(tenantId, documentId, options),
      ),
    );
  }

  private async prepareDocument(
    tenantId: string,
    documentId: string,
    options: { finalAttempt: boolean; signal?: AbortSignal | undefined },
  ): Promise<PipelineOutcome | { document: DocumentRow; prepared: PreparedDocument }> {
    const { database, logger } = this.dependencies;
    const log = logger.child({ tenantId, documentId });
    // The attempt is counted and the first stage recorded in one statement.
    const document = await withTenant(database, tenantId, async (transaction) => {
      const result = await transaction.query<DocumentRow>(
        `UPDATE documents SET attempts = attempts + 1, status = 'parsing', updated_at = now(), error_code = NULL,
                error_message = NULL, failed_stage = NULL
         WHERE id = $1
         RETURNING id, file_name, title, storage_key, content_hash, status`,
        [documentId],
      );
      return result.rows[0];
    });
    if (!document) {
      log.info('document no longer exists; nothing to do');
      return 'skipped';
    }
    let stage: DocumentStatus = 'parsing';
    try {
      await this.publish(tenantId, documentId, 'parsing');
      if (!document.storage_key) throw new DocumentError('empty_document', 'The original file is missing');
      const storageKey = document.storage_key;
      const structured = await timeIngestionStage('parsing', async () => {
        const bytes = await this.dependencies.storage.get(storageKey, options.signal);
        return (this.dependencies.parser ?? { parse: parseDocument }).parse(
          { bytes, fileName: document.file_name },
          this.dependencies.parserLimits,
          options.signal,
        );
      });

      stage = 'chunking';
      await this.setStatus(tenantId, documentId, 'chunking');
      const chunks = await timeIngestionStage('chunking', async () =>
        chunkDocument(structured, this.dependencies.chunkOptions),
      );
      if (chunks.length === 0) {
        throw new DocumentError('empty_document', 'The document contains no text to index');
      }

      stage = 'embedding';
      await this.setStatus(tenantId, documentId, 'embedding');
      const embeddings = await timeIngestionStage('embedding', () =>
        embedInBatches(
          this.dependencies.embedder,
          chunks.map((chunk) => chunk.text),
          options.signal,
        ),
      );

      stage = 'extracting';
      await this.setStatus(tenantId, documentId, 'extracting');
      const extractor = this.dependencies.extractor;
      const knowledge = await timeIngestionStage('extracting', () =>
        mapWithConcurrency(chunks, extractor.maxConcurrency, options.signal, (chunk, _index, signal) =>
          extractor.extract(chunk.content, signal, { headings: chunk.sectionPath }),
        ),
      );
      const preparedChunks: PreparedChunk[] = chunks.map((chunk, index) => {
        // The indexed text already starts with the heading path; adding it once more gives
        // headings (titles, sections) twice the weight of body text — BM25F's field weighting in
        // its simplest form: a query naming a document's title should find that document first.
        const frequencies = termFrequencies(`${chunk.sectionPath.join('\n')}\n${chunk.text}`);
        return {
          index: chunk.index,
          text: chunk.text,
          content: chunk.content,
          sectionPath: chunk.sectionPath,
          pages: chunk.pages,
          startOffset: chunk.startOffset,
          endOffset: chunk.endOffset,
          tokenCount: chunk.tokenCount,
          language: detectLanguage(chunk.content),
          embedding: embeddings[index]!,
          terms: frequencies.terms,
          termCount: frequencies.length,
          entities: knowledge[index]!.entities,
          relations: knowledge[index]!.relations,
        };
      });
      const entityEmbeddings = await this.embedNewEntities(tenantId, preparedChunks, options.signal);
      const entityDescriptions = await this.mergeEntityDescriptions(tenantId, preparedChunks, options.signal);
      const prepared: PreparedDocument = {
        title: document.title || chooseDocumentTitle(structured, document.file_name),
        language: detectLanguage(preparedChunks.map((chunk) => chunk.content).join('\n').slice(0, 20_000)),
        pageCount: structured.pageCount ?? null,
        embeddingModel: this.dependencies.embedder.model,
        chunks: preparedChunks,
        entityEmbeddings,
        entityDescriptions,
      };
      return { document, prepared };
    } catch (error) {
      return this.settleFailure(tenantId, documentId, stage, error, options.finalAttempt);
    }
  }

  /** A permanent error, or any on the last attempt, fails the document; anything else is rethrown for a retry. */
  private async settleFailure(
    tenantId: string,
    documentId: string,
    stage: DocumentStatus,
    error: unknown,
    finalAttempt: boolean,
  ): Promise<PipelineOutcome> {
    const log = this.dependencies.logger.child({ tenantId, documentId });
    const permanent = error instanceof DocumentError;
    if (!permanent && !finalAttempt) {
      log.warn({ err: error, stage }, 'ingestion attempt failed; will retry');
      throw error;
    }
    const code = isRhizomeError(error) ? error.code : 'internal_error';
    const message = permanent
      ? (error as DocumentError).message
      : `Ingestion failed after retries: ${error instanceof Error ? error.message : String(error)}`;
    await this.markFailed(tenantId, documentId, stage, code, message);
    log.info({ stage, code }, 'document failed');
    return 'failed';
  }

  private async embedNewEntities(
    tenantId: string,
    chunks: readonly PreparedChunk[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, number[]>> {
    const names = new Map<string, string>();
    for (const chunk of chunks) for (const entity of chunk.entities) names.set(entity.normalizedName, entity.name);
    if (names.size === 0) return new Map();
    const existing = await withTenant(
      this.dependencies.database,
      tenantId,
      (transaction) =>
        transaction.query<{ normalized_name: string }>(
          'SELECT normalized_name FROM entities WHERE normalized_name = ANY($1::text[]) AND embedding IS NOT NULL',
          [[...names.keys()]],
        ),
      { readOnly: true },
    );
    for (const row of existing.rows) names.delete(row.normalized_name);
    const pending = [...names.entries()];
    if (pending.length === 0) return new Map();
    const vectors = await embedInBatches(
      this.dependencies.embedder,
      pending.map(([, name]) => name),
      signal,
    );
    return new Map(pending.map(([normalizedName], index) => [normalizedName, vectors[index]!]));
  }

  /**
   * LightRAG's description merge: an entity described again gets the stored description and the
   * new ones joined, summarised by the chat model once they outgrow the limit. Only extractors
   * that describe entities (the LLM one) produce anything here.
   */
  private async mergeEntityDescriptions(
    tenantId: string,
    chunks: readonly PreparedChunk[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, string>> {
    const incoming = new Map<string, { name: string; descriptions: string[] }>();
    for (const chunk of chunks) {
      for (const entity of chunk.entities) {
        if (!entity.description) continue;
        const entry = incoming.get(entity.normalizedName) ?? { name: entity.name, descriptions: [] };
        entry.descriptions.push(entity.description);
        incoming.set(entity.normalizedName, entry);
      }
    }
    if (incoming.size === 0) return new Map();
    const stored = await withTenant(
      this.dependencies.database,
      tenantId,
      (transaction) =>
        transaction.query<{ normalized_name: string; description: string }>(
          'SELECT normalized_name, description FROM entities WHERE normalized_name = ANY($1::text[])',
          [[...incoming.keys()]],
        ),
      { readOnly: true },
    );
    const existing = new Map(stored.rows.map((row) => [row.normalized_name, row.description]));
    const chatModel = this.dependencies.chatModel ?? undefined;
    const merged = await mapWithConcurrency(
      [...incoming.entries()],
      chatModel?.maxConcurrency ?? 8,
      signal,
      async ([normalizedName, entry], _index, mergeSignal) =>
        [
          normalizedName,
          await mergeDescriptions(existing.get(normalizedName) ?? '', entry.descriptions, {
            maxLength: maxDescriptionLength,
            subject: entry.name,
            signal: mergeSignal,
            ...(chatModel ? { chatModel } : {}),
          }),
        ] as const,
    );
    return new Map(merged);
  }

  /**
   * Writes the documents' indexes in one transaction; per document, false when it was deleted or
   * its content replaced meanwhile (nothing is written for it).
   */
  private async writeWithRetry(tenantId: string, items: readonly PreparedForWrite[]): Promise<boolean[]> {
    const graph = graphNameForTenant(tenantId);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withTenant(this.dependencies.database, tenantId, async (transaction) => {
          await lockTenantIndex(transaction, tenantId);
          const current = await transaction.query<{ id: string; content_hash: string; indexed_before: boolean }>(
            `SELECT d.id, d.content_hash, EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id) AS indexed_before
             FROM documents d WHERE d.id = ANY($1::uuid[]) ORDER BY d.id FOR UPDATE OF d`,
            [items.map((item) => item.document.id)],
          );
          const rows = new Map(current.rows.map((row) => [row.id, row]));
          const unchanged = items.map((item) => rows.get(item.document.id)?.content_hash === item.document.content_hash);
          const toWrite = items.filter((_, index) => unchanged[index]);
          if (toWrite.length === 0) return unchanged;
          await useGraphSearchPath(transaction);
          for (const item of toWrite) {
            if (rows.get(item.document.id)!.indexed_before) {
              await removeDocumentIndex(transaction, tenantId, item.document.id, graph);
            }
          }
          await writeDocumentsIndex(
            transaction,
            tenantId,
            graph,
            toWrite.map((item) => ({ documentId: item.document.id, prepared: item.prepared })),
          );
          await markIndexed(transaction, toWrite);
          return unchanged;
        });
      } catch (error) {
        const state = (error as { code?: string }).code;
        if (attempt < 4 && state !== undefined && transientStates.has(state)) {
          this.dependencies.logger.debug({ state, attempt }, 'index write conflicted; retrying');
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 50));
          continue;
        }
        throw error;
      }
    }
  }

  private async setStatus(tenantId: string, documentId: string, status: DocumentStatus): Promise<void> {
    await withTenant(this.dependencies.database, tenantId, (transaction) =>
      transaction.query(
        `UPDATE documents SET status = $2, updated_at = now(), error_code = NULL, error_message = NULL,
                failed_stage = NULL
         WHERE id = $1`,
        [documentId, status],
      ),
    );
    await this.publish(tenantId, documentId, status);
  }

  private async markFailed(
    tenantId: string,
    documentId: string,
    stage: DocumentStatus,
    code: string,
    message: string,
  ): Promise<void> {
    await withTenant(this.dependencies.database, tenantId, (transaction) =>
      transaction.query(
        `UPDATE documents SET status = 'failed', failed_stage = $2, error_code = $3, error_message = $4,
                updated_at = now()
         WHERE id = $1`,
        [documentId, stage, code, message],
      ),
    );
    await this.publish(tenantId, documentId, 'failed', { errorCode: code, errorMessage: message });
  }

  private async publish(
    tenantId: string,
    documentId: string,
    status: DocumentStatus,
    extra: { errorCode?: string; errorMessage?: string; chunkCount?: number } = {},
  ): Promise<void> {
    try {
      await this.dependencies.events.publish({ tenantId, documentId, status, at: new Date().toISOString(), ...extra });
    } catch (error) {
      // Events are a convenience for watchers; the database row stays the truth.
      this.dependencies.logger.warn({ err: error }, 'could not publish a document event');
    }
  }
}

async function markIndexed(transaction: Queryable, items: readonly PreparedForWrite[]): Promise<void> {
  await transaction.query(
    `UPDATE documents d SET status = 'indexed', title = u.title, language = u.language, page_count = u.page_count,
            chunk_count = u.chunk_count, embedding_model = u.embedding_model, indexed_at = now(), updated_at = now(),
            error_code = NULL, error_message = NULL, failed_stage = NULL
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[])
          AS u(id, title, language, page_count, chunk_count, embedding_model)
     WHERE d.id = u.id`,
    [
      items.map((item) => item.document.id),
      items.map((item) => item.prepared.title),
      items.map((item) => item.prepared.language),
      items.map((item) => item.prepared.pageCount),
      items.map((item) => item.prepared.chunks.length),
      items.map((item) => item.prepared.embeddingModel),
    ],
  );
}

