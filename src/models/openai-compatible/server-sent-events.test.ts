import { describe, expect, it } from 'vitest';

import { parseServerSentEvents, type ServerSentEvent } from './server-sent-events.js';

async function* chunksOf(parts: readonly (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const part of parts) yield typeof part === 'string' ? encoder.encode(part) : part;
}

async function parse(parts: readonly (string | Uint8Array)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of parseServerSentEvents(chunksOf(parts))) events.push(event);
  return events;
}

describe('parseServerSentEvents', () => {
  it('parses data events and ignores comments', async () => {
    const events = await parse([': keep-alive\n\ndata: {"a":1}\n\ndata: [DONE]\n\n']);
    expect(events.map((event) => event.data)).toEqual(['{"a":1}', '[DONE]']);
    expect(events[0]?.event).toBe('message');
  });

  it('reassembles lines split across chunks at every possible position', async () => {
    const stream = 'data: {"text":"héllo 世界"}\r\n\r\ndata: line one\r\ndata: line two\r\n\r\n';
    const bytes = new TextEncoder().encode(stream);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const events = await parse([bytes.slice(0, cut), bytes.slice(cut)]);
      expect(events.map((event) => event.data)).toEqual(['{"text":"héllo 世界"}', 'line one\nline two']);
    }
  });

  it('handles one byte per chunk, CR line ends, event names, ids and multi-line data', async () => {
    const stream = 'event: update\rid: 7\rdata: line one\rdata:line two\r\rdata: x\r\r';
    const events = await parse(Array.from(new TextEncoder().encode(stream), (byte) => Uint8Array.of(byte)));
    expect(events).toEqual([
      { event: 'update', data: 'line one\nline two', id: '7' },
      { event: 'message', data: 'x', id: '7' },
    ]);
  });

  it('skips blocks without data and dispatches a final event missing its blank line', async () => {
    const events = await parse(['event: ping\n\n', 'data: last']);
    expect(events).toEqual([{ event: 'message', data: 'last', id: undefined }]);
  });
});
