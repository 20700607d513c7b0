import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ValidationError } from '../../core/errors.js';
import {
  delay,
  sendJson,
  startFakeProvider,
  type FakeProvider,
  type ReceivedRequest,
} from './fake-provider-server.js';
import { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.js';

const apiKey = 'sk-embedding-secret-42';
const dimensions = 4;

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(() => provider.close());

function embedder(options: Partial<OpenAiEmbedderOptions> = {}): OpenAiEmbedder {
  return new OpenAiEmbedder({
    baseUrl: provider.baseUrl,
    apiKey,
    model: 'text-embedding-test',
    dimensions,
    retryBaseDelayMs: 10,
    ...options,
  });
}

function inputOf(request: ReceivedRequest): string[] {
  return (request.body as { input: string[] }).input;
}

/** A vector that encodes its text ("text-17" → [17, 0, 0, 0]), so tests can check the order. */
function vectorFor(text: string, size = dimensions): number[] {
  return Array.from({ length: size }, (_, position) => (position === 0 ? Number(text.split('-')[1]) : 0));
}

/** Answers with the items listed in reverse, each carrying its index, as servers may. */
function answerShuffled(request: ReceivedRequest): unknown {
  const data = inputOf(request).map((text, index) => ({
    object: 'embedding',
    index,
    embedding: vectorFor(text),
  }));
  return {
    object: 'list',
    data: data.reverse(),
    model: 'text-embedding-test',
    usage: { prompt_tokens: 1, total_tokens: 1 },
  };
}

const texts = (count: number): string[] => Array.from({ length: count }, (_, index) => `text-${index}`);

describe('OpenAiEmbedder', () => {
  it('declares its limits', () => {
    const subject = embedder({ maxBatchSize: 32, maxConcurrency: 2 });
    expect(subject).toMatchObject({
      model: 'text-embedding-test',
      dimensions,
      maxBatchSize: 32,
      maxConcurrency: 2,
    });
    expect(embedder()).toMatchObject({ maxBatchSize: 64, maxConcurrency: 4 });
  });

  it('splits into batches of maxBatchSize and keeps the order whatever the server does', async () => {
    // The first batch is answered last, and every answer lists its items in reverse.
    provider.handle(async (request, response, number) => {
      await delay(number === 0 ? 80 : 10);
      sendJson(response, 200, answerShuffled(request));
    });
    const vectors = await embedder().embed(texts(150));
    expect(provider.requests.map((request) => inputOf(request).length).sort()).toEqual([22, 64, 64]);
    expect(vectors.map((vector) => vector[0])).toEqual(texts(150).map((_, index) => index));
    const [request] = provider.requests;
    expect(request?.url.pathname).toBe('/v1/embeddings');
    expect(request?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request?.body).toMatchObject({ model: 'text-embedding-test' });
    expect(request?.body).not.toHaveProperty('dimensions');
  });

  it('never has more than maxConcurrency requests in flight', async () => {
    provider.handle(async (request, response) => {
      await delay(40);
      sendJson(response, 200, answerShuffled(request));
    });
    const vectors = await embedder({ maxBatchSize: 2, maxConcurrency: 3 }).embed(texts(20));
    expect(vectors).toHaveLength(20);
    expect(provider.requests).toHaveLength(10);
    expect(provider.maxInFlight).toBe(3);
  });

  it('sends dimensions only when sendDimensions is set', async () => {
    provider.handle((request, response) => sendJson(response, 200, answerShuffled(request)));
    await embedder({ sendDimensions: true }).embed(['text-1']);
    expect(provider.requests[0]?.body).toMatchObject({ dimensions });
  });

  it('makes no request for no texts', async () => {
    provider.handle((request, response) => sendJson(response, 200, answerShuffled(request)));
    await expect(embedder().embed([])).resolves.toEqual([]);
    expect(provider.requests).toHaveLength(0);
  });

  it('talks to Azure with the deployment path, api-key header and api-version', async () => {
    provider.handle((request, response) => sendJson(response, 200, answerShuffled(request)));
    await embedder({
      baseUrl: provider.baseUrl.replace('/v1', '/openai'),
      azure: { apiVersion: '2024-10-21', deployment: 'my-embeddings' },
    }).embed(['text-3']);
    const [request] = provider.requests;
    expect(request?.url.pathname).toBe('/openai/deployments/my-embeddings/embeddings');
    expect(request?.url.searchParams.get('api-version')).toBe('2024-10-21');
    expect(request?.headers['api-key']).toBe(apiKey);
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('retries a 429 and then succeeds', async () => {
    provider.handle((request, response, number) =>
      number === 0
        ? sendJson(response, 429, { error: { message: 'rate limited' } }, { 'retry-after': '0' })
        : sendJson(response, 200, answerShuffled(request)),
    );
    await expect(embedder().embed(['text-5'])).resolves.toEqual([vectorFor('text-5')]);
    expect(provider.requests).toHaveLength(2);
  });

  it('rejects vectors of the wrong size with embedding_dimension_mismatch', async () => {
    provider.handle((request, response) =>
      sendJson(response, 200, {
        data: inputOf(request).map((text, index) => ({ index, embedding: vectorFor(text, 3) })),
      }),
    );
    await expect(embedder().embed(['text-1'])).rejects.toMatchObject({
      code: 'embedding_dimension_mismatch',
      details: { expected: 4, received: 3 },
    });
  });

  it('rejects answers of the wrong shape or count with provider_malformed_response', async () => {
    provider.handle((_request, response) => sendJson(response, 200, { embeddings: [[1, 2, 3, 4]] }));
    await expect(embedder().embed(['text-1'])).rejects.toMatchObject({ code: 'provider_malformed_response' });

    provider.handle((_request, response) =>
      sendJson(response, 200, { data: [{ index: 0, embedding: vectorFor('t-0') }] }),
    );
    await expect(embedder().embed(['text-1', 'text-2'])).rejects.toMatchObject({
      code: 'provider_malformed_response',
    });

    provider.handle((_request, response) =>
      sendJson(response, 200, {
        data: [
          { index: 0, embedding: vectorFor('t-0') },
          { index: 0, embedding: vectorFor('t-0') },
        ],
      }),
    );
    await expect(embedder().embed(['text-1', 'text-2'])).rejects.toMatchObject({
      code: 'provider_malformed_response',
    });

    provider.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('<html>gateway</html>');
    });
    await expect(embedder().embed(['text-1'])).rejects.toMatchObject({ code: 'provider_malformed_response' });
  });

  it('fails fast on a 400 and stops the other batches', async () => {
    provider.handle(async (request, response, number) => {
      if (number === 0) {
        return sendJson(response, 400, { error: { message: `input too long; key ${apiKey}` } });
      }
      await delay(200);
      sendJson(response, 200, answerShuffled(request));
    });
    const error: unknown = await embedder({ maxBatchSize: 1, maxConcurrency: 2 })
      .embed(texts(6))
      .catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: 'provider_rejected_request', details: { status: 400 } });
    expect((error as Error).message).not.toContain(apiKey);
    // The first failure stops new batches from starting: only the two in flight were sent.
    expect(provider.requests).toHaveLength(2);
  });

  it('stops when the caller aborts', async () => {
    provider.handle(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(embedder().embed(texts(3), controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('validates its options', () => {
    expect(() => embedder({ dimensions: 0 })).toThrow(ValidationError);
    expect(() => embedder({ baseUrl: 'not a url' })).toThrow(ValidationError);
  });
});
