import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { age } from '@electric-sql/pglite-age';
import { vector } from '@electric-sql/pglite-pgvector';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../core/database.js';
import { integerTypes } from './integer-types.js';
import { PoolDatabase } from './pool-database.js';

export interface PgliteDriverOptions {
  /** A folder for the data, or `memory://` for a throw-away database (tests). */
  readonly dataDirectory: string;
  readonly logger: Logger;
}

/**
 * Embedded driver: PostgreSQL compiled to WASM, in this process, with pgvector and AGE.
 * It is single-connection; node-postgres' pool of size one queues callers, so concurrent
 * transactions from different requests never interleave on the one session.
 */
export async function openPgliteDatabase(options: PgliteDriverOptions): Promise<Database> {
  const inMemory = options.dataDirectory.startsWith('memory://');
  if (!inMemory) await mkdir(options.dataDirectory, { recursive: true });
  const engine = await PGlite.create(inMemory ? 'memory://' : options.dataDirectory, {
    extensions: { vector, age },
  });
  // AGE's hooks are installed by loading the library once per session; PGlite has one session.
  await engine.exec("LOAD 'age'");
  options.logger.debug({ dataDirectory: options.dataDirectory }, 'embedded database opened');
  // Object.assign keeps the adapter's own connection object; spreading could drop it.
  const pool = new pg.Pool(Object.assign(createPgConfig(engine), { types: integerTypes }) as unknown as pg.PoolConfig);
  pool.on('error', (error) => options.logger.error({ err: error }, 'embedded database connection error'));
  return new PoolDatabase({
    driver: 'pglite',
    primary: pool,
    onClose: () => engine.close(),
  });
}
