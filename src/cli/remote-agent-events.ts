import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { AgentEvent } from '../core/agent.js';
import { RhizomeError } from '../core/errors.js';
import type { AgentEvents } from './ask-command.js';
import type { LocalServerAnnouncement } from './local-server.js';
import { kindByStatus, type ErrorBody } from './remote-backend.js';

/**
 * The agent of the server that holds the embedded database: `POST /v1/chat` with its local admin
 * key naming the tenant, its Server-Sent Events read back as the same `AgentEvent`s an in-process
 * run yields (the wire format sends each event as `event: <type>` and `data: <event JSON>`).
 * Aborting the signal closes the connection, which cancels the run on the server.
 */
export function remoteAgentEvents(server: LocalServerAnnouncement, tenant: string): AgentEvents {
  return async function* (request, signal) {
    let response: Response;
    try {
      response = await fetch(new URL('/v1/chat', server.url), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.key}`,
          'x-rhizome-tenant': tenant,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(request),
        signal,
      });
    } catch (error) {
      throw new RhizomeError(
        'server_unreachable',
        'unavailable',
        'system',
        `The server that holds the data folder (pid ${server.pid}) does not answer at ${server.url}`,
        { cause: error },
      );
    }
    if (!response.ok || response.body === null) {
      const body = (await response.json().catch(() => ({}))) as ErrorBody;
      throw new RhizomeError(
        body.error?.code ?? 'request_failed',
        kindByStatus[response.status] ?? 'internal',
        body.error?.category ?? 'system',
        body.error?.message ?? `HTTP ${response.status}`,
      );
    }
    const messages = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const message of messages) {
      const event = JSON.parse(message.data) as AgentEvent;
      yield event;
      if (event.type === 'answer' || event.type === 'error') return;
    }
  };
}
