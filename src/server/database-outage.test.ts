import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../db/postgres-driver.js';
import { createRuntime, type Runtime } from '../platform/runtime.js';
import { serverDriver, silentLogger, type TestDatabase } from '../../test/support/test-databases.js';
import { bearer, testConfig } from '../../test/support/test-platform.js';
import { buildServer } from './build-server.js';
import type { FastifyInstance } from 'fastify';
import { TcpRelay } from '../../test/support/tcp-relay.js';

describe.skipIf(!serverDriver)('database outage [postgres]', () => {
  let testDatabase: TestDatabase;
  let relay: TcpRelay;
  let runtime: Runtime;
  let app: FastifyInstance;
  let key: string;

  beforeAll(async () => {
    testDatabase = await serverDriver!.create();
    relay = await TcpRelay.start(testDatabase.url!);
    const relayedUrl = relay.relayedUrl(testDatabase.url!);
    const config = testConfig({ DATABASE_URL: relayedUrl, DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    const database = openPostgresDatabase({
      url: relayedUrl,
      poolMax: 4,
      connectTimeoutMs: 1_000,
      logger: silentLogger,
    });
    runtime = await createRuntime(config, silentLogger, { database, migrate: true });
    app = await buildServer({ ...runtime, config, logger: silentLogger });
    const tenant = await runtime.tenants.create({ slug: 'outage', name: 'Outage' });
    key = (await runtime.keys.create({ name: 'k', role: 'owner', tenantId: tenant.id })).key;
  });
  afterAll(async () => {
    await app.close();
    await runtime.database.close();
    await relay.cut();
    await testDatabase.dispose();
  });

  it('answers 503 fast while the database is gone and recovers without a restart', async () => {
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);

    await relay.cut();
    const started = Date.now();
    const readiness = await app.inject('/readyz');
    expect(readiness.statusCode).toBe(503);
    expect(readiness.json()).toMatchObject({ status: 'unavailable', reason: 'database_unavailable' });
    const request = await app.inject({ url: '/v1/collections', headers: bearer(key) });
    expect(request.statusCode).toBe(503);
    expect(request.json()).toMatchObject({ error: { code: 'database_unavailable', category: 'system' } });
    expect(request.headers['retry-after']).toBe('5');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await app.inject('/healthz')).statusCode).toBe(200);

    await relay.restore();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
      status = (await app.inject('/readyz')).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    expect((await app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);
  });
});
