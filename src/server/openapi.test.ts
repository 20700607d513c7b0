import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../../test/support/test-databases.js';
import { bearer, createTestPlatform, type TestPlatform } from '../../test/support/test-platform.js';
import { registeredRoutes } from './openapi.js';

interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<
    string,
    Record<string, { summary?: string; requestBody?: unknown; parameters?: { name: string }[] }>
  >;
}

// The document depends on the routes, not on the database: the first driver is enough.
describe('API reference', () => {
  let platform: TestPlatform;
  let document: OpenApiDocument;
  beforeAll(async () => {
    platform = await createTestPlatform(testDrivers[0]!);
    const response = await platform.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode, response.body).toBe(200);
    document = response.json<OpenApiDocument>();
  });
  afterAll(() => platform.dispose());

  it('is OpenAPI 3.1 and lists every /v1 route registered on the server', () => {
    expect(document.openapi).toBe('3.1.0');
    const routes = registeredRoutes(platform.app).filter(
      (route) => route.url.startsWith('/v1/') && route.method !== 'HEAD' && !route.hidden,
    );
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter((route) => {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      return !document.paths[path]?.[route.method.toLowerCase()];
    });
    expect(missing, 'routes missing from /openapi.json').toEqual([]);
  });

  it('documents request bodies, parameters and the multipart upload from the schemas in use', () => {
    const createTenant = document.paths['/v1/tenants']!.post!;
    expect(JSON.stringify(createTenant.requestBody)).toContain('slug');
    const deleteTenant = document.paths['/v1/tenants/{tenant}']!.delete!;
    expect(deleteTenant.parameters!.map((parameter) => parameter.name).sort()).toEqual(['confirm', 'tenant']);
    expect(JSON.stringify(document.paths['/v1/search']!.post!.requestBody)).toContain('rerank');
    expect(JSON.stringify(document.paths['/v1/documents']!.post!.requestBody)).toContain(
      'multipart/form-data',
    );
  });

  it('serves the interactive reference at /docs without a key', async () => {
    const page = await platform.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger');
  });

  it('rejects input by the route schema with the usual validation error and field paths', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: bearer(platform.adminKey),
      payload: { slug: 'Not A Slug', name: '' },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; fields: { path: string }[] } }>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields.map((field) => field.path).sort()).toEqual(['body.name', 'body.slug']);
    const query = await platform.app.inject({
      method: 'GET',
      url: '/v1/documents?limit=0',
      headers: { ...bearer(platform.adminKey), 'x-rhizome-tenant': 'nobody' },
    });
    expect(query.statusCode).toBe(400);
    expect(query.json<{ error: { fields: { path: string }[] } }>().error.fields[0]!.path).toBe('query.limit');
  });
});
