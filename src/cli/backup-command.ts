import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tar from 'tar';
import { z } from 'zod';
import type { Config } from '../core/config.js';
import { ConfigError, ValidationError } from '../core/errors.js';
import { acquireDataFolderLock } from '../db/data-folder-lock.js';
import { openPgliteEngine } from '../db/pglite-driver.js';

/**
 * `rhizome backup` / `rhizome restore`: the embedded database (PGlite's own `dumpDataDir` tarball,
 * which it can load into an empty folder) and the locally stored originals, in one .tar.gz with a
 * manifest. Both hold the data folder's lock throughout, so nothing writes while they work.
 */
const manifestSchema = z.object({
  format: z.literal('rhizome-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  objects: z.boolean(),
});

const databaseEntry = 'database.tar.gz';
const objectsEntry = 'objects';
const manifestEntry = 'manifest.json';

function embeddedOnly(config: Config): Extract<Config['database'], { driver: 'pglite' }> {
  if (config.database.driver !== 'pglite') {
    throw new ConfigError(
      'backup and restore copy the embedded database; with DATABASE_URL use the server’s own tools (pg_dump, pg_restore)',
      ['DATABASE_URL'],
    );
  }
  return config.database;
}

async function isEmptyOrMissing(directory: string): Promise<boolean> {
  try {
    return (await readdir(directory)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function backup(config: Config, file: string | undefined): Promise<void> {
  const database = embeddedOnly(config);
  const target = resolve(file ?? `rhizome-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
  if (await exists(target)) throw new ValidationError(`${target} exists already; name another file`);
  if (!(await exists(database.dataDirectory))) {
    throw new ValidationError(`There is no database in ${config.dataDirectory} to back up`);
  }
  const lock = await acquireDataFolderLock(database.dataDirectory, { command: 'backup' });
  const staging = await mkdtemp(join(tmpdir(), 'rhizome-backup-'));
  try {
    const engine = await openPgliteEngine(database.dataDirectory);
    try {
      const dump = await engine.dumpDataDir('gzip');
      await writeFile(join(staging, databaseEntry), Buffer.from(await dump.arrayBuffer()));
    } finally {
      await engine.close();
    }
    const entries = [manifestEntry, databaseEntry];
    const localObjects = config.storage.kind === 'local' && (await exists(config.storage.directory));
    if (config.storage.kind === 'local' && localObjects) {
      await cp(config.storage.directory, join(staging, objectsEntry), { recursive: true });
      entries.push(objectsEntry);
    }
    const manifest: z.infer<typeof manifestSchema> = {
      format: 'rhizome-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      objects: localObjects,
    };
    await writeFile(join(staging, manifestEntry), `${JSON.stringify(manifest, null, 2)}\n`);
    await tar.create({ gzip: true, file: target, cwd: staging, portable: true }, entries);
    const size = (await stat(target)).size;
    process.stdout.write(
      `Backed up ${config.dataDirectory} to ${target} (${(size / 1_048_576).toFixed(1)} MiB).\n`,
    );
    if (config.storage.kind === 's3') {
      process.stdout.write(
        'Stored originals live in S3 and are not in this file; back the bucket up on its own.\n',
      );
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await lock.release();
  }
}

export async function restore(config: Config, file: string): Promise<void> {
  const database = embeddedOnly(config);
  const source = resolve(file);
  if (!(await exists(source))) throw new ValidationError(`${source} does not exist`);
  if (!(await isEmptyOrMissing(database.dataDirectory))) {
    throw new ValidationError(
      `${config.dataDirectory} already holds a database. Restore into an empty folder: move it away, ` +
        'or set RHIZOME_DATA_DIR to a new folder',
    );
  }
  const objectsDirectory = config.storage.kind === 'local' ? config.storage.directory : null;
  if (objectsDirectory && !(await isEmptyOrMissing(objectsDirectory))) {
    throw new ValidationError(
      `${objectsDirectory} already holds stored files. Restore into an empty data folder`,
    );
  }
  await mkdir(database.dataDirectory, { recursive: true });
  const lock = await acquireDataFolderLock(database.dataDirectory, { command: 'restore' });
  const staging = await mkdtemp(join(tmpdir(), 'rhizome-restore-'));
  try {
    await tar.extract({ file: source, cwd: staging, strict: true });
    const manifest = manifestSchema.safeParse(
      JSON.parse(await readFile(join(staging, manifestEntry), 'utf8').catch(() => '{}')),
    );
    if (!manifest.success || !(await exists(join(staging, databaseEntry)))) {
      throw new ValidationError(`${source} is not a Rhizome backup (no manifest or no database in it)`);
    }
    const dump = new Blob([await readFile(join(staging, databaseEntry))]);
    const engine = await openPgliteEngine(database.dataDirectory, { loadDataDir: dump });
    let tenants: number;
    try {
      const result = await engine.query<{ count: number }>('SELECT count(*)::int AS count FROM tenants');
      tenants = result.rows[0]?.count ?? 0;
    } finally {
      await engine.close();
    }
    if (manifest.data.objects && objectsDirectory) {
      await cp(join(staging, objectsEntry), objectsDirectory, { recursive: true });
    }
    process.stdout.write(`Restored ${source} into ${config.dataDirectory} (${tenants} tenants).\n`);
  } catch (error) {
    // Leave no half-restored folder behind: the next attempt needs it empty.
    await rm(database.dataDirectory, { recursive: true, force: true });
    if (objectsDirectory) await rm(objectsDirectory, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await lock.release();
  }
}
