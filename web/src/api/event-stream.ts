import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { apiErrorFrom } from './api-error.js';

/**
 * Reads a server-sent event stream from a fetch response. EventSource cannot send an
 * Authorization header, so the UI reads SSE over fetch and parses it with eventsource-parser.
 * Resolves when the stream ends; rejects with ApiError when the response is not a stream.
 */
export async function readEventStream(
  response: Response,
  onMessage: (message: EventSourceMessage) => void,
): Promise<void> {
  if (!response.ok) throw await apiErrorFrom(response);
  if (!response.body) return;
  const parser = createParser({ onEvent: onMessage });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } finally {
    reader.releaseLock();
  }
}
