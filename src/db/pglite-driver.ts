import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { age } from '@electric-sql/pglite-age';
import { vector } from '@electric-sql/pglite-pgvector';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../core/database.js';
import { DataFolderUnreadableError } from '../core/errors.js';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock.js';
import { integerTypes } from './integer-types.js';
import { PoolDatabase } from './pool-database.js';

export interface PgliteDriverOptions {
  /** A folder for the data, or `memory://` for a throw-away database (tests). */
  readonly dataDirectory: string;
  readonly logger: Logger;
  /** What this process does with it (shown to another process that finds the folder locked). */
  readonly command?: string;
  /** Called if the folder lock is lost to another process; the default stops the process. */
  readonly onLockCompromised?: (error: Error) => void;
}

/**
 * Starts the engine on a folder the caller has locked (or `memory://`), with pgvector and AGE.
 * `loadDataDir` fills an empty folder from a `dumpDataDir` tarball first (restore).
 */
export async function openPgliteEngine(
  dataDirectory: string,
  options: { loadDataDir?: Blob } = {},
): Promise<PGlite> {
  try {
    const engine = await PGlite.create(dataDirectory, {
      extensions: { vector, age },
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    // AGE's hooks are installed by loading the library once per session; PGlite has one session.
    await engine.exec("LOAD 'age'");
    return engine;
  } catch (error) {
    throw new DataFolderUnreadableError(
      `The embedded database in ${dataDirectory} cannot be opened (${error instanceof Error ? error.message : String(error)}). ` +
        'It may be damaged, e.g. by two processes that used it at once before this version. ' +
        'Restore a backup (`rhizome restore FILE`) or move the folder away to start empty; `rhizome doctor` says more.',
      { cause: error, details: { folder: dataDirectory } },
    );
  }
}

/**
 * Embedded driver: PostgreSQL compiled to WASM, in this process, with pgvector and AGE.
 * It is single-connection; node-postgres' pool of size one queues callers, so concurrent
 * transactions from different requests never interleave on the one session.
 */
export async function openPgliteDatabase(options: PgliteDriverOptions): Promise<Database> {
  const inMemory = options.dataDirectory.startsWith('memory://');
  let lock: DataFolderLock | null = null;
  if (!inMemory) {
    await mkdir(options.dataDirectory, { recursive: true });
    // Two PGlite instances on one folder silently lose each other's writes and then corrupt the
    // write-ahead log: the lock comes before anything touches the folder.
    lock = await acquireDataFolderLock(options.dataDirectory, {
      ...(options.command ? { command: options.command } : {}),
      onCompromised:
        options.onLockCompromised ??
        ((error) => {
          // Writing on would corrupt the folder: crash rather than continue.
          options.logger.fatal({ err: error }, 'the data folder lock was taken by another process; stopping');
          throw error;
        }),
    });
  }
  let engine: PGlite;
  try {
    engine = await openPgliteEngine(inMemory ? 'memory://' : options.dataDirectory);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  options.logger.debug({ dataDirectory: options.dataDirectory }, 'embedded database opened');
  // Object.assign keeps the adapter's own connection object; spreading could drop it.
  const pool = new pg.Pool(
    Object.assign(createPgConfig(engine), { types: integerTypes }) as unknown as pg.PoolConfig,
  );
  pool.on('error', (error) => options.logger.error({ err: error }, 'embedded database connection error'));
  return new PoolDatabase({
    driver: 'pglite',
    primary: pool,
    onClose: async () => {
      try {
        await engine.close();
      } finally {
        await lock?.release();
      }
    },
  });
}
