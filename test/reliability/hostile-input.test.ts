import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../support/test-databases.js';
import { bearer, createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

/**
 * Input the attack review turned into 500s: NUL characters and lone surrogates anywhere a client
 * can put text, and malformed uploads. Each must be a 400 naming the offending field.
 */
interface ErrorResponse {
  error: { code: string; fields?: { path: string; message: string }[] };
}

function multipart(parts: { name: string; value: string; filename?: string; type?: string }[]): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = 'rhizome-test-boundary';
  const chunks = parts.map((part) => {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.filename}"`;
    const type = part.type ? `Content-Type: ${part.type}\r\n` : '';
    return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n${part.value}\r\n`;
  });
  return {
    payload: Buffer.from(`${chunks.join('')}--${boundary}--\r\n`),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describeEachDriver('hostile input', (driver) => {
  let platform: TestPlatform;
  let key: string;
  let tenantId: string;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const tenant = await platform.runtime.tenants.create({ slug: 'hostile-input', name: 'Hostile input' });
    tenantId = tenant.id;
    key = (await platform.runtime.keys.create({ name: 'owner', role: 'owner', tenantId })).key;
  });
  afterAll(() => platform.dispose());

  async function expectFieldError(
    request: InjectOptions,
    field: string,
  ): Promise<void> {
    const response = await platform.app.inject({ ...request, headers: { ...bearer(key), ...request.headers } });
    expect(response.statusCode, response.body).toBe(400);
    const body = response.json<ErrorResponse>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields?.map((issue) => issue.path)).toContain(field);
  }

  it('refuses NUL and lone surrogates in search queries of every mode and in filters', async () => {
    for (const mode of ['mix', 'local', 'global', 'bm25', 'naive', 'hybrid']) {
      await expectFieldError({ method: 'POST', url: '/v1/search', payload: { query: 'a\u0000b', mode } }, 'body.query');
    }
    // JSON escapes decode to the characters themselves.
    await expectFieldError(
      { method: 'POST', url: '/v1/search', headers: { 'content-type': 'application/json' }, payload: '{"query":"x\\ud800y"}' },
      'body.query',
    );
    await expectFieldError(
      { method: 'POST', url: '/v1/search', payload: { query: 'ok', filters: { metadata: { team: 'a\u0000' } } } },
      'body.filters.metadata.team',
    );
  });

  it('refuses them in collection names, metadata, path parameters and query strings', async () => {
    await expectFieldError({ method: 'POST', url: '/v1/collections', payload: { name: 'a\u0000b' } }, 'body.name');
    await expectFieldError(
      { method: 'POST', url: '/v1/collections', payload: { name: 'fine', metadata: { note: '\udc00' } } },
      'body.metadata.note',
    );
    await expectFieldError({ method: 'GET', url: '/v1/collections/a%00b' }, 'params.collection');
    await expectFieldError({ method: 'DELETE', url: '/v1/collections/a%00b' }, 'params.collection');
    await expectFieldError({ method: 'GET', url: '/v1/documents?collection=a%00b' }, 'query.collection');
  });

  it('refuses them in upload fields and metadata', async () => {
    const upload = (parts: Parameters<typeof multipart>[0]) => ({ method: 'POST', url: '/v1/documents', ...multipart(parts) });
    const file = { name: 'file', filename: 'note.md', value: '# Note\n\nText.', type: 'text/markdown' };
    await expectFieldError(upload([{ name: 'collection', value: 'a\u0000b' }, file]), 'body.collection');
    await expectFieldError(upload([{ name: 'metadata', value: '{"k":"\\u0000"}' }, file]), 'body.metadata.k');
    await expectFieldError(upload([{ name: 'metadata', value: '{"k":"\\ud800"}' }, file]), 'body.metadata.k');
  });

  it('answers malformed uploads with 400 naming the field', async () => {
    const upload = (parts: Parameters<typeof multipart>[0]) => ({ method: 'POST', url: '/v1/documents', ...multipart(parts) });
    const file = { name: 'file', filename: 'note.md', value: '# Note\n\nText.', type: 'text/markdown' };
    await expectFieldError(upload([{ ...file, filename: '' }]), 'body.file.filename');
    await expectFieldError(upload([{ name: 'sourceKey', value: 'k'.repeat(2_001) }, file]), 'body.sourceKey');
    await expectFieldError(upload([{ name: 'collection', value: 'c'.repeat(201) }, file]), 'body.collection');
    await expectFieldError(upload([{ name: 'metadata', value: '[1,2]' }, file]), 'body');
  });

  it('indexes a document whose text holds NULs and lone surrogates, without them', async () => {
    // A stray NUL in otherwise ordinary text (PDF and Office text layers have them).
    const filler = 'Charles Babbage designed the Analytical Engine, and Ada Lovelace described it. '.repeat(4);
    const text = `# Stray bytes\n\n${filler}\n\nThe engine\u0000 of Babbage ran in London.\n\n${filler}\n`;
    const [received] = await platform.runtime.documents.intake(tenantId, [
      { fileName: 'stray.md', bytes: Buffer.from(text, 'utf8') },
    ]);
    await platform.runtime.startWorker();
    const [record] = await waitForDocuments(platform.runtime, tenantId, [received!.id], 120_000);
    expect([record!.status, record!.errorCode]).toEqual(['indexed', null]);
    const search = await platform.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: bearer(key),
      payload: { query: 'engine of Babbage', mode: 'bm25' },
    });
    expect(search.statusCode).toBe(200);
    const hits = search.json<{ hits: { text: string }[] }>().hits;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => !hit.text.includes('\u0000'))).toBe(true);
  });
});
