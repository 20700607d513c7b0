import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UpstreamError } from '../../core/errors.js';
import { delay, sendJson, startFakeProvider, type FakeProvider } from './fake-provider-server.js';
import { postForStream, postJson, type HttpEndpoint } from './http-client.js';

const apiKey = 'sk-test-secret-key-0123456789';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(() => provider.close());

function endpoint(overrides: Partial<HttpEndpoint> = {}): HttpEndpoint {
  return {
    baseUrl: provider.baseUrl,
    apiKey,
    authentication: 'bearer',
    query: {},
    timeoutMs: 2_000,
    maxRetries: 2,
    retryBaseDelayMs: 10,
    maxRetryDelayMs: 5_000,
    label: 'Test provider',
    logger: undefined,
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('postJson', () => {
  it('posts JSON with a bearer key and returns the parsed answer', async () => {
    provider.handle((_request, response) => sendJson(response, 200, { ok: true }));
    await expect(postJson(endpoint(), '/things', { a: 1 })).resolves.toEqual({ ok: true });
    const [request] = provider.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.pathname).toBe('/v1/things');
    expect(request?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({ a: 1 });
  });

  it("uses Azure's api-key header and adds the query", async () => {
    provider.handle((_request, response) => sendJson(response, 200, {}));
    await postJson(
      endpoint({ authentication: 'api-key', query: { 'api-version': '2024-10-21' } }),
      '/things',
      {},
    );
    const [request] = provider.requests;
    expect(request?.headers['api-key']).toBe(apiKey);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.url.searchParams.get('api-version')).toBe('2024-10-21');
  });

  it('retries 429 after the Retry-After seconds, then succeeds', async () => {
    provider.handle((_request, response, number) =>
      number === 0
        ? sendJson(response, 429, { error: { message: 'slow down' } }, { 'retry-after': '1' })
        : sendJson(response, 200, { ok: 'second' }),
    );
    const started = performance.now();
    await expect(postJson(endpoint(), '/things', {})).resolves.toEqual({ ok: 'second' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(provider.requests).toHaveLength(2);
  });

  it('retries 500, 503, 408 and 409 with backoff, then succeeds', async () => {
    const statuses = [500, 503, 408, 409];
    provider.handle((_request, response, number) => {
      const status = statuses[number];
      if (status === undefined) sendJson(response, 200, { ok: true });
      else sendJson(response, status, { error: { message: 'transient' } });
    });
    await expect(postJson(endpoint({ maxRetries: 4 }), '/things', {})).resolves.toEqual({ ok: true });
    expect(provider.requests).toHaveLength(5);
  });

  it('gives up after maxRetries with the last status in details', async () => {
    provider.handle((_request, response) => sendJson(response, 502, { error: { message: 'bad gateway' } }));
    const error = await failureOf(postJson(endpoint({ maxRetries: 2 }), '/things', {}));
    expect(error.code).toBe('provider_unavailable');
    expect(error.details).toMatchObject({ status: 502, attempts: 3, providerMessage: 'bad gateway' });
    expect(provider.requests).toHaveLength(3);
  });

  it('does not retry 400: exactly one request', async () => {
    provider.handle((_request, response) => sendJson(response, 400, { error: { message: 'bad input' } }));
    const error = await failureOf(postJson(endpoint(), '/things', {}));
    expect(error.code).toBe('provider_rejected_request');
    expect(error.details).toMatchObject({ status: 400 });
    expect(error.message).toContain('bad input');
    expect(provider.requests).toHaveLength(1);
  });

  it('fails at once when Retry-After asks for longer than maxRetryDelayMs', async () => {
    provider.handle((_request, response) => sendJson(response, 429, {}, { 'retry-after': '120' }));
    const error = await failureOf(postJson(endpoint(), '/things', {}));
    expect(error.code).toBe('provider_rate_limited');
    expect(provider.requests).toHaveLength(1);
  });

  it('times out each attempt and reports provider_timeout after the retries', async () => {
    provider.handle(() => undefined); // never answers
    const started = performance.now();
    const error = await failureOf(postJson(endpoint({ timeoutMs: 150, maxRetries: 1 }), '/things', {}));
    expect(error.code).toBe('provider_timeout');
    expect(provider.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    provider.handle(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    await expect(
      postJson(endpoint({ timeoutMs: 10_000 }), '/things', {}, controller.signal),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    await delay(50);
    expect(provider.requests).toHaveLength(1);
  });

  it('stops during the backoff when the caller aborts', async () => {
    provider.handle((_request, response) => sendJson(response, 503, {}, { 'retry-after': '3' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    await expect(postJson(endpoint(), '/things', {}, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(provider.requests).toHaveLength(1);
  });

  it('reports invalid JSON as provider_malformed_response without retrying', async () => {
    provider.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"data": [1, 2');
    });
    const error = await failureOf(postJson(endpoint(), '/things', {}));
    expect(error.code).toBe('provider_malformed_response');
    expect(provider.requests).toHaveLength(1);
  });

  it('reports an unreachable server as provider_unreachable', async () => {
    const closed = await startFakeProvider();
    await closed.close();
    const error = await failureOf(
      postJson(endpoint({ baseUrl: closed.baseUrl, maxRetries: 1 }), '/things', {}),
    );
    expect(error.code).toBe('provider_unreachable');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never puts the API key in an error, even when the provider echoes it', async () => {
    provider.handle((request, response) =>
      sendJson(response, 401, {
        error: { message: `Incorrect API key: ${String(request.headers.authorization)}` },
      }),
    );
    const error = await failureOf(postJson(endpoint(), '/things', {}));
    expect(error.code).toBe('provider_authentication_failed');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(apiKey);
    expect(JSON.stringify(error.details)).not.toContain(apiKey);
    expect(String(error.stack)).not.toContain(apiKey);
  });
});

describe('postForStream', () => {
  it('retries before the stream starts and yields the bytes as they come', async () => {
    provider.handle(async (_request, response, number) => {
      if (number === 0) return sendJson(response, 503, {});
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('first ');
      await delay(20);
      response.end('second');
    });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of postForStream(endpoint(), '/stream', {})) text += decoder.decode(chunk);
    expect(text).toBe('first second');
    expect(provider.requests[1]?.headers.accept).toBe('text/event-stream');
  });

  it('times out a stream that goes silent', async () => {
    provider.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('partial');
    });
    const chunks: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of postForStream(endpoint({ timeoutMs: 150 }), '/stream', {}))
        chunks.push(chunk);
    })();
    const error = await failureOf(reading);
    expect(error.code).toBe('provider_timeout');
    expect(chunks).toHaveLength(1);
  });
});
