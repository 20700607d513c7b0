import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import { bearer, createTestPlatform, type TestPlatform } from '../../test/support/test-platform.js';
import { RhizomeError } from '../core/errors.js';

interface ErrorResponse {
  error: { code: string; message: string; category: string; requestId: string; fields?: { path: string }[] };
}

describeEachDriver('HTTP API', (driver) => {
  let platform: TestPlatform;
  let tenantA: { id: string; slug: string };
  let tenantB: { id: string; slug: string };
  let ownerA: string;
  let readerA: string;
  let ownerB: string;

  async function createKey(authorization: string, body: Record<string, unknown>): Promise<string> {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(authorization),
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ key: string }>().key;
  }

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    // A route that fails the way a bug would, to see what a client learns from a 500.
    platform.app.get('/v1/test/explode', async () => {
      throw new Error('secret internal detail at /srv/rhizome/src/x.ts:12');
    });
    platform.app.get('/v1/test/upstream', async () => {
      throw new RhizomeError('embedding_provider_failed', 'upstream_failed', 'upstream', 'The embedder failed');
    });
    const create = async (slug: string) => {
      const response = await platform.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: bearer(platform.adminKey),
        payload: { slug, name: slug.toUpperCase() },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string; slug: string }>();
    };
    tenantA = await create('alpha');
    tenantB = await create('beta');
    ownerA = await createKey(platform.adminKey, { name: 'a owner', role: 'owner', tenantId: tenantA.id });
    ownerB = await createKey(platform.adminKey, { name: 'b owner', role: 'owner', tenantId: tenantB.id });
    readerA = await createKey(ownerA, { name: 'a reader', role: 'reader' });
  });
  afterAll(() => platform.dispose());

  it('serves probes and metrics without a key', async () => {
    expect((await platform.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await platform.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', database: driver.name });
    const metrics = await platform.app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('http_request_duration_seconds_bucket{');
    expect(metrics.body).toContain('route="/readyz"');
    expect(metrics.body).toContain('rhizome_database_pool_connections{pool="primary",state="total"}');
  });

  it('tags every response with a request id, keeping a sane incoming one', async () => {
    const generated = await platform.app.inject('/healthz');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await platform.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const replaced = await platform.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id\nforged' } });
    expect(replaced.headers['x-request-id']).not.toContain('forged');
  });

  it('answers 401 for a missing, malformed, wrong or revoked key', async () => {
    const missing = await platform.app.inject('/v1/collections');
    expect(missing.statusCode).toBe(401);
    expect(missing.json<ErrorResponse>().error.code).toBe('missing_credentials');
    expect(missing.headers['www-authenticate']).toContain('Bearer');

    for (const authorization of ['Basic abc', 'Bearer nonsense', `Bearer ${ownerA.slice(0, -2)}xx`]) {
      const response = await platform.app.inject({ url: '/v1/collections', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.json<ErrorResponse>().error.code).toBe('invalid_credentials');
    }

    const doomed = await createKey(ownerA, { name: 'doomed', role: 'editor' });
    expect((await platform.app.inject({ url: '/v1/collections', headers: bearer(doomed) })).statusCode).toBe(200);
    const keyId = doomed.split('_')[1]!;
    const revoke = await platform.app.inject({ method: 'DELETE', url: `/v1/keys/${keyId}`, headers: bearer(ownerA) });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    const after = await platform.app.inject({ url: '/v1/collections', headers: bearer(doomed) });
    expect(after.statusCode).toBe(401);
  });

  it('answers 403 when the role is too weak', async () => {
    const write = await platform.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: bearer(readerA),
      payload: { name: 'nope' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json<ErrorResponse>().error).toMatchObject({ code: 'forbidden', category: 'user' });
    const tenants = await platform.app.inject({ url: '/v1/tenants', headers: bearer(ownerA) });
    expect(tenants.statusCode).toBe(403);
    const adminKey = await platform.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(ownerA),
      payload: { name: 'escalate', role: 'admin' },
    });
    expect(adminKey.statusCode).toBe(403);
    const readerKeys = await platform.app.inject({ url: '/v1/keys', headers: bearer(readerA) });
    expect(readerKeys.statusCode).toBe(403);
  });

  it('answers 400 with the list of offending fields', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: bearer(platform.adminKey),
      payload: { slug: 'Not A Slug!', name: '' },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<ErrorResponse>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields?.map((field) => field.path).sort()).toEqual(['body.name', 'body.slug']);

    const badJson = await platform.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: { ...bearer(ownerA), 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json<ErrorResponse>().error.code).toBe('invalid_request');

    const adminWithoutTenant = await platform.app.inject({ url: '/v1/collections', headers: bearer(platform.adminKey) });
    expect(adminWithoutTenant.statusCode).toBe(400);
    expect(adminWithoutTenant.json<ErrorResponse>().error.fields?.[0]?.path).toBe('headers.x-rhizome-tenant');
  });

  it('answers 404 for an unknown route and 409 for a duplicate', async () => {
    const unknown = await platform.app.inject({ url: '/v1/does-not-exist', headers: bearer(ownerA) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorResponse>().error.code).toBe('route_not_found');
    const duplicate = await platform.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: bearer(platform.adminKey),
      payload: { slug: 'alpha', name: 'again' },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json<ErrorResponse>().error.code).toBe('tenant_exists');
  });

  it('answers 500 with the request id and nothing internal for an unexpected error', async () => {
    const response = await platform.app.inject({ url: '/v1/test/explode', headers: bearer(ownerA) });
    expect(response.statusCode).toBe(500);
    const body = response.json<ErrorResponse>();
    expect(body.error).toEqual({
      code: 'internal_error',
      message: 'Internal server error',
      category: 'system',
      requestId: response.headers['x-request-id'],
    });
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toContain('.ts:');
    const upstream = await platform.app.inject({ url: '/v1/test/upstream', headers: bearer(ownerA) });
    expect(upstream.statusCode).toBe(502);
    expect(upstream.json<ErrorResponse>().error).toMatchObject({ code: 'embedding_provider_failed', category: 'upstream' });
  });

  it("keeps tenants apart: A's key gets 403/404 on B's resources", async () => {
    const created = await platform.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: bearer(ownerB),
      payload: { name: 'b-private', description: 'only B' },
    });
    expect(created.statusCode).toBe(201);
    const collectionB = created.json<{ id: string }>();

    const listA = await platform.app.inject({ url: '/v1/collections', headers: bearer(ownerA) });
    expect(listA.json<{ collections: unknown[] }>().collections).toEqual([]);
    const getB = await platform.app.inject({ url: `/v1/collections/${collectionB.id}`, headers: bearer(ownerA) });
    expect(getB.statusCode).toBe(404);
    const deleteB = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/collections/${collectionB.id}`,
      headers: bearer(ownerA),
    });
    expect(deleteB.statusCode).toBe(404);
    const tenantHeader = await platform.app.inject({
      url: '/v1/collections',
      headers: { ...bearer(ownerA), 'x-rhizome-tenant': tenantB.id },
    });
    expect(tenantHeader.statusCode).toBe(403);
    const tenantRecord = await platform.app.inject({ url: `/v1/tenants/${tenantB.id}`, headers: bearer(ownerA) });
    expect(tenantRecord.statusCode).toBe(404);
    const ownTenant = await platform.app.inject({ url: `/v1/tenants/${tenantA.slug}`, headers: bearer(ownerA) });
    expect(ownTenant.statusCode).toBe(200);
    const keysOfB = await platform.app.inject({ url: `/v1/keys?tenantId=${tenantB.id}`, headers: bearer(ownerA) });
    expect(keysOfB.statusCode).toBe(403);
    const ownerBKeyId = ownerB.split('_')[1]!;
    const revokeB = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/keys/${ownerBKeyId}`,
      headers: bearer(ownerA),
    });
    expect(revokeB.statusCode).toBe(404);

    // B's data is untouched, and the admin can reach it by naming the tenant.
    const asAdmin = await platform.app.inject({
      url: '/v1/collections',
      headers: { ...bearer(platform.adminKey), 'x-rhizome-tenant': tenantB.slug },
    });
    expect(asAdmin.json<{ collections: { name: string }[] }>().collections.map((c) => c.name)).toEqual(['b-private']);
  });

  it("exposes only the caller's own graph", async () => {
    const summaryA = await platform.app.inject({ url: '/v1/graph/summary', headers: bearer(readerA) });
    expect(summaryA.statusCode).toBe(200);
    expect(summaryA.json()).toEqual({ graph: `tenant_${tenantA.id.replaceAll('-', '')}`, vertices: 0, edges: 0 });
    const summaryB = await platform.app.inject({
      url: '/v1/graph/summary',
      headers: { ...bearer(readerA), 'x-rhizome-tenant': tenantB.slug },
    });
    expect(summaryB.statusCode).toBe(403);
  });

  it('lets an admin delete a tenant, which revokes its keys', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: bearer(platform.adminKey),
      payload: { slug: 'short-lived', name: 'Short lived' },
    });
    const tenant = response.json<{ id: string }>();
    const key = await createKey(platform.adminKey, { name: 'temp', role: 'editor', tenantId: tenant.id });
    // Irreversible: without the slug repeated as confirmation nothing is deleted.
    for (const confirm of ['', '?confirm=alpha', `?confirm=${tenant.id}`]) {
      const refused = await platform.app.inject({
        method: 'DELETE',
        url: `/v1/tenants/${tenant.id}${confirm}`,
        headers: bearer(platform.adminKey),
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<ErrorResponse>().error.message).toContain('?confirm=short-lived');
    }
    expect((await platform.app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);
    const forbidden = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/tenants/${tenant.id}?confirm=short-lived`,
      headers: bearer(key),
    });
    expect(forbidden.statusCode).toBe(403);
    const deleted = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/tenants/short-lived?confirm=short-lived`,
      headers: bearer(platform.adminKey),
    });
    expect(deleted.statusCode).toBe(200);
    expect((await platform.app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(401);
    const again = await platform.app.inject({
      method: 'DELETE',
      url: `/v1/tenants/${tenant.id}?confirm=short-lived`,
      headers: bearer(platform.adminKey),
    });
    expect(again.statusCode).toBe(404);
  });

  it('names tenants by slug or id wherever it takes one', async () => {
    const bySlug = await platform.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(platform.adminKey),
      payload: { name: 'by slug', role: 'reader', tenantId: 'alpha' },
    });
    expect(bySlug.statusCode, bySlug.body).toBe(201);
    expect(bySlug.json<{ tenantId: string }>().tenantId).toBe(tenantA.id);
    const listed = await platform.app.inject({ url: '/v1/keys?tenantId=alpha', headers: bearer(platform.adminKey) });
    expect(listed.json<{ keys: { tenantId: string }[] }>().keys.every((key) => key.tenantId === tenantA.id)).toBe(true);
    const unknown = await platform.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(platform.adminKey),
      payload: { name: 'nobody', role: 'reader', tenantId: 'nobody' },
    });
    expect(unknown.statusCode).toBe(404);
    // An owner names its own tenant by slug; another tenant's slug (or an unknown one) is refused alike.
    const own = await platform.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(ownerA),
      payload: { name: 'own', role: 'reader', tenantId: 'alpha' },
    });
    expect(own.statusCode, own.body).toBe(201);
    for (const other of ['beta', 'nobody']) {
      const refused = await platform.app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: bearer(ownerA),
        payload: { name: 'other', role: 'reader', tenantId: other },
      });
      expect(refused.statusCode).toBe(403);
    }
    const header = await platform.app.inject({
      url: '/v1/collections',
      headers: { ...bearer(platform.adminKey), 'x-rhizome-tenant': 'alpha' },
    });
    expect(header.statusCode).toBe(200);
  });

  it('reports who is calling', async () => {
    const response = await platform.app.inject({ url: '/v1/me', headers: bearer(readerA) });
    expect(response.json()).toEqual({ keyId: readerA.split('_')[1], role: 'reader', tenantId: tenantA.id });
  });
});
