import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../../core/database.js';
import type { DocumentEvent, DocumentEvents } from '../../core/document-events.js';
import { InProcessDocumentEvents } from './in-process-document-events.js';

const channel = 'rhizome_document_events';

const eventSchema = z.object({
  tenantId: z.string(),
  documentId: z.string(),
  status: z.enum(['queued', 'parsing', 'chunking', 'embedding', 'extracting', 'indexed', 'failed', 'deleted']),
  at: z.string(),
  errorCode: z.string().nullish(),
  errorMessage: z.string().nullish(),
  chunkCount: z.number().optional(),
});

/**
 * Document events across processes: a worker publishes with NOTIFY, every API process LISTENs on
 * one dedicated connection (opened on the first subscription, reopened if it drops) and fans the
 * events out in memory to its subscribers.
 */
export class PostgresDocumentEvents implements DocumentEvents {
  private readonly local = new InProcessDocumentEvents();
  private listener: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  async publish(event: DocumentEvent): Promise<void> {
    // NOTIFY payloads are capped at 8000 bytes; long error messages are cut to fit.
    const compact = { ...event, errorMessage: event.errorMessage?.slice(0, 2_000) ?? null };
    await this.database.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(compact)]);
  }

  subscribe(tenantId: string, listener: (event: DocumentEvent) => void): () => void {
    void this.ensureListening();
    return this.local.subscribe(tenantId, listener);
  }

  /** Resolves when the LISTEN connection is up (or its first attempt failed; it then retries). */
  listening(): Promise<void> {
    return this.ensureListening();
  }

  private ensureListening(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    this.connecting ??= this.listen().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'rhizome-events' });
    client.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      const parsed = eventSchema.safeParse(JSON.parse(message.payload));
      if (parsed.success) void this.local.publish(parsed.data as DocumentEvent);
      else this.logger.warn({ issues: parsed.error.issues }, 'ignored a malformed document event');
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'document event listener lost its connection; reconnecting');
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.ensureListening(), 1_000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot listen for document events; retrying');
      await client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.ensureListening(), 1_000).unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    await this.listener?.end();
    this.listener = undefined;
    await this.local.close();
  }
}
