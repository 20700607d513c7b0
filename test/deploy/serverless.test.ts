import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createLambdaHandler, type LambdaHandler } from '../../src/serverless/aws-lambda.js';
import { createStatelessServer, type StatelessServer } from '../../src/serverless/stateless-server.js';
import { buildMinimalPdf } from '../support/minimal-pdf.js';
import { spawnRhizome } from '../support/spawn-rhizome.js';
import { describeEachDriver, serverDriver, silentLogger } from '../support/test-databases.js';
import { createTestPlatform, testConfig, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

/**
 * The serverless entries answer real requests: the AWS Lambda handler is given API Gateway events
 * in-process (HTTP API payload 2.0 and REST payload 1.0), and the Function Compute custom
 * container's process (`rhizome serve --stateless`) is started as the container would start it and
 * asked over HTTP. Both refuse what a function platform cannot keep: the embedded database.
 */
const lambdaContext = {
  functionName: 'rhizome-api',
  awsRequestId: 'test-request',
  callbackWaitsForEmptyEventLoop: true,
} as unknown as Context;

/** An API Gateway HTTP API (payload 2.0) event, as the platform sends it. */
function httpApiEvent(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; base64?: boolean; query?: string } = {},
): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { host: 'abc.execute-api.eu-central-1.amazonaws.com', ...options.headers },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'request-1',
      stage: '$default',
      timeEpoch: 0,
    },
    ...(options.body !== undefined
      ? { body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body, isBase64Encoded: options.base64 ?? false }
      : { isBase64Encoded: false }),
  };
}

describeEachDriver('AWS Lambda handler (in-process API Gateway events)', (driver) => {
  let platform: TestPlatform;
  let readerKey: string;
  let documentId: string;
  let pdfId: string;
  let pdfBytes: Buffer;
  let api: StatelessServer;
  let retrieval: StatelessServer;
  let apiHandler: LambdaHandler;
  let retrievalHandler: LambdaHandler;

  beforeAll(async () => {
    // A migrated database with one indexed document (the long-running worker's job), then the
    // stateless roles over the same database.
    platform = await createTestPlatform(driver);
    const tenant = await platform.runtime.tenants.create({ slug: 'lambda', name: 'Lambda' });
    readerKey = (await platform.runtime.keys.create({ name: 'reader', role: 'reader', tenantId: tenant.id })).key;
    await platform.runtime.startWorker();
    pdfBytes = Buffer.from(buildMinimalPdf(['Skerryvore light was finished in 1844.'], { title: 'Skerryvore' }));
    const [document, pdf] = await platform.runtime.documents.intake(tenant.id, [
      { fileName: 'lighthouse.md', bytes: Buffer.from('# Lighthouse\n\nThe Bell Rock lighthouse was completed in 1810 by Robert Stevenson.\n') },
      { fileName: 'skerryvore.pdf', bytes: pdfBytes },
    ]);
    documentId = document!.id;
    pdfId = pdf!.id;
    await waitForDocuments(platform.runtime, tenant.id, [documentId, pdfId]);
    api = await createStatelessServer(platform.config, silentLogger, 'api', { database: platform.database });
    retrieval = await createStatelessServer(platform.config, silentLogger, 'retrieval', { database: platform.database });
    apiHandler = createLambdaHandler('api', { createServer: async () => api });
    retrievalHandler = createLambdaHandler('retrieval', { createServer: async () => retrieval });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await retrieval?.close();
    await platform?.dispose();
  });

  it('answers probes and authenticated searches through the API role', async () => {
    const ready = await apiHandler(httpApiEvent('GET', '/readyz'), lambdaContext);
    expect(ready.statusCode).toBe(200);

    const search = await apiHandler(
      httpApiEvent('POST', '/v1/search', {
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'Who built the Bell Rock lighthouse?' }),
      }),
      lambdaContext,
    );
    expect(search.statusCode).toBe(200);
    expect(search.isBase64Encoded).toBe(false);
    expect(search.headers['x-request-id']).toBeTruthy();
    const body = JSON.parse(search.body) as { hits: { documentId: string; text: string }[] };
    expect(body.hits[0]?.documentId).toBe(documentId);
    expect(body.hits[0]?.text).toContain('Robert Stevenson');
  });

  it('decodes base64 request bodies and serves the rest of the public API', async () => {
    const me = await apiHandler(
      httpApiEvent('GET', '/v1/me', { headers: { authorization: `Bearer ${platform.adminKey}` } }),
      lambdaContext,
    );
    expect(JSON.parse(me.body)).toMatchObject({ role: 'admin', tenantId: null });

    const created = await apiHandler(
      httpApiEvent('POST', '/v1/tenants', {
        headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ slug: 'from-lambda', name: 'From Lambda' }),
        base64: true,
      }),
      lambdaContext,
    );
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ slug: 'from-lambda' });
  });

  it('returns binary originals as base64 bytes and text as text', async () => {
    const original = (id: string) =>
      apiHandler(
        httpApiEvent('GET', `/v1/documents/${id}/original`, { headers: { authorization: `Bearer ${readerKey}` } }),
        lambdaContext,
      );
    const pdf = await original(pdfId);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
    expect(pdf.isBase64Encoded).toBe(true);
    expect(Buffer.from(pdf.body, 'base64').equals(pdfBytes)).toBe(true);

    const markdown = await original(documentId);
    expect(markdown.statusCode).toBe(200);
    expect(markdown.isBase64Encoded).toBe(false);
    expect(markdown.body).toContain('Bell Rock');
  });

  it('maps bad requests to the same stable error codes as the server', async () => {
    const anonymous = await apiHandler(httpApiEvent('GET', '/v1/me'), lambdaContext);
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'missing_credentials' } });

    const malformed = await apiHandler(
      httpApiEvent('POST', '/v1/search', {
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        body: '{"query": ',
      }),
      lambdaContext,
    );
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: 'invalid_request' } });

    const empty = await apiHandler(
      httpApiEvent('POST', '/v1/search', {
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '' }),
      }),
      lambdaContext,
    );
    expect(empty.statusCode).toBe(400);
    expect(JSON.parse(empty.body)).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('accepts REST API (payload 1.0) events too', async () => {
    const response = await apiHandler(
      {
        httpMethod: 'POST',
        path: '/v1/search',
        resource: '/{proxy+}',
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        requestContext: { identity: { sourceIp: '203.0.113.8' }, stage: 'prod', requestId: 'request-2' },
        body: JSON.stringify({ query: 'lighthouse 1810' }),
        isBase64Encoded: false,
      },
      lambdaContext,
    );
    expect(response.statusCode).toBe(200);
    expect((JSON.parse(response.body) as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
  });

  it('serves search but not the rest of the API in the retrieval role', async () => {
    const search = await retrievalHandler(
      httpApiEvent('POST', '/v1/search', {
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'Bell Rock' }),
      }),
      lambdaContext,
    );
    expect(search.statusCode).toBe(200);
    expect((JSON.parse(search.body) as { hits: unknown[] }).hits.length).toBeGreaterThan(0);

    const tenants = await retrievalHandler(
      httpApiEvent('GET', '/v1/tenants', { headers: { authorization: `Bearer ${platform.adminKey}` } }),
      lambdaContext,
    );
    expect(tenants.statusCode).toBe(404);
    const chat = await retrievalHandler(
      httpApiEvent('POST', '/v1/chat', {
        headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello' }),
      }),
      lambdaContext,
    );
    expect(chat.statusCode).toBe(404);
  });
});

