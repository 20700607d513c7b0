import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../core/database.js';
import { ValidationError } from '../../core/errors.js';
import { describeEachDriver, silentLogger, type TestDatabase } from '../../../test/support/test-databases.js';
import { migrate } from '../migrate.js';
import { parseAgtype } from './agtype.js';
import { runCypher } from './cypher.js';
import { assertLabel, graphNameForTenant } from './graph-identifiers.js';
import { createTenantGraph, useGraphSearchPath } from './tenant-graph.js';

function recordingQueryable(): Queryable & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async query() {
      calls.push('called');
      return { rows: [], rowCount: 0 };
    },
  };
}

describe('graph identifiers and agtype', () => {
  it('rejects a bad graph name, label or column before any SQL runs', async () => {
    const queryable = recordingQueryable();
    for (const graph of ['ab', 'Robert"; DROP TABLE tenants; --', 'x y z', '1graph', `g${'a'.repeat(63)}`]) {
      await expect(runCypher(queryable, graph, 'MATCH (n) RETURN n')).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      runCypher(queryable, 'good_graph', 'MATCH (n) RETURN n', { columns: ['n) ; DROP TABLE x; --'] }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      runCypher(queryable, 'good_graph', 'RETURN 1 $rhizome_cypher$; DROP TABLE x; --'),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(() => assertLabel('Entity`) DETACH DELETE n //')).toThrow(ValidationError);
    expect(() => assertLabel('')).toThrow(ValidationError);
    expect(queryable.calls).toEqual([]);
  });

  it('names tenant graphs from the tenant id only', () => {
    expect(graphNameForTenant('0b6f1d52-8f0e-4f35-9a59-2c3d4e5f6a7b')).toBe('tenant_0b6f1d528f0e4f359a592c3d4e5f6a7b');
    expect(() => graphNameForTenant('acme')).toThrow(ValidationError);
  });

  it('parses annotated agtype text, leaving annotation-like text inside strings alone', () => {
    expect(parseAgtype('{"id": 1, "label": "E", "properties": {"name": "a::vertex"}}::vertex')).toEqual({
      id: 1,
      label: 'E',
      properties: { name: 'a::vertex' },
    });
    expect(parseAgtype('[{"id": 1}::vertex, {"id": 2, "start_id": 1, "end_id": 3}::edge]::path')).toHaveLength(2);
    expect(parseAgtype('1.5::numeric')).toBe(1.5);
    expect(parseAgtype('"quote \\" and \\\\ backslash"')).toBe('quote " and \\ backslash');
    expect(parseAgtype(null)).toBeNull();
  });
});

describeEachDriver('Cypher helper', (driver) => {
  let testDatabase: TestDatabase;
  const graph = 'cypher_test_graph';
  beforeAll(async () => {
    testDatabase = await driver.create();
    await migrate(testDatabase.database, { embeddingDimensions: 8, embeddingModel: 'test' }, silentLogger);
    await testDatabase.database.transaction((transaction) => createTenantGraph(transaction, graph));
  });
  afterAll(() => testDatabase.dispose());

  const awkwardValues = [
    "it's",
    'say "hi"',
    '$$ dollar $$ quotes $rhizome_cypher$',
    'back\\slash \\n not a newline',
    '知识图谱 构建',
    "'); MATCH (n) DETACH DELETE n; //",
    'emoji 🌱 and a\ttab',
  ];

  it('round-trips awkward values as parameters', async () => {
    const rows = await testDatabase.database.transaction(async (transaction) => {
      await useGraphSearchPath(transaction);
      for (const value of awkwardValues) {
        await runCypher(transaction, graph, 'CREATE (n:Entity {name: $name, tags: $tags})', {
          parameters: { name: value, tags: [value, 1] },
          columns: ['created'],
        });
      }
      return runCypher<{ name: string; tags: unknown[] }>(
        transaction,
        graph,
        'MATCH (n:Entity) RETURN n.name, n.tags',
        { columns: ['name', 'tags'] },
      );
    });
    expect(rows.map((row) => row.name).sort()).toEqual([...awkwardValues].sort());
    for (const row of rows) expect(row.tags).toEqual([row.name, 1]);
  });

  it('follows directed edges, and the endpoints are indexed', async () => {
    const { database } = testDatabase;
    const names = await database.transaction(async (transaction) => {
      await useGraphSearchPath(transaction);
      await runCypher(
        transaction,
        graph,
        'CREATE (:Entity {name: $a})-[:RELATED {weight: 2}]->(:Entity {name: $b})',
        { parameters: { a: 'Ada Lovelace', b: 'Analytical Engine' } },
      );
      return runCypher<{ target: string; weight: number }>(
        transaction,
        graph,
        'MATCH (a:Entity {name: $a})-[r:RELATED]->(b:Entity) RETURN b.name, r.weight',
        { parameters: { a: 'Ada Lovelace' }, columns: ['target', 'weight'] },
      );
    });
    expect(names).toEqual([{ target: 'Analytical Engine', weight: 2 }]);
    const indexes = await database.query<{ column: string }>(
      `SELECT a.attname AS column FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       WHERE i.indrelid = '"${graph}"."RELATED"'::regclass ORDER BY 1`,
    );
    expect(indexes.rows.map((row) => row.column)).toEqual(expect.arrayContaining(['end_id', 'start_id']));
  });
});
