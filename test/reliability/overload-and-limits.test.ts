import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../src/db/postgres-driver.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';
import { buildServer } from '../../src/server/build-server.js';
import { serverDriver, silentLogger, testDrivers, type TestDatabase } from '../support/test-databases.js';
import { bearer, createTestPlatform, testConfig, type TestPlatform } from '../support/test-platform.js';

interface ErrorResponse {
  error: { code: string; details?: { retryAfterSeconds?: number } };
}

describe('rate limits and the metrics token [pglite]', () => {
  let platform: TestPlatform;
  let keyA: string;
  let keyB: string;
  let keyC: string;

  beforeAll(async () => {
    platform = await createTestPlatform(testDrivers[0]!, {
      RHIZOME_RATE_LIMIT_PER_KEY: '5',
      RHIZOME_RATE_LIMIT_PER_TENANT: '8',
      RHIZOME_AUTH_FAILURES_PER_MINUTE: '5',
      RHIZOME_METRICS_TOKEN: 'metrics-token-of-the-test',
    });
    const tenant = await platform.runtime.tenants.create({ slug: 'limited', name: 'Limited' });
    const other = await platform.runtime.tenants.create({ slug: 'other', name: 'Other' });
    keyA = (await platform.runtime.keys.create({ name: 'a', role: 'reader', tenantId: tenant.id })).key;
    keyB = (await platform.runtime.keys.create({ name: 'b', role: 'reader', tenantId: tenant.id })).key;
    keyC = (await platform.runtime.keys.create({ name: 'c', role: 'reader', tenantId: other.id })).key;
  });
  afterAll(() => platform.dispose());

  const get = (key: string, remoteAddress = '127.0.0.1') =>
    platform.app.inject({ url: '/v1/collections', headers: bearer(key), remoteAddress });

  it('limits each key, then the tenant across its keys, with 429 rate_limited and Retry-After', async () => {
    const statusesA = [];
    for (let index = 0; index < 6; index += 1) statusesA.push((await get(keyA)).statusCode);
    expect(statusesA).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await get(keyA);
    expect(refused.json<ErrorResponse>().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Key B has its own budget, but the tenant's (8) runs out within it.
    const statusesB = [];
    for (let index = 0; index < 5; index += 1) statusesB.push((await get(keyB)).statusCode);
    expect(statusesB.filter((status) => status === 429).length).toBeGreaterThan(0);
    // Another tenant is unaffected; probes are never limited.
    expect((await get(keyC)).statusCode).toBe(200);
    for (let index = 0; index < 20; index += 1) expect((await platform.app.inject('/healthz')).statusCode).toBe(200);
  });

  it('refuses an address after repeated bad keys, before looking at any key', async () => {
    const attacker = '127.0.0.9';
    const statuses = [];
    for (let index = 0; index < 8; index += 1) {
      statuses.push((await get(`rhz_AAAAAAAAAAAA_${'x'.repeat(40)}${index}`, attacker)).statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect((await get(keyC, attacker)).statusCode).toBe(429);
    // Other addresses keep working.
    expect((await get(keyC, '127.0.0.10')).statusCode).toBe(200);
  });

  it('serves /metrics only with the configured token', async () => {
    expect((await platform.app.inject('/metrics')).statusCode).toBe(401);
    expect((await platform.app.inject({ url: '/metrics', headers: bearer('wrong-token-wrong-token') })).statusCode).toBe(401);
    const scraped = await platform.app.inject({ url: '/metrics', headers: bearer('metrics-token-of-the-test') });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('http_request_duration_seconds');
  });
});

describe.skipIf(!serverDriver)('a saturated connection pool [postgres]', () => {
  let testDatabase: TestDatabase;
  let runtime: Runtime;
  let app: FastifyInstance;
  let key: string;

  beforeAll(async () => {
    testDatabase = await serverDriver!.create();
    const config = testConfig({ DATABASE_URL: testDatabase.url!, DATABASE_POOL_MAX: '1', DATABASE_CONNECT_TIMEOUT_MS: '300' });
    const database = openPostgresDatabase({ url: testDatabase.url!, poolMax: 1, connectTimeoutMs: 300, logger: silentLogger });
    runtime = await createRuntime(config, silentLogger, { database, migrate: true });
    app = await buildServer({ ...runtime, config, logger: silentLogger });
    const tenant = await runtime.tenants.create({ slug: 'busy', name: 'Busy' });
    key = (await runtime.keys.create({ name: 'k', role: 'owner', tenantId: tenant.id })).key;
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    await runtime.database.close();
    await testDatabase.dispose();
  });

  it('answers 503 overloaded with Retry-After, not database_unavailable, and stays ready', async () => {
    // Authenticate once so the key is known, then hold the only connection.
    expect((await app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = runtime.database.transaction(async () => held);
    try {
      const busy = await app.inject({ url: '/v1/collections', headers: bearer(key) });
      expect(busy.statusCode).toBe(503);
      expect(busy.json<ErrorResponse>().error.code).toBe('overloaded');
      expect(busy.headers['retry-after']).toBeDefined();
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', saturated: true });
    } finally {
      release();
      await holding;
    }
    expect((await app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);
  });
});
