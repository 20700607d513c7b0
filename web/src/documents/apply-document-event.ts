import type { DocumentEvent, DocumentRecord } from '../api/types.js';

/** Applies one server event to a list of documents; `known` says whether the document was in it. */
export function applyDocumentEvent(
  documents: readonly DocumentRecord[],
  event: DocumentEvent,
): { documents: DocumentRecord[]; known: boolean } {
  const index = documents.findIndex((document) => document.id === event.documentId);
  if (index < 0) return { documents: [...documents], known: false };
  if (event.status === 'deleted')
    return { documents: documents.filter((_, at) => at !== index), known: true };
  const current = documents[index]!;
  const updated: DocumentRecord = {
    ...current,
    status: event.status,
    updatedAt: event.at,
    errorCode: event.status === 'failed' ? (event.errorCode ?? current.errorCode) : null,
    errorMessage: event.status === 'failed' ? (event.errorMessage ?? current.errorMessage) : null,
    ...(event.chunkCount !== undefined ? { chunkCount: event.chunkCount } : {}),
  };
  return { documents: documents.map((document, at) => (at === index ? updated : document)), known: true };
}
