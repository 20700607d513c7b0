import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../support/test-databases.js';
import { enumerateRoutes } from '../support/route-tree.js';
import { bearer, createTestPlatform, type TestPlatform } from '../support/test-platform.js';

/**
 * Tenant isolation over every route the server registers, enumerated from Fastify itself: a route
 * added later (chat, threads, MCP, OpenAI-compatible, Dify…) is attacked as soon as it lands, and
 * the suite fails until it is classified below. Tenant B's keys (every role), forged and missing
 * keys, and injection payloads go at tenant A's real ids; no response may carry A's data.
 */
type Access = 'public' | 'tenant' | 'platform' | 'stream';
const classification: Record<string, Access> = {
  '/healthz': 'public',
  '/readyz': 'public',
  '/metrics': 'public',
  // The API reference: the document and its pages are public (they describe routes, hold no data).
  '/openapi.json': 'public',
  '/docs': 'public',
  '/docs/': 'public',
  '/mcp': 'tenant',
  '/retrieval': 'tenant',
  '/v1/tenants': 'platform',
  '/v1/tenants/:tenant': 'platform',
  '/v1/threads': 'tenant',
  '/v1/threads/:thread': 'tenant',
  '/v1/threads/:thread/runs/:run': 'tenant',
  '/v1/keys': 'tenant',
  '/v1/keys/:key': 'tenant',
  '/v1/me': 'tenant',
  '/v1/models': 'tenant',
  '/v1/models/:model': 'tenant',
  '/v1/collections': 'tenant',
  '/v1/collections/:collection': 'tenant',
  '/v1/chat': 'stream',
  '/v1/chat/completions': 'tenant',
  '/v1/graph/summary': 'tenant',
  '/v1/search': 'tenant',
  '/v1/documents': 'tenant',
  '/v1/documents/events': 'stream',
  '/v1/documents/:document': 'tenant',
  '/v1/documents/:document/original': 'tenant',
  '/v1/documents/:document/reingest': 'tenant',
  '/v1/agent/settings': 'tenant',
  '/v1/graph/entities': 'tenant',
  '/v1/graph/entities/:entity': 'tenant',
  '/v1/graph/entities/:entity/neighbourhood': 'tenant',
  '/v1/graph/subgraph': 'tenant',
  '/v1/documents/:document/chunks': 'tenant',
  '/v1/documents/:document/entities': 'tenant',
  '/v1/usage': 'tenant',
  '/v1/admin/models': 'platform',
  '/v1/admin/models/check': 'platform',
};

const injections = ["' OR '1'='1", '"; DROP TABLE documents; --', '$$) RETURN 1 $$', '../../etc/passwd', '%00'];

describeEachDriver('tenant isolation attack over every route', (driver) => {
  let platform: TestPlatform;
  let victim: { id: string; collection: string; document: string };
  // `secret` is what attackers send (names, queries); `hidden` is only in A's data, never in a request.
  const secret = 'zebra-quartz-secret-of-tenant-a';
  const hidden = 'unicorn-basalt-only-in-tenant-a';
  const attackerKeys: string[] = [];

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    const tenantA = await runtime.tenants.create({ slug: 'victim', name: 'Victim' });
    const tenantB = await runtime.tenants.create({ slug: 'attacker', name: 'Attacker' });
    const collection = await runtime.collections.create(tenantA.id, { name: secret, description: hidden, metadata: {} });
    const [document] = await runtime.documents.intake(tenantA.id, [
      { fileName: `${secret}.md`, bytes: Buffer.from(`# ${hidden}\n\nThe ${hidden} ${secret} is here.\n`) },
    ]);
    victim = { id: tenantA.id, collection: collection.id, document: document!.id };
    for (const role of ['owner', 'editor', 'reader'] as const) {
      attackerKeys.push((await runtime.keys.create({ name: role, role, tenantId: tenantB.id })).key);
    }
  });
  afterAll(() => platform.dispose());

  it('classifies every route, and no attempt reads or changes another tenant', { timeout: 600_000 }, async () => {
    const routes = enumerateRoutes(platform.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(10);
    const unclassified = routes.map((route) => route.path).filter((path) => !(path in classification));
    expect(unclassified, 'classify new routes in route-attack.test.ts').toEqual([]);

    let attempts = 0;
    const leaks: string[] = [];
    const fill = (path: string, value: (name: string) => string) => path.replace(/:(\w+)/g, (_match, name: string) => value(name));
    const victimIds: Record<string, string> = {
      document: victim.document,
      collection: victim.collection,
      tenant: victim.id,
    };
    for (const route of routes) {
      const access = classification[route.path]!;
      if (access === 'public') continue;
      for (const method of route.methods) {
        const targets = [
          fill(route.path, (name) => victimIds[name] ?? victim.id),
          ...injections.map((payload) => fill(route.path, () => encodeURIComponent(payload))),
        ];
        const headerSets: Record<string, string>[] = [
          {},
          bearer('rhz_AAAAAAAAAAAA_forgedforgedforgedforgedforgedforged'),
          bearer(`rhz_${'x'.repeat(5_000)}`),
        ];
        if (access !== 'stream') {
          for (const key of attackerKeys) {
            headerSets.push(bearer(key), { ...bearer(key), 'x-rhizome-tenant': victim.id }, { ...bearer(key), 'x-rhizome-tenant': 'victim' });
          }
        }
        for (const url of targets) {
          for (const headers of headerSets) {
            attempts += 1;
            const response = await platform.app.inject({
              method: method as 'GET',
              url,
              headers,
              ...(method === 'GET' || method === 'DELETE'
                ? {}
                : { payload: { query: secret, name: injections[0], collection: victim.collection, documentIds: [victim.document] } }),
            });
            const authenticated = 'authorization' in headers && attackerKeys.some((key) => headers.authorization === `Bearer ${key}`);
            if (!authenticated) {
              // 403 is the Dify API's answer to a bad key (its wire format).
              if (![401, 403, 404].includes(response.statusCode)) leaks.push(`${method} ${url} without a valid key: ${response.statusCode}`);
              continue;
            }
            // Error messages may echo the id a caller sent; a success carrying A's ids, or anything
            // carrying A's hidden text, is a leak.
            const success = response.statusCode < 300;
            if (response.body.includes(hidden) || (success && (response.body.includes(victim.document) || response.body.includes(victim.collection)))) {
              leaks.push(`${method} ${url} (${headers['x-rhizome-tenant'] ?? 'own tenant'}): ${response.statusCode}`);
            }
            expect(response.statusCode, `${method} ${url}`).toBeLessThan(500);
          }
        }
      }
    }
    // The victim's data is intact after every attempt.
    expect((await platform.runtime.documents.get(victim.id, victim.document)).id).toBe(victim.document);
    expect((await platform.runtime.collections.get(victim.id, victim.collection)).id).toBe(victim.collection);
    // eslint-disable-next-line no-console -- the suite reports its counts (docs/reliability.md)
    console.info(`[${driver.name}] route attack: ${routes.length} routes, ${attempts} attempts, ${leaks.length} leaks`);
    expect(leaks).toEqual([]);
  });
});
