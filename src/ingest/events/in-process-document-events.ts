import { EventEmitter } from 'node:events';
import type { DocumentEvent, DocumentEvents } from '../../core/document-events.js';

/** Document events within one process (`serve --role all`, the CLI, the embedded database). */
export class InProcessDocumentEvents implements DocumentEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open UI tab is a listener; the default limit of 10 would only produce warnings.
    this.emitter.setMaxListeners(0);
  }

  async publish(event: DocumentEvent): Promise<void> {
    this.emitter.emit(event.tenantId, event);
  }

  subscribe(tenantId: string, listener: (event: DocumentEvent) => void): () => void {
    this.emitter.on(tenantId, listener);
    return () => this.emitter.off(tenantId, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
