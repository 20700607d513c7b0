import { createServer, Socket, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../db/postgres-driver.js';
import { createRuntime, type Runtime } from '../platform/runtime.js';
import { serverDriver, silentLogger, type TestDatabase } from '../../test/support/test-databases.js';
import { bearer, testConfig } from '../../test/support/test-platform.js';
import { buildServer } from './build-server.js';
import type { FastifyInstance } from 'fastify';

/** A TCP relay between the service and PostgreSQL that the test can cut and restore. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

describe.skipIf(!serverDriver)('database outage [postgres]', () => {
  let testDatabase: TestDatabase;
  let relay: Relay;
  let runtime: Runtime;
  let app: FastifyInstance;
  let key: string;

  beforeAll(async () => {
    testDatabase = await serverDriver!.create();
    const target = new URL(testDatabase.url!);
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    relay = new Relay({ host: target.hostname, port: Number(target.port) }, port);
    await relay.start();
    const relayedUrl = new URL(testDatabase.url!);
    relayedUrl.port = String(port);
    const config = testConfig({ DATABASE_URL: relayedUrl.toString(), DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    const database = openPostgresDatabase({
      url: relayedUrl.toString(),
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
    await relay.stop();
    await testDatabase.dispose();
  });

  it('answers 503 fast while the database is gone and recovers without a restart', async () => {
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);

    await relay.stop();
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

    await relay.start();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
      status = (await app.inject('/readyz')).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    expect((await app.inject({ url: '/v1/collections', headers: bearer(key) })).statusCode).toBe(200);
  });
});
