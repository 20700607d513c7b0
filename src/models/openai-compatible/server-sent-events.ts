/**
 * A server-sent events parser (the WHATWG "text/event-stream" format) over a byte stream. No
 * maintained parser is among the dependencies, and the format is small: lines end in CRLF, LF or
 * CR; `field: value` lines build an event; a blank line dispatches it; lines starting with ":" are
 * comments. Network chunks split lines, CRLF pairs and multi-byte UTF-8 characters anywhere, so
 * bytes are decoded in streaming mode and only complete lines are interpreted.
 *
 * One deliberate leniency: an event still pending when the stream ends is dispatched rather than
 * dropped, because some OpenAI-compatible servers omit the blank line after their last event.
 */
export interface ServerSentEvent {
  /** `message` unless the server named the event. */
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

const lineEnd = /\r\n|\n|\r/;

export async function* parseServerSentEvents(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let eventName = '';
  let dataLines: string[] = [];
  let lastId: string | undefined;

  /** Interprets one complete line; returns the event it completes, if any. */
  const takeLine = (line: string): ServerSentEvent | undefined => {
    if (line === '') {
      const event =
        dataLines.length === 0
          ? undefined
          : { event: eventName || 'message', data: dataLines.join('\n'), id: lastId };
      eventName = '';
      dataLines = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventName = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    // `retry` and unknown fields do not concern a single request's stream.
    return undefined;
  };

  function* drain(final: boolean): Generator<ServerSentEvent, void, undefined> {
    for (;;) {
      const match = lineEnd.exec(buffer);
      if (match === null) break;
      // A CR at the very end may be the first half of a CRLF still on its way.
      if (match[0] === '\r' && match.index === buffer.length - 1 && !final) break;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      const event = takeLine(line);
      if (event !== undefined) yield event;
    }
  }

  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    yield* drain(false);
  }
  buffer += decoder.decode();
  yield* drain(true);
  if (buffer !== '') {
    const event = takeLine(buffer);
    if (event !== undefined) yield event;
    buffer = '';
  }
  const pending = takeLine('');
  if (pending !== undefined) yield pending;
}
