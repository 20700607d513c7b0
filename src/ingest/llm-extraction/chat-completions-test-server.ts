/**
 * Test support: a real HTTP server on 127.0.0.1 speaking OpenAI's `/chat/completions` wire format,
 * so extraction is tested through the real OpenAiChatModel and HTTP stack. A test installs an
 * answerer that reads the request's messages and returns the assistant's text; every request is
 * recorded for the test to inspect what was sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const chatRequestSchema = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
  temperature: z.number().optional(),
  response_format: z.object({ type: z.string() }).optional(),
});

export type RecordedChatRequest = z.output<typeof chatRequestSchema>;

/** The assistant's text for a request; `number` counts requests since the last `answer`, from 0. */
export type ChatAnswerer = (request: RecordedChatRequest, number: number) => string;

export interface ChatCompletionsTestServer {
  /** With the `/v1` path, as a real provider is configured. */
  readonly baseUrl: string;
  readonly requests: readonly RecordedChatRequest[];
  /** Replaces the answerer and forgets earlier requests. */
  answer(answerer: ChatAnswerer): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export async function startChatCompletionsTestServer(): Promise<ChatCompletionsTestServer> {
  const requests: RecordedChatRequest[] = [];
  let answerer: ChatAnswerer = () => '{}';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      send(response, 404, { error: { message: `No route ${request.method} ${request.url}` } });
      return;
    }
    const parsed = chatRequestSchema.safeParse(JSON.parse(await readBody(request)));
    if (!parsed.success) {
      send(response, 400, { error: { message: z.prettifyError(parsed.error) } });
      return;
    }
    requests.push(parsed.data);
    const content = answerer(parsed.data, requests.length - 1);
    send(response, 200, {
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      model: parsed.data.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, { error: { message: error instanceof Error ? error.message : String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    answer(next) {
      answerer = next;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
