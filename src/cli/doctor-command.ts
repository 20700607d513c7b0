import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import { isRhizomeError } from '../core/errors.js';
import { describeOwner, inspectDataFolderLock } from '../db/data-folder-lock.js';
import { findLocalServer } from './local-server.js';

export interface DoctorCheck {
  readonly check: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  /** What to do about it, for `warn` and `fail`. */
  readonly fix?: string;
}

const minimumNodeMajor = 24;

function nodeCheck(): DoctorCheck {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= minimumNodeMajor
    ? { check: 'node', status: 'ok', detail: `Node.js ${process.versions.node}` }
    : {
        check: 'node',
        status: 'fail',
        detail: `Node.js ${process.versions.node}`,
        fix: `install Node.js ${minimumNodeMajor} LTS or newer`,
      };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The embedded database folder: who holds it, and whether it opens. Never opens a folder in use. */
async function embeddedDatabaseChecks(config: Config, databaseDirectory: string): Promise<DoctorCheck[]> {
  const folder = resolve(config.dataDirectory);
  if (!(await exists(databaseDirectory))) {
    return [
      {
        check: 'data folder',
        status: 'ok',
        detail: `${folder} (empty: \`rhizome serve\` creates the database)`,
      },
    ];
  }
  const lock = await inspectDataFolderLock(databaseDirectory);
  if (lock.state === 'held') {
    const server = await findLocalServer(config.dataDirectory, databaseDirectory);
    if (!server) {
      return [
        {
          check: 'data folder',
          status: 'warn',
          detail: `${folder} is in use by ${describeOwner(lock.owner)}`,
          fix: 'commands that open the database wait until it ends (or stop it)',
        },
      ];
    }
    const checks: DoctorCheck[] = [
      {
        check: 'data folder',
        status: 'ok',
        detail: `${folder} is held by the server at ${server.url} (pid ${server.pid}); tenants, keys, ingest and search go through it`,
      },
    ];
    try {
      const response = await fetch(new URL('/readyz', server.url), { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { status?: string; reason?: string };
      checks.push(
        response.ok
          ? { check: 'server', status: 'ok', detail: `ready at ${server.url}` }
          : {
              check: 'server',
              status: 'fail',
              detail: `not ready: ${body.reason ?? response.status}`,
              fix: 'look at the server’s log',
            },
      );
    } catch (error) {
      checks.push({
        check: 'server',
        status: 'fail',
        detail: `pid ${server.pid} holds the folder but does not answer at ${server.url} (${messageOf(error)})`,
        fix: `stop it (kill ${server.pid}) and start again`,
      });
    }
    return checks;
  }

  const checks: DoctorCheck[] = [];
  if (lock.state === 'stale') {
    checks.push({
      check: 'data folder lock',
      status: 'ok',
      detail: `left by ${describeOwner(lock.owner)}, which is no longer running (crashed or killed); it is taken over on the next start`,
    });
  }
  const { openPgliteDatabase } = await import('../db/pglite-driver.js');
  const { createLogger } = await import('../platform/create-logger.js');
  try {
    const database = await openPgliteDatabase({
      dataDirectory: databaseDirectory,
      logger: createLogger({ logLevel: 'silent' }),
      command: 'doctor',
    });
    try {
      checks.push({ check: 'data folder', status: 'ok', detail: `${folder} opens` });
      checks.push(await migrationCheck(database));
    } finally {
      await database.close();
    }
  } catch (error) {
    checks.push({
      check: 'data folder',
      status: 'fail',
      detail: `${folder}: ${messageOf(error)}`,
      fix:
        isRhizomeError(error) && error.code === 'data_folder_in_use'
          ? 'another process opened it just now; run doctor again'
          : `restore a backup into an empty folder (\`rhizome restore FILE\`), or move ${folder} away to start empty`,
    });
  }
  return checks;
}

async function migrationCheck(database: Database): Promise<DoctorCheck> {
  const { currentMigrationId, latestMigrationId } = await import('../db/migrate.js');
  const current = await currentMigrationId(database);
  const latest = latestMigrationId();
  return current >= latest
    ? { check: 'schema', status: 'ok', detail: `migration ${current} (latest)` }
    : {
        check: 'schema',
        status: 'warn',
        detail: `migration ${current} of ${latest}`,
        fix: '`rhizome migrate`, or start the server (it migrates at start)',
      };
}

async function serverDatabaseChecks(config: Config): Promise<DoctorCheck[]> {
  const { openDatabase } = await import('../db/open-database.js');
  const { createLogger } = await import('../platform/create-logger.js');
  try {
    const database = await openDatabase(config, createLogger({ logLevel: 'silent' }));
    try {
      await database.ping();
      return [
        { check: 'database', status: 'ok', detail: 'PostgreSQL at DATABASE_URL answers' },
        await migrationCheck(database),
      ];
    } finally {
      await database.close();
    }
  } catch (error) {
    return [
      {
        check: 'database',
        status: 'fail',
        detail: messageOf(error),
        fix: 'check DATABASE_URL, that the server runs, and that it has the vector and age extensions',
      },
    ];
  }
}

function modelChecks(config: Config): DoctorCheck[] {
  return [
    config.embedding.provider === 'offline'
      ? {
          check: 'embeddings',
          status: 'warn',
          detail: 'offline hashing embedder: works without network, but lexical, not semantic',
          fix: 'for real use set EMBEDDING_PROVIDER=openai with EMBEDDING_BASE_URL and EMBEDDING_MODEL',
        }
      : {
          check: 'embeddings',
          status: 'ok',
          detail: `${config.embedding.provider}: ${config.embedding.model}`,
        },
    config.chat.provider === 'none'
      ? {
          check: 'chat model',
          status: 'ok',
          detail: 'none: entities are extracted offline (set CHAT_PROVIDER for LLM extraction)',
        }
      : { check: 'chat model', status: 'ok', detail: `${config.chat.provider}: ${config.chat.model}` },
  ];
}

export async function collectDoctorChecks(): Promise<DoctorCheck[]> {
  const checks = [nodeCheck()];
  let config: Config;
  try {
    config = loadConfig();
    checks.push({ check: 'settings', status: 'ok', detail: `profile ${config.profile}` });
  } catch (error) {
    checks.push({
      check: 'settings',
      status: 'fail',
      detail: messageOf(error),
      fix: 'correct the setting named',
    });
    return checks;
  }
  checks.push(
    ...(config.database.driver === 'pglite'
      ? await embeddedDatabaseChecks(config, config.database.dataDirectory)
      : await serverDatabaseChecks(config)),
  );
  checks.push(...modelChecks(config));
  return checks;
}

/** `rhizome doctor`: prints each check with what to do; exit code 1 when any check failed. */
export async function runDoctor(options: { json: boolean }): Promise<number> {
  const checks = await collectDoctorChecks();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  } else {
    const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
    for (const check of checks) {
      process.stdout.write(`${mark[check.status]}  ${check.check.padEnd(17)} ${check.detail}\n`);
      if (check.fix) process.stdout.write(`      ${''.padEnd(17)} → ${check.fix}\n`);
    }
  }
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}
