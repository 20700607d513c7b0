import type { Logger } from 'pino';
import type { Database, Queryable } from '../core/database.js';
import { migrations as allMigrations } from './migrations/index.js';
import type { Migration, MigrationContext } from './migrations/migration.js';

// Any constant works; it only has to be the same in every process migrating this database.
const migrationLockKey = 7_253_049_112;

export interface MigrationReport {
  readonly applied: readonly { id: number; name: string }[];
  readonly alreadyApplied: number;
}

async function appliedIds(transaction: Queryable): Promise<Set<number>> {
  const result = await transaction.query<{ id: number }>('SELECT id FROM schema_migrations');
  return new Set(result.rows.map((row) => row.id));
}

/**
 * Applies pending migrations in one transaction, under a transaction-scoped advisory lock so
 * two processes starting at once serialise: the second waits, then finds nothing to do.
 * Safe to run any number of times.
 */
export async function migrate(
  database: Database,
  context: MigrationContext,
  logger: Logger,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  return database.transaction(async (transaction) => {
    await transaction.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await transaction.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        id integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = await appliedIds(transaction);
    const applied: { id: number; name: string }[] = [];
    for (const migration of [...migrations].sort((left, right) => left.id - right.id)) {
      if (done.has(migration.id)) continue;
      logger.info({ migration: migration.id, name: migration.name }, 'applying migration');
      await transaction.query(migration.sql(context));
      await transaction.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [
        migration.id,
        migration.name,
      ]);
      applied.push({ id: migration.id, name: migration.name });
    }
    return { applied, alreadyApplied: done.size };
  });
}

/** The newest migration this build knows; readiness requires the database to have it. */
export function latestMigrationId(migrations: readonly Migration[] = allMigrations): number {
  return Math.max(0, ...migrations.map((migration) => migration.id));
}

/** Highest applied migration id, or 0 on an empty database. */
export async function currentMigrationId(database: Queryable): Promise<number> {
  const exists = await database.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists.rows[0]?.present) return 0;
  const result = await database.query<{ id: number | null }>('SELECT max(id) AS id FROM schema_migrations');
  return result.rows[0]?.id ?? 0;
}
