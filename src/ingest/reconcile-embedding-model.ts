import type { Logger } from 'pino';
import type { Database } from '../core/database.js';
import type { Embedder } from '../core/models.js';
import type { JobQueue } from '../core/job-queue.js';

/**
 * When the configured embedding model differs from the one the database records, the new model
 * is recorded, entity vectors are cleared (re-ingestion recomputes them) and every document whose
 * chunks carry another model's vectors is queued for re-ingestion. Until a document is done, its
 * old vectors stay but vector search ignores them (it only compares vectors of the query's model).
 * Returns how many documents were queued.
 */
export async function reconcileEmbeddingModel(
  database: Database,
  embedder: Embedder,
  queue: JobQueue,
  logger: Logger,
): Promise<number> {
  const pending = await database.transaction(async (transaction) => {
    const stored = await transaction.query<{ value: { model: string; dimensions: number } }>(
      "SELECT value FROM rhizome_settings WHERE key = 'embedding' FOR UPDATE",
    );
    const previous = stored.rows[0]?.value;
    if (!previous || previous.model === embedder.model) return [];
    logger.warn(
      { previous: previous.model, current: embedder.model },
      'embedding model changed: re-embedding every document',
    );
    await transaction.query(
      `UPDATE rhizome_settings SET value = jsonb_build_object('model', $1::text, 'dimensions', $2::int),
              updated_at = now()
       WHERE key = 'embedding'`,
      [embedder.model, embedder.dimensions],
    );
    await transaction.query('UPDATE entities SET embedding = NULL WHERE embedding IS NOT NULL');
    const documents = await transaction.query<{ id: string; tenant_id: string }>(
      `UPDATE documents SET status = 'queued', updated_at = now()
       WHERE storage_key IS NOT NULL AND status = 'indexed' AND embedding_model IS DISTINCT FROM $1
       RETURNING id, tenant_id`,
      [embedder.model],
    );
    return documents.rows;
  });
  for (const document of pending) await queue.enqueue({ tenantId: document.tenant_id, documentId: document.id });
  return pending.length;
}
