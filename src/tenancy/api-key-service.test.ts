import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver, silentLogger, type TestDatabase } from '../../test/support/test-databases.js';
import type { Database, QueryResult } from '../core/database.js';
import { AuthenticationError } from '../core/errors.js';
import { migrate } from '../db/migrate.js';
import { ApiKeyService } from './api-key-service.js';
import { TenantService } from './tenant-service.js';

/** The database, counting the statements that read API keys: whether a check went to the database. */
function countingKeyReads(database: Database): { database: Database; reads: () => number } {
  let reads = 0;
  const counting = Object.create(database) as Database;
  counting.query = <Row>(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Row>> => {
    if (/FROM api_keys WHERE id/.test(sql)) reads += 1;
    return database.query<Row>(sql, parameters);
  };
  return { database: counting, reads: () => reads };
}

async function rejects(check: Promise<unknown>): Promise<boolean> {
  try {
    await check;
    return false;
  } catch (error) {
    if (error instanceof AuthenticationError) return true;
    throw error;
  }
}

describeEachDriver('API key verification cache', (driver) => {
  let testDatabase: TestDatabase;
  let tenantId: string;

  beforeAll(async () => {
    testDatabase = await driver.create();
    await migrate(testDatabase.database, { embeddingDimensions: 8, embeddingModel: 'test' }, silentLogger);
    const tenants = new TenantService(testDatabase.database);
    tenantId = (await tenants.create({ slug: 'cache', name: 'Cache' })).id;
  }, 120_000);
  afterAll(() => testDatabase?.dispose());

  it('reads a verified key once, yet compares the secret on every check', async () => {
    const counted = countingKeyReads(testDatabase.database);
    const keys = new ApiKeyService(counted.database, { verifiedKeySeconds: 60 });
    const created = await keys.create({ name: 'hot', role: 'reader', tenantId });
    const principal = await keys.authenticate(created.key);
    expect(principal).toEqual({ keyId: created.id, role: 'reader', tenantId });
    const readsAfterFirst = counted.reads();
    for (let index = 0; index < 5; index += 1) expect(await keys.authenticate(created.key)).toEqual(principal);
    expect(counted.reads()).toBe(readsAfterFirst);

    // The same id with another secret is refused, cached or not.
    const forged = `${created.key.slice(0, created.key.lastIndexOf('_') + 1)}${'A'.repeat(43)}`;
    expect(await rejects(keys.authenticate(forged))).toBe(true);
    expect(await keys.authenticate(created.key)).toEqual(principal);
  });

  it('refuses a key revoked through the same instance at once', async () => {
    const keys = new ApiKeyService(testDatabase.database, { verifiedKeySeconds: 60 });
    const created = await keys.create({ name: 'revoked here', role: 'editor', tenantId });
    await keys.authenticate(created.key);
    await keys.revoke(created.id);
    expect(await rejects(keys.authenticate(created.key))).toBe(true);
  });

  it('refuses a key revoked through another instance once the remembered check expires', async () => {
    const counted = countingKeyReads(testDatabase.database);
    const replica = new ApiKeyService(counted.database, { verifiedKeySeconds: 1 });
    const other = new ApiKeyService(testDatabase.database, { verifiedKeySeconds: 1 });
    const created = await other.create({ name: 'revoked elsewhere', role: 'reader', tenantId });
    await replica.authenticate(created.key);
    await other.revoke(created.id);
    // Waits for the condition (refused), not for a duration: the deadline only bounds a failure.
    const deadline = Date.now() + 120_000;
    let refused = false;
    while (!refused && Date.now() < deadline) {
      refused = await rejects(replica.authenticate(created.key));
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused).toBe(true);
    // Refused because the row was read again and found revoked, and it stays refused.
    expect(counted.reads()).toBeGreaterThanOrEqual(2);
    expect(await rejects(replica.authenticate(created.key))).toBe(true);
  });

  it('reads the key on every check when the cache is off', async () => {
    const counted = countingKeyReads(testDatabase.database);
    const keys = new ApiKeyService(counted.database, { verifiedKeySeconds: 0 });
    const created = await keys.create({ name: 'cold', role: 'reader', tenantId });
    await keys.authenticate(created.key);
    await keys.authenticate(created.key);
    expect(counted.reads()).toBe(2);
  });

  it('forgets every verified key on request (a deleted tenant takes its keys along)', async () => {
    const counted = countingKeyReads(testDatabase.database);
    const keys = new ApiKeyService(counted.database, { verifiedKeySeconds: 60 });
    const created = await keys.create({ name: 'forgotten', role: 'reader', tenantId });
    await keys.authenticate(created.key);
    keys.forgetVerifiedKeys();
    await keys.authenticate(created.key);
    expect(counted.reads()).toBe(2);
  });
});
