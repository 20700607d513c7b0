import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Test settings: a fresh data folder (stored originals) unless one is given. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    RHIZOME_PROFILE: 'test',
    RHIZOME_DATA_DIR: mkdtempSync(join(tmpdir(), 'rhizome-test-')),
    RHIZOME_JOB_RETRY_DELAY_SECONDS: '1',
    ...overrides,
  });
}

/** A migrated database with the full HTTP app over it and one platform admin key. */
export async function createTestPlatform(
  driver: TestDriver,
  overrides: Record<string, string> = {},
): Promise<TestPlatform> {
  const testDatabase = await driver.create();
  const config = testConfig({ ...(testDatabase.url ? { DATABASE_URL: testDatabase.url } : {}), ...overrides });
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
      await rm(config.dataDirectory, { recursive: true, force: true });
    },
  };
}

/** Polls until every listed document is indexed or failed; returns their records. */
export async function waitForDocuments(
  runtime: Runtime,
  tenantId: string,
  documentIds: readonly string[],
  timeoutMs = 240_000,
): Promise<Awaited<ReturnType<Runtime['documents']['get']>>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(documentIds.map((id) => runtime.documents.get(tenantId, id)));
    if (records.every((record) => record.status === 'indexed' || record.status === 'failed')) return records;
    if (Date.now() > deadline) {
      throw new Error(`documents not finished: ${records.map((record) => `${record.fileName}=${record.status}`).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
