import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, holdTableLock, waitingBackends } from '../../test/support/database-locks.js';
import { serverDriver, type TestDatabase } from '../../test/support/test-databases.js';

// Only a server runs a statement that another connection can cancel; PGlite's cancellation between
// statements is part of the Database port's contract test.
describe.skipIf(!serverDriver)('cancelling a statement in flight [postgres]', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await serverDriver!.create();
    await testDatabase.database.query('CREATE TABLE cancellation_items (id integer PRIMARY KEY)');
  });
  afterAll(() => testDatabase.dispose());

  it('cancels the running statement on the server when the signal aborts, and rolls back', async () => {
    const { database } = testDatabase;
    const lock = holdTableLock(database, 'cancellation_items');
    await lock.locked;
    try {
      const controller = new AbortController();
      const reason = new Error('client went away');
      const blocked = database.transaction((transaction) => transaction.query('SELECT count(*) FROM cancellation_items'), {
        readOnly: true,
        signal: controller.signal,
      });
      let outcome: unknown = 'pending';
      blocked.then(
        () => (outcome = 'completed'),
        (error: unknown) => (outcome = error),
      );
      await eventually(async () => (await waitingBackends(database)) === 1, 'the statement waits on the lock');
      controller.abort(reason);
      // The lock is still held: only a cancel on the server can end the statement.
      await eventually(() => Promise.resolve(outcome !== 'pending'), 'the statement ends');
      expect(outcome).toBe(reason);
      expect(await waitingBackends(database)).toBe(0);
    } finally {
      await lock.release();
    }
    // Every connection of the pool still works (the cancel did not land on a later statement).
    const counts = await Promise.all(
      [1, 2, 3, 4, 5].map(() => database.transaction((transaction) => transaction.query<{ n: number }>('SELECT count(*)::int AS n FROM cancellation_items'))),
    );
    expect(counts.map((result) => result.rows[0]!.n)).toEqual([0, 0, 0, 0, 0]);
  });
});
