import pino from 'pino';
import { loadConfig, type Config } from '../core/config.js';
import { isRhizomeError } from '../core/errors.js';
import { createLogger } from '../platform/create-logger.js';
import { createRuntime, type Runtime } from '../platform/runtime.js';

/** Reports a failure the way an operator needs it: the message, and the offending keys. */
export function reportFailure(error: unknown): void {
  if (isRhizomeError(error)) {
    process.stderr.write(`rhizome: ${error.message} [${error.code}]\n`);
  } else {
    process.stderr.write(`rhizome: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
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

/**
 * Runs an administrative command against the configured database. Logs go to stderr so that
 * stdout carries only the command's output (pipe it, parse it).
 */
export async function withRuntime(
  work: (runtime: Runtime) => Promise<void>,
  options: { readonly migrate?: boolean } = {},
): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
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

export function printJsonOrTable(rows: readonly object[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (rows.length === 0) {
    process.stdout.write('(none)\n');
  } else {
    console.table(rows);
  }
}
