import type { Database } from '../../src/core/database.js';

/** Backends of this database waiting for a lock: the statements a held lock keeps in flight. */
export async function waitingBackends(database: Database): Promise<number> {
  const result = await database.query<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_stat_activity
     WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'`,
  );
  return result.rows[0]!.waiting;
}

/** Polls a condition with a generous deadline (a loaded machine is slow, never wrong). */
export async function eventually(condition: () => Promise<boolean>, what: string, deadlineMs = 120_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Holds an exclusive lock on a table in its own transaction until released: every statement that
 * reads the table meanwhile stays in flight on the server, waiting — a long query that only
 * cancellation can end, without any timing in the test.
 */
export function holdTableLock(database: Database, table: string): { locked: Promise<void>; release: () => Promise<void> } {
  let markLocked!: () => void;
  let release!: () => void;
  const locked = new Promise<void>((resolve) => (markLocked = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const holder = database.transaction(async (transaction) => {
    await transaction.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    markLocked();
    await released;
  });
  return {
    locked,
    release: async () => {
      release();
      await holder;
    },
  };
}
