import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import { openPgliteDatabase } from './pglite-driver.js';
import { openPostgresDatabase } from './postgres-driver.js';

/** Opens the database the configuration names. The caller owns the result and closes it. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { readonly command?: string } = {},
): Promise<Database> {
  const settings = config.database;
  if (settings.driver === 'pglite') {
    return openPgliteDatabase({
      dataDirectory: settings.dataDirectory,
      logger,
      ...(options.command ? { command: options.command } : {}),
    });
  }
  return openPostgresDatabase({
    url: settings.url,
    readUrl: settings.readUrl,
    poolMax: settings.poolMax,
    connectTimeoutMs: settings.connectTimeoutMs,
    logger,
  });
}