describe('serverless refusals and cold starts', () => {
  it('refuses the embedded database and long-running roles', async () => {
    const embedded = testConfig();
    await expect(createStatelessServer(embedded, silentLogger, 'api')).rejects.toSatisfy(
      (error: unknown) => error instanceof ConfigError && error.keys.includes('DATABASE_URL'),
    );
    await expect(
      createStatelessServer(testConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/none' }), silentLogger, 'api'),
    ).rejects.toSatisfy((error: unknown) => error instanceof ConfigError && error.keys.includes('RHIZOME_STORAGE'));
    await expect(
      createStatelessServer(testConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/none' }), silentLogger, 'worker' as 'api'),
    ).rejects.toThrow(/api or retrieval role, not 'worker'/);
  });

  it('retries a cold start that failed on the next invocation', async () => {
    let attempts = 0;
    const handler = createLambdaHandler('api', {
      createServer: async () => {
        attempts += 1;
        throw new Error(`database unreachable (attempt ${attempts})`);
      },
    });
    await expect(handler(httpApiEvent('GET', '/healthz'), lambdaContext)).rejects.toThrow(/attempt 1/);
    await expect(handler(httpApiEvent('GET', '/healthz'), lambdaContext)).rejects.toThrow(/attempt 2/);
    expect(attempts).toBe(2);
  });
});

describe('Function Compute custom container entry (rhizome serve --stateless)', () => {
  it('refuses to start without DATABASE_URL, naming it', async () => {
    const run = spawnRhizome(['serve', '--role', 'api', '--stateless', '--port', '0'], {
      RHIZOME_DATA_DIR: testConfig().dataDirectory,
      DATABASE_URL: '',
    });
    run.child.stdin.end();
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('DATABASE_URL');
  }, 300_000);

  it('refuses a worker role', async () => {
    const run = spawnRhizome(['serve', '--role', 'worker', '--stateless', '--port', '0'], {
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
    });
    run.child.stdin.end();
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/api or retrieval role, not 'worker'/);
  }, 300_000);

  it.skipIf(!serverDriver)('serves the API over HTTP on a migrated server database, without migrating or minting keys', async () => {
    const platform = await createTestPlatform(serverDriver!);
    try {
      const tenant = await platform.runtime.tenants.create({ slug: 'function', name: 'Function' });
      const key = (await platform.runtime.keys.create({ name: 'reader', role: 'reader', tenantId: tenant.id })).key;
      const run = spawnRhizome(['serve', '--role', 'api', '--stateless', '--port', '0', '--host', '127.0.0.1'], {
        DATABASE_URL: platform.url!,
        RHIZOME_DATA_DIR: platform.config.dataDirectory,
        // Never reached by a search; the bucket only has to be named.
        RHIZOME_STORAGE: 's3',
        S3_BUCKET: 'rhizome-originals',
        S3_ENDPOINT: 'http://127.0.0.1:1',
      });
      try {
        const [, url] = await run.waitFor(/running at (http:\/\/\S+)/, 240_000);
        expect(run.output()).toContain('(api, stateless)');
        expect((await fetch(`${url!}/readyz`)).status).toBe(200);
        const search = await fetch(`${url!}/v1/search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'anything' }),
        });
        expect(search.status).toBe(200);
        expect(await search.json()).toMatchObject({ hits: [] });
        const anonymous = await fetch(`${url!}/v1/me`);
        expect(anonymous.status).toBe(401);
        // No first admin key printed: keys are made by the deploy step (rhizome keys create).
        expect(run.output()).not.toMatch(/rhz_/);
        run.child.kill('SIGTERM');
        expect(await run.exited).toBe(0);
      } finally {
        run.child.kill('SIGKILL');
      }
    } finally {
      await platform.dispose();
    }
  }, 600_000);
});
