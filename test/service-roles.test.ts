import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { roleDescriptions, routesOfRole, serviceRoles, type ServiceRole } from '../src/cli/service-roles.js';
import { buildServer } from '../src/server/build-server.js';
import { describeEachDriver, silentLogger } from './support/test-databases.js';
import { bearer, createTestPlatform, type TestPlatform } from './support/test-platform.js';

// Each role serves what its start-up line and `serve --help` say (src/cli/service-roles.ts), and
// nothing more: a retrieval replica takes no uploads, an agent replica administers nothing.
describeEachDriver('what each service role serves', (driver) => {
  let platform: TestPlatform;
  let ownerKey: string;
  const apps = new Map<ServiceRole, FastifyInstance>();

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime, config } = platform;
    const tenant = await runtime.tenants.create({ slug: 'roles', name: 'Roles' });
    ownerKey = (await runtime.keys.create({ name: 'o', role: 'owner', tenantId: tenant.id })).key;
    for (const role of serviceRoles) {
      apps.set(role, await buildServer({ ...runtime, config, logger: silentLogger, ...routesOfRole(role) }));
    }
  }, 300_000);
  afterAll(async () => {
    for (const app of apps.values()) await app.close();
    await platform.dispose();
  });

  const probes: Record<string, (app: FastifyInstance) => Promise<number>> = {
    health: async (app) => (await app.inject({ method: 'GET', url: '/healthz' })).statusCode,
    search: async (app) =>
      (
        await app.inject({
          method: 'POST',
          url: '/v1/search',
          headers: bearer(ownerKey),
          payload: { query: 'anything', mode: 'bm25' },
        })
      ).statusCode,
    graph: async (app) => (await app.inject({ method: 'GET', url: '/v1/graph/summary', headers: bearer(ownerKey) })).statusCode,
    documents: async (app) => (await app.inject({ method: 'GET', url: '/v1/documents', headers: bearer(ownerKey) })).statusCode,
    tenants: async (app) => (await app.inject({ method: 'GET', url: '/v1/tenants', headers: bearer(platform.adminKey) })).statusCode,
    keys: async (app) => (await app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(ownerKey) })).statusCode,
    threads: async (app) => (await app.inject({ method: 'GET', url: '/v1/threads', headers: bearer(ownerKey) })).statusCode,
    models: async (app) => (await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(ownerKey) })).statusCode,
  };
  const expected: Record<ServiceRole, readonly string[]> = {
    all: Object.keys(probes),
    api: Object.keys(probes),
    worker: ['health'],
    retrieval: ['health', 'search', 'graph'],
    agent: ['health', 'threads', 'models'],
  };

  it.each(serviceRoles)('role %s serves exactly its routes', async (role) => {
    const app = apps.get(role)!;
    const served: string[] = [];
    for (const [name, probe] of Object.entries(probes)) {
      const status = await probe(app);
      expect([200, 404], `${role} ${name}: ${status}`).toContain(status);
      if (status === 200) served.push(name);
    }
    expect(served).toEqual(expected[role]);
  });

  it('says so: the descriptions name what the retrieval and agent roles serve', () => {
    expect(roleDescriptions.retrieval).toContain('/v1/search');
    expect(roleDescriptions.retrieval).toContain('no uploads');
    expect(roleDescriptions.agent).toContain('/v1/chat');
    expect(roleDescriptions.agent).toContain('/mcp');
    for (const description of Object.values(roleDescriptions)) expect(description).not.toContain('yet');
  });
});
