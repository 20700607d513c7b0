import type { Migration } from './migration.js';
import { platformMigration } from './0001-platform.js';
import { ingestionMigration } from './0002-ingestion.js';
import { communitiesMigration } from './0003-communities.js';
import { agentMigration } from './0004-agent.js';
import { graphRowSecurityMigration } from './0005-graph-row-security.js';
import { writeAndReadPathsMigration } from './0006-write-and-read-paths.js';

/** Every migration, in the order it is applied. Append only. */
export const migrations: readonly Migration[] = [
  platformMigration,
  ingestionMigration,
  communitiesMigration,
  agentMigration,
  graphRowSecurityMigration,
  writeAndReadPathsMigration,
];
