import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../core/database.js';
import { describeEachDriver, silentLogger, type TestDatabase } from '../../test/support/test-databases.js';
import { TenantService, type Tenant } from '../tenancy/tenant-service.js';
import { runCypher } from './graph/cypher.js';
import { countGraph, useGraphSearchPath } from './graph/tenant-graph.js';
import { migrate } from './migrate.js';
import { withTenant } from './tenant-scope.js';

async function seedTenantData(database: Database, tenant: Tenant, label: string): Promise<void> {
  await withTenant(database, tenant.id, async (transaction) => {
    const documents = await transaction.query<{ id: string }>(
      `INSERT INTO documents (tenant_id, file_name, byte_size, content_hash, title)
       VALUES ($1, $2, 10, $3, $2) RETURNING id`,
      [tenant.id, `${label}.txt`, `hash-${label}`],
    );
    const documentId = documents.rows[0]!.id;
    const chunks = await transaction.query<{ id: string }>(
      `INSERT INTO chunks (tenant_id, document_id, chunk_index, text, content, start_offset, end_offset, token_count)
       VALUES ($1, $2, 0, $3, $3, 0, 10, 2) RETURNING id`,
      [tenant.id, documentId, `secret of ${label}`],
    );
    const entities = await transaction.query<{ id: string }>(
      `INSERT INTO entities (tenant_id, name, normalized_name) VALUES ($1, $2, lower($2)) RETURNING id`,
      [tenant.id, `Entity ${label}`],
    );
    await transaction.query(
      `INSERT INTO entity_mentions (tenant_id, entity_id, chunk_id, document_id) VALUES ($1, $2, $3, $4)`,
      [tenant.id, entities.rows[0]!.id, chunks.rows[0]!.id, documentId],
    );
    await transaction.query(`INSERT INTO collections (tenant_id, name) VALUES ($1, $2)`, [tenant.id, label]);
    await useGraphSearchPath(transaction);
    await runCypher(transaction, tenant.graphName, 'CREATE (:Entity {name: $name})', {
      parameters: { name: label },
    });
  });
}

