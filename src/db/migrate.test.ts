import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDriver, serverDriver, silentLogger, type TestDatabase } from '../../test/support/test-databases.js';
import { currentMigrationId, latestMigrationId, migrate } from './migrate.js';
import { migrations } from './migrations/index.js';

const context = { embeddingDimensions: 384, embeddingModel: 'rhizome-hashed-v1' };

describeEachDriver('migrations', (driver) => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await driver.create();
  });
  afterAll(() => testDatabase.dispose());

  it('apply on an empty database, then find nothing to do', async () => {
    const { database } = testDatabase;
    expect(await currentMigrationId(database)).toBe(0);
    const first = await migrate(database, context, silentLogger);
    expect(first.applied.map((migration) => migration.id)).toEqual(migrations.map((migration) => migration.id));
    const second = await migrate(database, context, silentLogger);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(migrations.length);
    expect(await currentMigrationId(database)).toBe(latestMigrationId());
  });

  it('create the domain tables with row-level security and a sized HNSW index', async () => {
    const { database } = testDatabase;
    const tables = await database.query<{ relname: string; relrowsecurity: boolean }>(
      `SELECT relname, relrowsecurity FROM pg_class
       WHERE relname IN ('tenants', 'api_keys', 'collections', 'documents', 'chunks', 'entities', 'entity_mentions')
       ORDER BY relname`,
    );
    expect(tables.rows).toHaveLength(7);
    expect(tables.rows.every((row) => row.relrowsecurity)).toBe(true);
    const embedding = await database.query<{ type: string }>(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
       WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'`,
    );
    expect(embedding.rows[0]?.type).toBe('vector(384)');
    const index = await database.query<{ definition: string }>(
      "SELECT pg_get_indexdef('chunks_embedding_hnsw'::regclass) AS definition",
    );
    expect(index.rows[0]?.definition).toContain('USING hnsw (embedding vector_cosine_ops)');
  });
});

describe.skipIf(!serverDriver)('migrations from two processes at once [postgres]', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await serverDriver!.create();
  });
  afterAll(() => testDatabase.dispose());

  function runMigrateProcess(url: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/rhizome.js', 'migrate'], {
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'error' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (data: Buffer) => (output += data.toString()));
      child.stderr.on('data', (data: Buffer) => (output += data.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  it('serialise on the advisory lock: both succeed, each migration is applied once', async () => {
    const url = testDatabase.url!;
    const results = await Promise.all([runMigrateProcess(url), runMigrateProcess(url)]);
    for (const result of results) expect(result.code, result.output).toBe(0);
    const outputs = results.map((result) => result.output).sort();
    // Exactly one process applied the migrations; the other found the database up to date.
    const appliedLine = `Applied: ${migrations.map((migration) => `${migration.id} ${migration.name}`).join(', ')}`;
    expect(outputs.filter((output) => output.includes(appliedLine))).toHaveLength(1);
    expect(outputs.filter((output) => output.includes('Database is up to date.'))).toHaveLength(1);
    const rows = await testDatabase.database.query<{ id: number; count: number }>(
      'SELECT id, count(*) FROM schema_migrations GROUP BY id',
    );
    expect(rows.rows.map((row) => [row.id, row.count]).sort()).toEqual(migrations.map((migration) => [migration.id, 1]));
  });
});
