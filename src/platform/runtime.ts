import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import { ConfigError } from '../core/errors.js';
import { CollectionService } from '../collections/collection-service.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { ApiKeyService } from '../tenancy/api-key-service.js';
import { TenantService } from '../tenancy/tenant-service.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly tenants: TenantService;
  readonly keys: ApiKeyService;
  readonly collections: CollectionService;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Apply pending migrations first (default: the config's RHIZOME_MIGRATE_ON_START). */
  readonly migrate?: boolean;
  /** Use this database instead of opening one; the runtime then does not close it. */
  readonly database?: Database;
}

async function checkEmbeddingSettings(database: Database, config: Config): Promise<void> {
  const result = await database.query<{ value: { model: string; dimensions: number } }>(
    "SELECT value FROM rhizome_settings WHERE key = 'embedding'",
  );
  const stored = result.rows[0]?.value;
  if (stored && stored.dimensions !== config.embedding.dimensions) {
    throw new ConfigError(
      `EMBEDDING_DIMENSIONS is ${config.embedding.dimensions} but this database stores ${stored.dimensions}-dimensional ` +
        'vectors; use the original dimension, or a new database for the new model',
      ['EMBEDDING_DIMENSIONS'],
    );
  }
}

/**
 * Wiring in one place: opens (or adopts) the database, migrates, and builds the services every
 * role shares. Whoever opened the database closes it: `close()` does so only for its own.
 */
export async function createRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await openDatabase(config, logger));
  try {
    if (options.migrate ?? config.migrateOnStart) {
      const report = await migrate(
        database,
        { embeddingDimensions: config.embedding.dimensions, embeddingModel: config.embedding.model },
        logger,
      );
      if (report.applied.length > 0) logger.info({ applied: report.applied }, 'database migrated');
      await checkEmbeddingSettings(database, config);
    }
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }
  return {
    config,
    logger,
    database,
    tenants: new TenantService(database),
    keys: new ApiKeyService(database),
    collections: new CollectionService(database),
    close: async () => {
      if (ownsDatabase) await database.close();
    },
  };
}