describeEachDriver('tenant isolation by row-level security', (driver) => {
  let testDatabase: TestDatabase;
  let tenantA: Tenant;
  let tenantB: Tenant;
  let tenants: TenantService;
  beforeAll(async () => {
    testDatabase = await driver.create();
    await migrate(testDatabase.database, { embeddingDimensions: 8, embeddingModel: 'test' }, silentLogger);
    tenants = new TenantService(testDatabase.database);
    tenantA = await tenants.create({ slug: 'tenant-a', name: 'A' });
    tenantB = await tenants.create({ slug: 'tenant-b', name: 'B' });
    await seedTenantData(testDatabase.database, tenantA, 'alpha');
    await seedTenantData(testDatabase.database, tenantB, 'beta');
  });
  afterAll(() => testDatabase.dispose());

  it('a query without any tenant filter sees only the scoped tenant', async () => {
    const { database } = testDatabase;
    for (const table of ['documents', 'chunks', 'entities', 'entity_mentions', 'collections']) {
      const rows = await withTenant(database, tenantA.id, (transaction) =>
        transaction.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${table}`),
      );
      expect(rows.rowCount, table).toBe(1);
      expect(rows.rows[0]!.tenant_id, table).toBe(tenantA.id);
    }
    const texts = await withTenant(database, tenantA.id, (transaction) =>
      transaction.query<{ text: string }>('SELECT text FROM chunks'),
    );
    expect(texts.rows).toEqual([{ text: 'secret of alpha' }]);
    const visibleTenants = await withTenant(database, tenantA.id, (transaction) =>
      transaction.query<{ slug: string }>('SELECT slug FROM tenants'),
    );
    expect(visibleTenants.rows).toEqual([{ slug: 'tenant-a' }]);
  });

  it("cannot read, write, update or delete another tenant's rows", async () => {
    const { database } = testDatabase;
    await expect(
      withTenant(database, tenantA.id, (transaction) =>
        transaction.query('INSERT INTO collections (tenant_id, name) VALUES ($1, $2)', [tenantB.id, 'planted']),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await withTenant(database, tenantA.id, (transaction) =>
      transaction.query('UPDATE chunks SET text = $1 WHERE tenant_id = $2', ['overwritten', tenantB.id]),
    );
    expect(updated.rowCount).toBe(0);
    const deleted = await withTenant(database, tenantA.id, (transaction) =>
      transaction.query('DELETE FROM documents WHERE tenant_id = $1', [tenantB.id]),
    );
    expect(deleted.rowCount).toBe(0);
    const intact = await withTenant(database, tenantB.id, (transaction) =>
      transaction.query<{ text: string }>('SELECT text FROM chunks'),
    );
    expect(intact.rows).toEqual([{ text: 'secret of beta' }]);
  });

  it('the application role without a tenant sees nothing at all', async () => {
    const rows = await testDatabase.database.transaction(async (transaction) => {
      await transaction.query("SELECT set_config('role', 'rhizome_app', true)");
      return transaction.query('SELECT id FROM chunks');
    });
    expect(rows.rowCount).toBe(0);
  });

  it('refuses a malformed tenant id before any SQL', async () => {
    await expect(withTenant(testDatabase.database, "x' OR '1'='1", async () => 1)).rejects.toThrow(/tenant id/);
  });

  it('gives each tenant its own graph', async () => {
    const { database } = testDatabase;
    const names = await withTenant(database, tenantA.id, async (transaction) => {
      await useGraphSearchPath(transaction);
      return runCypher<{ name: string }>(transaction, tenantA.graphName, 'MATCH (n:Entity) RETURN n.name', {
        columns: ['name'],
      });
    });
    expect(names).toEqual([{ name: 'alpha' }]);
    expect(await countGraph(database, tenantB.graphName)).toEqual({ vertices: 1, edges: 0 });
  });

  it("cannot read, write, update or delete another tenant's graph, even naming its schema in SQL", async () => {
    const { database } = testDatabase;
    const other = tenantB.graphName;
    // Every label table of B's graph, read in A's scope, is empty; in B's own scope it is not.
    const readAs = (tenant: Tenant) =>
      withTenant(database, tenant.id, (transaction) =>
        transaction.query<{ vertices: number; entities: number; edges: number; related: number }>(
          `SELECT (SELECT count(*)::int FROM "${other}"._ag_label_vertex) AS vertices,
                  (SELECT count(*)::int FROM "${other}"."Entity") AS entities,
                  (SELECT count(*)::int FROM "${other}"._ag_label_edge) AS edges,
                  (SELECT count(*)::int FROM "${other}"."RELATED") AS related`,
        ),
      );
    expect((await readAs(tenantA)).rows[0]).toEqual({ vertices: 0, entities: 0, edges: 0, related: 0 });
    expect((await readAs(tenantB)).rows[0]).toMatchObject({ vertices: 1, entities: 1 });
    // Cypher over B's graph from A's scope finds nothing either.
    const throughCypher = await withTenant(database, tenantA.id, async (transaction) => {
      await useGraphSearchPath(transaction);
      return runCypher<{ name: string }>(transaction, other, 'MATCH (n:Entity) RETURN n.name', { columns: ['name'] });
    });
    expect(throughCypher).toEqual([]);
    await expect(
      withTenant(database, tenantA.id, (transaction) =>
        transaction.query(
          `INSERT INTO "${other}"."Entity" (id, properties)
           VALUES (ag_catalog._graphid(ag_catalog._label_id('${other}', 'Entity'), 999999), '{}'::ag_catalog.agtype)`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const changed = await withTenant(database, tenantA.id, async (transaction) => {
      const updated = await transaction.query(`UPDATE "${other}"."Entity" SET properties = '{}'::ag_catalog.agtype`);
      const deleted = await transaction.query(`DELETE FROM "${other}"._ag_label_vertex`);
      return [updated.rowCount, deleted.rowCount];
    });
    expect(changed).toEqual([0, 0]);
    expect(await countGraph(database, other)).toEqual({ vertices: 1, edges: 0 });
    // No table of any tenant graph is left without row-level security.
    const unprotected = await database.query<{ table: string }>(
      `SELECT n.nspname || '.' || c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN (SELECT graph_name FROM tenants) AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity`,
    );
    expect(unprotected.rows).toEqual([]);
  });

  it('deleting a tenant removes all its rows and its graph, and nothing of the other', async () => {
    const { database } = testDatabase;
    const doomed = await tenants.create({ slug: 'tenant-doomed', name: 'Doomed' });
    await seedTenantData(database, doomed, 'gamma');
    await tenants.delete(doomed.slug);
    for (const table of ['documents', 'chunks', 'entities', 'entity_mentions', 'collections', 'api_keys']) {
      const rows = await database.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${table} WHERE tenant_id = $1`,
        [doomed.id],
      );
      expect(rows.rows[0]!.count, table).toBe(0);
    }
    const graphs = await database.query('SELECT 1 FROM ag_catalog.ag_graph WHERE name = $1', [doomed.graphName]);
    expect(graphs.rowCount).toBe(0);
    const schemas = await database.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [doomed.graphName]);
    expect(schemas.rowCount).toBe(0);
    const remaining = await database.query<{ count: number }>('SELECT count(*)::int AS count FROM chunks');
    expect(remaining.rows[0]!.count).toBe(2);
  });
});
