import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../../test/support/test-databases.js';
import { createTestPlatform, testConfig, type TestPlatform } from '../../test/support/test-platform.js';

/** The web UI at `/`: public files, deep links answered with the page, API errors stay JSON. */
describe('web UI serving', () => {
  let platform: TestPlatform;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'rhizome-web-dist-'));
    mkdirSync(join(folder, 'assets'));
    writeFileSync(
      join(folder, 'index.html'),
      '<!doctype html><title>Rhizome UI</title><div id="root"></div>',
    );
    writeFileSync(join(folder, 'assets', 'index-abc123.js'), 'console.log("ui")');
    platform = await createTestPlatform(testDrivers[0]!, {
      RHIZOME_WEB_DIR: folder,
      RHIZOME_CORS_ORIGINS: 'https://ui.example.com',
    });
  });
  afterAll(async () => {
    await platform.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves the page and its assets without an API key', async () => {
    const page = await platform.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Rhizome UI');
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await platform.app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it("answers the UI's own routes with the page, so deep links and reloads work", async () => {
    for (const url of [
      '/documents',
      '/documents/0b0c6a43-9d58-4c38-8d5b-8c1e0f0d4a51?chunk=3',
      '/chat/abc',
      '/graph',
    ]) {
      const response = await platform.app.inject({
        url,
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toContain('Rhizome UI');
    }
  });

  it('keeps API paths and non-page requests as JSON errors', async () => {
    const unknownApi = await platform.app.inject({
      url: '/v1/nothing-here',
      headers: { accept: 'text/html' },
    });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json()).toMatchObject({ error: { code: 'route_not_found' } });
    const unknownFile = await platform.app.inject({ url: '/missing.js', headers: { accept: '*/*' } });
    expect(unknownFile.statusCode).toBe(404);
    const unauthenticated = await platform.app.inject({ url: '/v1/documents' });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it('allows the configured origin to call the API from a browser, and no other', async () => {
    const preflight = await platform.app.inject({
      method: 'OPTIONS',
      url: '/v1/documents',
      headers: {
        origin: 'https://ui.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    const other = await platform.app.inject({
      method: 'OPTIONS',
      url: '/v1/documents',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a malformed CORS origin at start-up', async () => {
    expect(() => testConfig({ RHIZOME_CORS_ORIGINS: 'https://ok.example.com, not a url' })).toThrow(
      /RHIZOME_CORS_ORIGINS/,
    );
    expect(
      testConfig({ RHIZOME_CORS_ORIGINS: ' https://a.example.com ,https://b.example.com' }).server
        .corsOrigins,
    ).toEqual(['https://a.example.com', 'https://b.example.com']);
  });
});
