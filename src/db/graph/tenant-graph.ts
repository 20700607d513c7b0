import type { Queryable } from '../../core/database.js';
import { applicationRole } from '../migrations/migration.js';
import { assertGraphName, assertLabel } from './graph-identifiers.js';

/** Vertex and edge labels every tenant graph has from the start. */
export const entityLabel = 'Entity';
export const relationLabel = 'RELATED';

async function graphExists(queryable: Queryable, graph: string): Promise<boolean> {
  const result = await queryable.query<{ present: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM ag_catalog.ag_graph WHERE name = $1) AS present',
    [graph],
  );
  return result.rows[0]?.present ?? false;
}

/**
 * AGE resolves its own types and operator classes by unqualified name, so its functions need
 * ag_catalog on the search path. Transaction-local, so pooled connections are left as they were.
 */
export async function useGraphSearchPath(transaction: Queryable): Promise<void> {
  await transaction.query(`SELECT set_config('search_path', 'ag_catalog, "$user", public', true)`);
}

async function hasIndexOn(queryable: Queryable, graph: string, label: string, column: string): Promise<boolean> {
  const result = await queryable.query<{ present: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass AND a.attname = $3
     ) AS present`,
    [graph, label, column],
  );
  return result.rows[0]?.present ?? false;
}

/**
 * Creates a tenant's graph with its labels, b-tree indexes on the edge endpoints (AGE 1.5 creates
 * none, and without them every hop is a sequential scan; newer AGE versions create their own, which
 * we then reuse), and the grants that let the application role use it. Idempotent. Call inside a
 * transaction, as the schema owner (not the application role).
 */
/**
 * Graphs are created and dropped one at a time across every process: two tenants created at once
 * both GRANT on ag_catalog and write AGE's catalog rows, and PostgreSQL refuses the second with
 * "tuple concurrently updated" (seen as a 500 when two tenants were created in parallel). Held to
 * the end of the caller's transaction; tenants are created rarely, so the wait costs nothing.
 */
async function lockGraphCatalog(transaction: Queryable): Promise<void> {
  await transaction.query("SELECT pg_advisory_xact_lock(hashtext('rhizome:graph-catalog'))");
}

export async function createTenantGraph(transaction: Queryable, graph: string): Promise<void> {
  assertGraphName(graph);
  assertLabel(entityLabel);
  assertLabel(relationLabel);
  await lockGraphCatalog(transaction);
  await useGraphSearchPath(transaction);
  if (!(await graphExists(transaction, graph))) {
    await transaction.query('SELECT ag_catalog.create_graph($1)', [graph]);
    await transaction.query('SELECT ag_catalog.create_vlabel($1, $2)', [graph, entityLabel]);
    await transaction.query('SELECT ag_catalog.create_elabel($1, $2)', [graph, relationLabel]);
  }
  // By id too: label tables inherit no index from AGE's parents, and every document write looks
  // vertices and edges up by id (refreshing edge weights, deleting), which would scan the whole graph.
  const indexes = [
    [entityLabel, 'id'],
    [relationLabel, 'id'],
    [relationLabel, 'start_id'],
    [relationLabel, 'end_id'],
  ] as const;
  for (const [label, column] of indexes) {
    if (!(await hasIndexOn(transaction, graph, label, column))) {
      await transaction.query(`CREATE INDEX ${label.toLowerCase()}_${column} ON "${graph}"."${label}" (${column})`);
    }
  }
  const queryable = transaction;
  await queryable.query(`
    GRANT USAGE ON SCHEMA ag_catalog TO ${applicationRole};
    GRANT SELECT ON ag_catalog.ag_graph, ag_catalog.ag_label TO ${applicationRole};
    GRANT USAGE ON SCHEMA "${graph}" TO ${applicationRole};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${graph}" TO ${applicationRole};
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "${graph}" TO ${applicationRole};
  `);
}

/** Drops a tenant's graph and everything in it. Idempotent. Call inside a transaction. */
export async function dropTenantGraph(queryable: Queryable, graph: string): Promise<void> {
  assertGraphName(graph);
  await lockGraphCatalog(queryable);
  await useGraphSearchPath(queryable);
  if (await graphExists(queryable, graph)) {
    await queryable.query('SELECT ag_catalog.drop_graph($1, true)', [graph]);
  }
}

export interface GraphCounts {
  readonly vertices: number;
  readonly edges: number;
}

/** Counts through the label tables' parents: plain SQL is far cheaper than Cypher here. */
export async function countGraph(queryable: Queryable, graph: string): Promise<GraphCounts> {
  assertGraphName(graph);
  const result = await queryable.query<{ vertices: number; edges: number }>(
    `SELECT (SELECT count(*)::int FROM "${graph}"._ag_label_vertex) AS vertices,
            (SELECT count(*)::int FROM "${graph}"._ag_label_edge) AS edges`,
  );
  return result.rows[0] ?? { vertices: 0, edges: 0 };
}
