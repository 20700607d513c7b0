import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/build-server.js';
import { rateLimitNamespace } from '../../src/server/rate-limits.js';
import { silentLogger, testDrivers } from '../support/test-databases.js';
import { bearer, createTestPlatform, type TestPlatform } from '../support/test-platform.js';

/**
 * With `REDIS_URL` configured, the per-key budget is shared by every replica: two API processes
 * (here two apps over one runtime) count against the same Redis counters, so a key gets its budget
 * once, not once per replica. Redis going away must not take the API down (requests pass, unlimited,
 * until it is back), and limiting resumes by itself. Runs against a real `redis-server` started
 * here (Debian's package; `.ci/run` installs it); skipped when it is not installed.
 */
const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const SUITE_TITLE = HAVE_REDIS
  ? 'rate limits shared through Redis'
  : 'rate limits shared through Redis (skipped: redis-server is not installed; apt-get install redis-server)';

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const budget = 5;

describe.skipIf(!HAVE_REDIS)(SUITE_TITLE, () => {
  let port: number;
  let redisServer: ChildProcess | undefined;
  let inspector: Redis;
  let platform: TestPlatform;
  let replica: FastifyInstance;
  let tenantId: string;

  function startRedis(): ChildProcess {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    return child;
  }

  async function stopRedis(): Promise<void> {
    const child = redisServer;
    redisServer = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    port = await freePort();
    redisServer = startRedis();
    inspector = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 200, maxRetriesPerRequest: null });
    inspector.on('error', () => undefined); // reconnects by itself; the test asserts through ping
    await until('redis-server accepting connections', () => inspector.ping().then(() => true, () => false));
    platform = await createTestPlatform(testDrivers[0]!, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      RHIZOME_RATE_LIMIT_PER_KEY: String(budget),
      RHIZOME_RATE_LIMIT_PER_TENANT: '0',
    });
    // A second replica of the API: another app with its own Redis connection, same database.
    replica = await buildServer({ ...platform.runtime, config: platform.config, logger: silentLogger });
    tenantId = (await platform.runtime.tenants.create({ slug: 'shared-limits', name: 'Shared limits' })).id;
  });
  afterAll(async () => {
    await replica?.close();
    await platform?.dispose();
    inspector?.disconnect();
    await stopRedis();
  });

  async function newKey(name: string): Promise<{ key: string; keyId: string }> {
    const created = await platform.runtime.keys.create({ name, role: 'reader', tenantId });
    return { key: created.key, keyId: created.id };
  }

  /** Both replicas have counted a request in Redis (their connections are up). */
  async function waitForCounting(): Promise<void> {
    for (const app of [platform.app, replica]) {
      const probe = await newKey('probe');
      await until('the replica counting in Redis', async () => {
        await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(probe.key) });
        return (await inspector.keys(`${rateLimitNamespace}*${probe.keyId}*`)).length > 0;
      });
    }
  }

  it('gives a key its budget once across replicas, with 429 and Retry-After past it', async () => {
    await waitForCounting();
    const { key, keyId } = await newKey('shared');
    const statuses: number[] = [];
    for (let request = 0; request < budget; request += 1) {
      const app = request % 2 === 0 ? platform.app : replica;
      statuses.push((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key) })).statusCode);
    }
    expect(statuses).toEqual(Array(budget).fill(200));
    // Per-process counters would allow each replica `budget` requests; shared ones refuse now.
    for (const app of [platform.app, replica]) {
      const refused = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key) });
      expect(refused.statusCode).toBe(429);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    const counters = await inspector.keys(`${rateLimitNamespace}*key:${keyId}`);
    expect(counters).toHaveLength(1);
    expect(Number(await inspector.get(counters[0]!))).toBe(budget + 2);
  });

  it('keeps answering while Redis is down, and limits again once it is back', { timeout: 300_000 }, async () => {
    await stopRedis();
    const { key } = await newKey('outage');
    // Fail open: the counters are gone for now, the API is not.
    for (let request = 0; request < budget + 3; request += 1) {
      const response = await platform.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key) });
      expect(response.statusCode).toBe(200);
    }
    redisServer = startRedis();
    await until('redis-server back', () => inspector.ping().then(() => true, () => false));
    await waitForCounting();
    const after = await newKey('after-outage');
    const statuses: number[] = [];
    for (let request = 0; request <= budget; request += 1) {
      statuses.push((await platform.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(after.key) })).statusCode);
    }
    expect(statuses).toEqual([...Array(budget).fill(200), 429]);
  });
});
