import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError } from '../api/api-error.js';
import { apiUrl, authorizationHeaders } from '../api/client.js';
import { readEventStream } from '../api/event-stream.js';
import type { DocumentEvent, DocumentRecord } from '../api/types.js';
import { useSession } from '../components/session-context.js';
import { applyDocumentEvent } from './apply-document-event.js';

/**
 * Keeps every cached document list and document current from `GET /v1/documents/events` while a
 * signed-in page is open, reconnecting with backoff when the stream drops.
 */
export function useDocumentEvents(): void {
  const { session } = useSession();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!session || (session.role === 'admin' && !session.tenant)) return;
    const controller = new AbortController();
    let attempt = 0;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = () => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => {
        void queryClient.invalidateQueries({ queryKey: ['documents'] });
        void queryClient.invalidateQueries({ queryKey: ['usage'] });
      }, 500);
    };
    const onEvent = (event: DocumentEvent) => {
      let known = false;
      queryClient.setQueriesData<{ documents: DocumentRecord[] }>({ queryKey: ['documents'] }, (data) => {
        if (!data) return data;
        const next = applyDocumentEvent(data.documents, event);
        if (next.known) known = true;
        return { ...data, documents: next.documents };
      });
      queryClient.setQueriesData<DocumentRecord>({ queryKey: ['document', event.documentId] }, (data) =>
        data ? (applyDocumentEvent([data], event).documents[0] ?? data) : data,
      );
      // A document this page has not seen, or one that finished: fetch the full records.
      if (!known || event.status === 'indexed' || event.status === 'failed') refreshSoon();
      if (event.status === 'indexed')
        void queryClient.invalidateQueries({ queryKey: ['chunks', event.documentId] });
    };
    const connect = async () => {
      while (!controller.signal.aborted) {
        try {
          const response = await fetch(apiUrl(session, '/v1/documents/events'), {
            headers: { ...authorizationHeaders(session), accept: 'text/event-stream' },
            signal: controller.signal,
          });
          attempt = 0;
          await readEventStream(response, (message) => {
            if (message.event !== 'document') return;
            try {
              onEvent(JSON.parse(message.data) as DocumentEvent);
            } catch {
              // A malformed event is skipped; the next refresh brings the truth.
            }
          });
        } catch (error) {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return;
        }
        // Events may have been missed while disconnected.
        refreshSoon();
        attempt += 1;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5))),
        );
      }
    };
    void connect();
    return () => {
      controller.abort();
      clearTimeout(refreshTimer);
    };
  }, [session, queryClient]);
}
