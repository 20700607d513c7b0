/**
 * Progress of documents through ingestion, for the UI and for clients waiting on a document.
 * In one process the events travel in memory; across processes through PostgreSQL NOTIFY.
 */
export type DocumentStatus = 'queued' | 'parsing' | 'chunking' | 'embedding' | 'extracting' | 'indexed' | 'failed';

export interface DocumentEvent {
  readonly tenantId: string;
  readonly documentId: string;
  readonly status: DocumentStatus | 'deleted';
  readonly at: string;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
  readonly chunkCount?: number;
}

export interface DocumentEvents {
  publish(event: DocumentEvent): Promise<void>;
  /** Calls `listener` for every event of the tenant; returns the function that unsubscribes. */
  subscribe(tenantId: string, listener: (event: DocumentEvent) => void): () => void;
  /** Resolves once subscribers receive events published from now on (absent: at once). */
  listening?(): Promise<void>;
  close(): Promise<void>;
}
