import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../../test/support/test-databases.js';
import { bearer, createTestPlatform, type TestPlatform } from '../../test/support/test-platform.js';

// Clients send Office and EPUB files as application/octet-stream; the stored original and its
// download carry the type of what the content is.
describe('stored originals keep their real media type', () => {
  let platform: TestPlatform;
  let editorKey: string;
  beforeAll(async () => {
    platform = await createTestPlatform(testDrivers[0]!);
    const tenant = await platform.runtime.tenants.create({ slug: 'media', name: 'Media' });
    editorKey = (await platform.runtime.keys.create({ name: 'e', role: 'editor', tenantId: tenant.id })).key;
  });
  afterAll(() => platform.dispose());

  const zip = async (entries: Record<string, string>) => {
    const archive = new JSZip();
    for (const [name, content] of Object.entries(entries)) archive.file(name, content);
    return archive.generateAsync({ type: 'uint8array' });
  };

  it.each([
    ['report.docx', { 'word/document.xml': '<w:document/>' }, 'wordprocessingml.document'],
    ['slides.pptx', { 'ppt/presentation.xml': '<p:presentation/>' }, 'presentationml.presentation'],
    ['book.epub', { mimetype: 'application/epub+zip' }, 'application/epub+zip'],
  ])('%s', async (fileName, entries, expected) => {
    const form = new FormData();
    form.append('file', new Blob([await zip(entries)], { type: 'application/octet-stream' }), fileName);
    const request = new Request('http://local/v1/documents', { method: 'POST', body: form });
    const upload = await platform.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...bearer(editorKey), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(upload.statusCode, upload.body).toBe(202);
    const id = upload.json<{ documents: { id: string }[] }>().documents[0]!.id;
    const record = await platform.app.inject({ url: `/v1/documents/${id}`, headers: bearer(editorKey) });
    expect(record.json<{ mediaType: string }>().mediaType).toContain(expected);
    const original = await platform.app.inject({ url: `/v1/documents/${id}/original`, headers: bearer(editorKey) });
    expect(original.statusCode).toBe(200);
    expect(original.headers['content-type']).toContain(expected);
  });
});
