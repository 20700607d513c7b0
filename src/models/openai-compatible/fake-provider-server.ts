/**
 * Test support: a real HTTP server on 127.0.0.1 that stands in for an OpenAI-compatible provider.
 * Each test installs a handler that answers in the provider's wire format; the server records
 * every request and how many were in flight at once, so tests can check batching, retries and
 * concurrency from the provider's side of the wire.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, resolved against the server's origin. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, parsed; the raw text when it is not JSON. */
  readonly body: unknown;
}

/** Answers one request; `number` counts requests since the last reset, from 0. */
export type ProviderHandler = (request: ReceivedRequest, response: ServerResponse, number: number) => unknown;

export interface FakeProvider {
  /** Base URL with a `/v1` path, as configured for a real provider. */
  readonly baseUrl: string;
  readonly requests: readonly ReceivedRequest[];
  /** The most requests that were open at the same time since the last reset. */
  readonly maxInFlight: number;
  handle(handler: ProviderHandler): void;
  close(): Promise<void>;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export async function startFakeProvider(): Promise<FakeProvider> {
  let handler: ProviderHandler = (_request, response) =>
    sendJson(response, 500, { error: { message: 'no handler' } });
  let requests: ReceivedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((incoming, response) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.once('close', () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Keep the raw text: a test may want to see what was not JSON.
      }
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        url: new URL(incoming.url ?? '/', 'http://127.0.0.1'),
        headers: incoming.headers,
        body,
      };
      const number = requests.length;
      requests.push(request);
      Promise.resolve()
        .then(() => handler(request, response, number))
        .catch((error: unknown) => {
          if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
          else response.destroy();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return requests;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    handle(next) {
      handler = next;
      requests = [];
      maxInFlight = inFlight;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
