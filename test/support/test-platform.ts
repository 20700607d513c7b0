import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/core/config.js';
import type { Database } from '../../src/core/database.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';
import { buildServer } from '../../src/server/build-server.js';
import { silentLogger, type TestDriver } from './test-databases.js';

export interface TestPlatform {
  readonly runtime: Runtime;
  readonly database: Database;
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly adminKey: string;
  readonly url: string | undefined;
  dispose(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ RHIZOME_PROFILE: 'test', ...overrides });
}

/** A migrated database with the full HTTP app over it and one platform admin key. */
export async function createTestPlatform(driver: TestDriver): Promise<TestPlatform> {
  const testDatabase = await driver.create();
  const config = testConfig();
  const runtime = await createRuntime(config, silentLogger, { database: testDatabase.database, migrate: true });
  const app = await buildServer({ ...runtime, config, logger: silentLogger });
  const admin = await runtime.keys.create({ name: 'test admin', role: 'admin', tenantId: null });
  return {
    runtime,
    database: testDatabase.database,
    app,
    config,
    adminKey: admin.key,
    url: testDatabase.url,
    async dispose() {
      await app.close();
      await runtime.close();
      await testDatabase.dispose();
    },
  };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
