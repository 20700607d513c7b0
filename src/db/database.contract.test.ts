import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver, type TestDatabase } from '../../test/support/test-databases.js';

// The Database port's contract: every driver must pass these.
describeEachDriver('Database port', (driver) => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await driver.create();
    await testDatabase.database.query('CREATE TABLE contract_items (id integer PRIMARY KEY, label text NOT NULL)');
  });
  afterAll(() => testDatabase.dispose());

  it('reports its driver and answers a ping', async () => {
    expect(testDatabase.database.driver).toBe(driver.name);
    await expect(testDatabase.database.ping()).resolves.toBeUndefined();
  });

  it('binds parameters and returns typed rows with a row count', async () => {
    const { database } = testDatabase;
    const inserted = await database.query('INSERT INTO contract_items VALUES ($1, $2), ($3, $4)', [1, "o'ne", 2, '二']);
    expect(inserted.rowCount).toBe(2);
    const result = await database.query<{ label: string }>('SELECT label FROM contract_items WHERE id = $1', [2]);
    expect(result.rows).toEqual([{ label: '二' }]);
  });

  it('returns the rows of every statement of a multi-statement text (pg-boss maintenance sends such)', async () => {
    const { database } = testDatabase;
    const result = await database.query<{ n: number }>('SELECT 1 AS n; SELECT 2 AS n UNION ALL SELECT 3');
    expect(result.rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await database.transaction(async (transaction) => {
      const inside = await transaction.query<{ n: number }>('SELECT 4 AS n; SELECT 5 AS n');
      expect(inside.rows).toEqual([{ n: 4 }, { n: 5 }]);
    });
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const { database } = testDatabase;
    await database.transaction(async (transaction) => {
      await transaction.query('INSERT INTO contract_items VALUES (10, $1)', ['kept']);
    });
    await expect(
      database.transaction(async (transaction) => {
        await transaction.query('INSERT INTO contract_items VALUES (11, $1)', ['discarded']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const result = await database.query<{ id: number }>('SELECT id FROM contract_items WHERE id >= 10 ORDER BY id');
    expect(result.rows).toEqual([{ id: 10 }]);
  });

  it('cancels a transaction whose signal aborts: no further statement runs, its writes roll back', async () => {
    const { database } = testDatabase;
    const controller = new AbortController();
    const reason = new Error('client went away');
    let secondStatementRan = false;
    await expect(
      database.transaction(
        async (transaction) => {
          await transaction.query('INSERT INTO contract_items VALUES (30, $1)', ['before the abort']);
          controller.abort(reason);
          await transaction.query('INSERT INTO contract_items VALUES (31, $1)', ['after the abort']);
          secondStatementRan = true;
        },
        { signal: controller.signal },
      ),
    ).rejects.toBe(reason);
    expect(secondStatementRan).toBe(false);
    const result = await database.query('SELECT id FROM contract_items WHERE id IN (30, 31)');
    expect(result.rows).toEqual([]);
    // An already aborted signal starts no transaction at all.
    await expect(database.transaction(() => Promise.resolve(1), { signal: controller.signal })).rejects.toBe(reason);
    // The connection went back to the pool in working order.
    await expect(database.transaction((transaction) => transaction.query('SELECT 1'))).resolves.toBeDefined();
  });

  it('keeps concurrent transactions apart', async () => {
    const { database } = testDatabase;
    // Each transaction sets a transaction-local value and reads it back after yielding; if two
    // shared a session, one would read the other's value.
    const values = await Promise.all(
      ['a', 'b', 'c', 'd'].map((value) =>
        database.transaction(async (transaction) => {
          await transaction.query("SELECT set_config('app.contract', $1, true)", [value]);
          await new Promise((resolve) => setTimeout(resolve, 5));
          const result = await transaction.query<{ value: string }>(
            "SELECT current_setting('app.contract') AS value",
          );
          return result.rows[0]!.value;
        }),
      ),
    );
    expect(values).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs read-only transactions that refuse writes', async () => {
    const { database } = testDatabase;
    await expect(
      database.transaction((transaction) => transaction.query('INSERT INTO contract_items VALUES (20, $1)', ['x']), {
        readOnly: true,
      }),
    ).rejects.toThrow(/read-only/);
  });

  it('exposes pool statistics', () => {
    const statistics = testDatabase.database.poolStatistics();
    expect(statistics.primary.total).toBeGreaterThanOrEqual(0);
    expect(statistics.primary.waiting).toBe(0);
  });
});
