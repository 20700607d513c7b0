import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { DataFolderInUseError } from '../core/errors.js';

/** Who holds the embedded database folder, recorded beside the lock for the next opener to read. */
export interface DataFolderOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  /** The command that opened it, e.g. `serve` or `tenants create` (never arguments: they may hold paths or secrets). */
  readonly command: string;
}

export type DataFolderLockState =
  | { readonly state: 'free' }
  | { readonly state: 'held'; readonly owner: DataFolderOwner | null }
  /** The lock is there but its process is gone (killed or crashed): the next opener takes it over. */
  | { readonly state: 'stale'; readonly owner: DataFolderOwner | null };

export interface DataFolderLock {
  readonly owner: DataFolderOwner;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** What this process is doing, for the message another opener sees. */
  readonly command?: string;
  /**
   * Called if another process took the lock from under us (only possible when this process stopped
   * refreshing it for longer than the staleness limit across hosts). The caller should stop at once.
   */
  readonly onCompromised?: (error: Error) => void;
}

// proper-lockfile refreshes the lock's mtime every `update` ms. A lock whose owner runs on this host
// is judged by its pid (alive or not), never by its age: PGlite runs queries on the main thread, so a
// long index build can stall the refresh for minutes while the owner is very much alive. The age
// limit only applies to a lock written from another host (a shared folder), where no pid can be checked.
const updateMilliseconds = 10_000;
const otherHostStaleMilliseconds = 5 * 60_000;
// When the recorded pid is dead, the lock's mtime is at most one refresh old; proper-lockfile's
// smallest staleness limit (2 s) then lets it be taken over with its own remove-and-recreate.
const deadOwnerStaleMilliseconds = 2_000;

const lockPath = (databaseDirectory: string) => `${databaseDirectory}.lock`;
const ownerPath = (databaseDirectory: string) => `${databaseDirectory}.owner.json`;

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readDataFolderOwner(databaseDirectory: string): Promise<DataFolderOwner | null> {
  try {
    const parsed = JSON.parse(
      await readFile(ownerPath(databaseDirectory), 'utf8'),
    ) as Partial<DataFolderOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return null;
    return {
      pid: parsed.pid,
      hostname: parsed.hostname,
      startedAt: String(parsed.startedAt ?? ''),
      command: String(parsed.command ?? ''),
    };
  } catch {
    return null;
  }
}

async function lockModifiedAt(databaseDirectory: string): Promise<number | null> {
  try {
    return (await stat(lockPath(databaseDirectory))).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Whether the folder is free, held by a live process, or left locked by a dead one. */
export async function inspectDataFolderLock(databaseDirectory: string): Promise<DataFolderLockState> {
  const modifiedAt = await lockModifiedAt(databaseDirectory);
  if (modifiedAt === null) return { state: 'free' };
  const owner = await readDataFolderOwner(databaseDirectory);
  if (owner && owner.hostname === hostname()) {
    return isProcessAlive(owner.pid) ? { state: 'held', owner } : { state: 'stale', owner };
  }
  const stale = Date.now() - modifiedAt > otherHostStaleMilliseconds;
  return stale ? { state: 'stale', owner } : { state: 'held', owner };
}

export function describeOwner(owner: DataFolderOwner | null): string {
  if (!owner) return 'another process';
  const where = owner.hostname === hostname() ? '' : ` on ${owner.hostname}`;
  return `process ${owner.pid}${where} (rhizome ${owner.command || '?'}, since ${owner.startedAt})`;
}

function inUseError(databaseDirectory: string, owner: DataFolderOwner | null): DataFolderInUseError {
  const folder = dirname(databaseDirectory);
  return new DataFolderInUseError(
    `The data folder ${folder} is in use by ${describeOwner(owner)}. Only one process may open the ` +
      `embedded database. Stop that process (kill ${owner?.pid ?? '<pid>'}) or run this command against ` +
      'the running server; `rhizome doctor` says more.',
    { details: { folder, ...(owner ? { pid: owner.pid, hostname: owner.hostname } : {}) } },
  );
}

async function lockOnce(databaseDirectory: string, staleMilliseconds: number, options: AcquireOptions) {
  return lockfile.lock(databaseDirectory, {
    lockfilePath: lockPath(databaseDirectory),
    realpath: false,
    stale: staleMilliseconds,
    update: updateMilliseconds,
    onCompromised:
      options.onCompromised ??
      ((error: Error) => {
        throw error;
      }),
  });
}

/**
 * Takes the exclusive lock on an embedded database folder, or throws `DataFolderInUseError`
 * naming the process that holds it. Released by `release()`, and by proper-lockfile's exit
 * handler on a normal exit; after a crash the dead pid lets the next opener take it over.
 */
export async function acquireDataFolderLock(
  databaseDirectory: string,
  options: AcquireOptions = {},
): Promise<DataFolderLock> {
  const before = await inspectDataFolderLock(databaseDirectory);
  if (before.state === 'held') throw inUseError(databaseDirectory, before.owner);

  let release: () => Promise<void>;
  try {
    release = await lockOnce(databaseDirectory, otherHostStaleMilliseconds, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    release = await takeOverFromDeadOwner(databaseDirectory, options);
  }

  const owner: DataFolderOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: options.command ?? '',
  };
  const temporary = `${ownerPath(databaseDirectory)}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(owner)}\n`);
  await rename(temporary, ownerPath(databaseDirectory));
  return {
    owner,
    async release() {
      // The owner record goes first: a lock without a record is read as "held by another process".
      const current = await readDataFolderOwner(databaseDirectory);
      if (current?.pid === process.pid) await rm(ownerPath(databaseDirectory), { force: true });
      await release();
    },
  };
}

/**
 * The lock exists. If the pid it records is dead on this host, wait until its last refresh is older
 * than proper-lockfile's minimum staleness and let proper-lockfile replace it; anything else
 * (a live owner, an owner that appeared meanwhile) is "in use".
 */
async function takeOverFromDeadOwner(
  databaseDirectory: string,
  options: AcquireOptions,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + updateMilliseconds + deadOwnerStaleMilliseconds * 3;
  for (;;) {
    const state = await inspectDataFolderLock(databaseDirectory);
    if (state.state === 'held') throw inUseError(databaseDirectory, state.owner);
    try {
      return await lockOnce(
        databaseDirectory,
        state.state === 'stale' ? deadOwnerStaleMilliseconds : otherHostStaleMilliseconds,
        options,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() > deadline)
        throw inUseError(databaseDirectory, state.state === 'stale' ? state.owner : null);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
