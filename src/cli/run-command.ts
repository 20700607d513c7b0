import { loadConfig, type Config } from '../core/config.js';
import { isRhizomeError } from '../core/errors.js';
import type { Runtime } from '../platform/runtime.js';
import type { CommandBackend } from './command-backend.js';
import { findLocalServer, type LocalServerAnnouncement } from './local-server.js';
import { remoteBackend } from './remote-backend.js';

// The runtime (database engine, parsers, models) is imported when a command needs it, not when
// the command line is parsed: `--help` and commands that go through a server stay quick.

/** Reports a failure the way an operator needs it: the message, and the offending keys. */
export function reportFailure(error: unknown): void {
  if (isRhizomeError(error)) {
    process.stderr.write(`rhizome: ${error.message} [${error.code}]\n`);
  } else {
    process.stderr.write(
      `rhizome: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
}

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    reportFailure(error);
    process.exit(1);
  }
}

export interface RuntimeCommandOptions {
  readonly migrate?: boolean;
  /** The command's name, recorded with the data folder lock (e.g. `eval retrieval`). */
  readonly command?: string;
}

/**
 * Runs an administrative command against the configured database. Logs go to stderr so that
 * stdout carries only the command's output (pipe it, parse it).
 */
export async function withRuntime(
  work: (runtime: Runtime) => Promise<void>,
  options: RuntimeCommandOptions = {},
): Promise<void> {
  const config = loadConfigOrExit();
  const [{ default: pino }, { createLogger }, { createRuntime }] = await Promise.all([
    import('pino'),
    import('../platform/create-logger.js'),
    import('../platform/runtime.js'),
  ]);
  const logger = createLogger(
    { logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel },
    pino.destination(2),
  );
  let runtime: Runtime | undefined;
  try {
    runtime = await createRuntime(config, logger, options);
    await work(runtime);
  } catch (error) {
    reportFailure(error);
  } finally {
    await runtime?.close();
  }
}

/** The server on this machine that holds the embedded database, if one does. */
export async function runningLocalServer(): Promise<LocalServerAnnouncement | null> {
  const config = loadConfigOrExit();
  if (config.database.driver !== 'pglite') return null;
  return (await findLocalServer(config.dataDirectory, config.database.dataDirectory)) ?? null;
}

/**
 * Runs a command that can work either way: when a server on this machine holds the embedded
 * database, through that server's HTTP API (a second process must never open the folder);
 * otherwise straight against the database.
 */
export async function withBackend(
  command: string,
  work: (backend: CommandBackend) => Promise<void>,
): Promise<void> {
  const server = await runningLocalServer();
  if (server) {
    const backend = remoteBackend(server);
    process.stderr.write(`rhizome: the data folder is open in ${backend.via}; working through it.\n`);
    try {
      await work(backend);
    } catch (error) {
      reportFailure(error);
    }
    return;
  }
  const { runtimeBackend } = await import('./command-backend.js');
  await withRuntime((runtime) => work(runtimeBackend(runtime)), { command });
}

/** Rows as aligned columns (no index column), or JSON. */
export function printJsonOrTable(rows: readonly object[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  process.stdout.write(formatTable(rows));
}

export function formatTable(rows: readonly object[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const cells = rows.map((row) => columns.map((column) => cell((row as Record<string, unknown>)[column])));
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => line[index]!.length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  return `${[line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n')}\n`;
}
