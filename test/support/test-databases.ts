import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe } from 'vitest';
import type { Database, DriverName } from '../../src/core/database.js';
import { openPgliteDatabase } from '../../src/db/pglite-driver.js';
import { openPostgresDatabase } from '../../src/db/postgres-driver.js';

export const silentLogger = pino({ level: 'silent' });

export interface TestDatabase {
  readonly database: Database;
  /** Connection URL of the fresh database (server driver only). */
  readonly url: string | undefined;
  /** Closes the connection and removes the database. */
  dispose(): Promise<void>;
}

export interface TestDriver {
  readonly name: DriverName;
  create(): Promise<TestDatabase>;
}

const serverUrl = process.env.TEST_DATABASE_URL;

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

const pgliteDriver: TestDriver = {
  name: 'pglite',
  async create() {
    const database = await openPgliteDatabase({ dataDirectory: 'memory://', logger: silentLogger });
    return { database, url: undefined, dispose: () => database.close() };
  },
};

/** A fresh database per call on the real server, so test files never see each other's rows. */
const postgresDriver = (url: string): TestDriver => ({
  name: 'postgres',
  async create() {
    const name = `rhizome_test_${randomBytes(6).toString('hex')}`;
    const administration = openPostgresDatabase({ url, poolMax: 1, connectTimeoutMs: 5_000, logger: silentLogger });
    try {
      await administration.query(`CREATE DATABASE ${name}`);
    } finally {
      await administration.close();
    }
    const databaseUrl = withDatabaseName(url, name);
    const database = openPostgresDatabase({
      url: databaseUrl,
      poolMax: 5,
      connectTimeoutMs: 5_000,
      logger: silentLogger,
    });
    return {
      database,
      url: databaseUrl,
      async dispose() {
        await database.close();
        const cleanup = openPostgresDatabase({ url, poolMax: 1, connectTimeoutMs: 5_000, logger: silentLogger });
        try {
          await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await cleanup.close();
        }
      },
    };
  },
});

/** PGlite always; the real server too when TEST_DATABASE_URL is set. */
export const testDrivers: readonly TestDriver[] = serverUrl ? [pgliteDriver, postgresDriver(serverUrl)] : [pgliteDriver];

export const serverDriver: TestDriver | undefined = serverUrl ? postgresDriver(serverUrl) : undefined;

/** One shared suite, run once per driver. */
export function describeEachDriver(title: string, suite: (driver: TestDriver) => void): void {
  for (const driver of testDrivers) {
    describe(`${title} [${driver.name}]`, () => suite(driver));
  }
}
