import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphNameForTenant } from '../../src/db/graph/graph-identifiers.js';
import { entityLabel, relationLabel } from '../../src/db/graph/tenant-graph.js';
import { describeEachDriver } from '../support/test-databases.js';
import { createTestPlatform, type TestPlatform } from '../support/test-platform.js';

describeEachDriver('tenant graph indexes', (driver) => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
  });
  afterAll(() => platform.dispose());

  it('creates and deletes several tenants at once, each with its own secured graph', async () => {
    // Two at once used to collide on AGE's catalog grants ("tuple concurrently updated": a 500).
    const slugs = ['parallel-1', 'parallel-2', 'parallel-3', 'parallel-4'];
    const created = await Promise.all(slugs.map((slug) => platform.runtime.tenants.create({ slug, name: slug })));
    expect(created.map((tenant) => tenant.slug).sort()).toEqual(slugs);
    const graphs = await platform.database.query<{ name: string }>(
      'SELECT name::text AS name FROM ag_catalog.ag_graph WHERE name::text = ANY($1::text[])',
      [created.map((tenant) => graphNameForTenant(tenant.id))],
    );
    expect(graphs.rows).toHaveLength(slugs.length);
    await Promise.all(created.map((tenant) => platform.runtime.tenants.delete(tenant.id)));
    const left = await platform.database.query<{ name: string }>(
      'SELECT name::text AS name FROM ag_catalog.ag_graph WHERE name::text = ANY($1::text[])',
      [created.map((tenant) => graphNameForTenant(tenant.id))],
    );
    expect(left.rows).toEqual([]);
  });

  it('index the vertex and edge label tables by id, which every document write looks them up by', async () => {
    // Indexing a document refreshes the properties of its edges, and removing one deletes vertices
    // and edges, all by graph id. AGE's label tables inherit no index from their parents: without
    // one each of those statements scans every edge of the tenant, so ingestion slows down in
    // proportion to the graph (at 850k edges, a sequential scan for every document).
    const tenant = await platform.runtime.tenants.create({ slug: 'indexed', name: 'Indexed' });
    const graph = graphNameForTenant(tenant.id);
    const indexed = await platform.database.query<{ label: string; column: string }>(
      `SELECT c.relname AS label, a.attname AS column
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       WHERE n.nspname = $1 AND c.relname = ANY($2::text[])
       ORDER BY 1, 2`,
      [graph, [entityLabel, relationLabel]],
    );
    expect(indexed.rows).toEqual(
      expect.arrayContaining([
        { label: entityLabel, column: 'id' },
        { label: relationLabel, column: 'id' },
        { label: relationLabel, column: 'start_id' },
        { label: relationLabel, column: 'end_id' },
      ]),
    );
  });
});
