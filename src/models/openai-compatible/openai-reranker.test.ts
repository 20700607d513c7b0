import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  sendJson,
  startFakeProvider,
  type FakeProvider,
  type ReceivedRequest,
} from './fake-provider-server.js';
import { OpenAiCompatibleReranker, type OpenAiCompatibleRerankerOptions } from './openai-reranker.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(() => provider.close());

function reranker(options: Partial<OpenAiCompatibleRerankerOptions> = {}): OpenAiCompatibleReranker {
  return new OpenAiCompatibleReranker({
    baseUrl: provider.baseUrl,
    model: 'bge-reranker-v2-m3',
    retryBaseDelayMs: 10,
    ...options,
  });
}

interface RerankBody {
  readonly model: string;
  readonly query: string;
  readonly documents: string[];
  readonly top_n: number;
}

/** Scores each document by the number in its text ("doc 7" → 0.07), answered best first as servers do. */
function answerByNumber(request: ReceivedRequest): unknown {
  const { documents } = request.body as RerankBody;
  const results = documents.map((document, index) => ({
    index,
    relevance_score: Number(document.split(' ')[1]) / 100,
    document: { text: document },
  }));
  return { id: 'r1', results: results.sort((left, right) => right.relevance_score - left.relevance_score) };
}

describe('OpenAiCompatibleReranker', () => {
  it('batches by maxDocuments, maps indices back and sorts by score', async () => {
    provider.handle((request, response) => sendJson(response, 200, answerByNumber(request)));
    const numbers = [5, 90, 12, 33, 1, 77, 40];
    const results = await reranker({ maxDocuments: 3 }).rerank(
      'which?',
      numbers.map((number) => `doc ${number}`),
    );
    expect(results).toEqual(
      [90, 77, 40, 33, 12, 5, 1].map((number) => ({ index: numbers.indexOf(number), score: number / 100 })),
    );
    const bodies = provider.requests.map((request) => request.body as RerankBody);
    expect(bodies.map((body) => body.documents.length).sort()).toEqual([1, 3, 3]);
    for (const body of bodies) {
      expect(body).toMatchObject({
        model: 'bge-reranker-v2-m3',
        query: 'which?',
        top_n: body.documents.length,
      });
    }
    expect(provider.requests[0]?.url.pathname).toBe('/v1/rerank');
  });

  it('uses the configured path and makes no request for no documents', async () => {
    provider.handle((request, response) => sendJson(response, 200, answerByNumber(request)));
    await expect(reranker().rerank('q', [])).resolves.toEqual([]);
    expect(provider.requests).toHaveLength(0);
    await reranker({ path: '/reranks' }).rerank('q', ['doc 1']);
    expect(provider.requests[0]?.url.pathname).toBe('/v1/reranks');
  });

  it('rejects answers that drop, repeat or invent documents', async () => {
    provider.handle((_request, response) =>
      sendJson(response, 200, { results: [{ index: 0, relevance_score: 0.5 }] }),
    );
    await expect(reranker().rerank('q', ['doc 1', 'doc 2'])).rejects.toMatchObject({
      code: 'provider_malformed_response',
    });
    provider.handle((_request, response) =>
      sendJson(response, 200, { results: [{ index: 4, relevance_score: 0.5 }] }),
    );
    await expect(reranker().rerank('q', ['doc 1'])).rejects.toMatchObject({
      code: 'provider_malformed_response',
    });
    provider.handle((_request, response) => sendJson(response, 200, { data: [] }));
    await expect(reranker().rerank('q', ['doc 1'])).rejects.toMatchObject({
      code: 'provider_malformed_response',
    });
  });

  it('does not retry a 400', async () => {
    provider.handle((_request, response) => sendJson(response, 400, { detail: 'model not found' }));
    await expect(reranker().rerank('q', ['doc 1'])).rejects.toMatchObject({
      code: 'provider_rejected_request',
      details: { status: 400, providerMessage: 'model not found' },
    });
    expect(provider.requests).toHaveLength(1);
  });
});
