import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import { ConfigError } from '../core/errors.js';
import { createRuntime, type Runtime } from '../platform/runtime.js';
import { buildServer } from '../server/build-server.js';
import { routesOfRole } from '../cli/service-roles.js';

/** The roles a function platform (AWS Lambda, Alibaba Cloud Function Compute) can run. */
export const statelessRoles = ['api', 'retrieval'] as const;
export type StatelessRole = (typeof statelessRoles)[number];

export interface StatelessServer {
  readonly app: FastifyInstance;
  readonly runtime: Runtime;
  /** Closes the app, then the runtime (and the database pool it opened). */
  close(): Promise<void>;
}

export interface StatelessServerOptions {
  /** Use this database instead of opening DATABASE_URL (tests); the caller closes it. */
  readonly database?: Database;
}

/**
 * Function instances are started and frozen by the platform, several at once, and may be dropped
 * at any time. So nothing here may hold state between requests that another instance would need:
 * the embedded database (a data folder owned by one process) and, for the API, local storage of
 * uploaded originals are refused, migrations are left to the
 * deploy step (`rhizome migrate`; concurrent cold starts would race for the lock and pay for it on
 * every start), no admin key is created, and no worker consumes jobs in-process (uploads enqueue
 * ingestion jobs that long-running workers, or a separate worker deployment, take).
 */
export function assertStatelessConfig(config: Config, role: string): void {
  assertStatelessRole(role);
  if (config.database.driver !== 'postgres') {
    throw new ConfigError(
      'A stateless (serverless) process needs DATABASE_URL: the embedded database lives in one process\'s ' +
        'data folder, which function instances neither share nor keep',
      ['DATABASE_URL'],
    );
  }
  if (role === 'api' && config.storage.kind !== 's3') {
    throw new ConfigError(
      'A stateless (serverless) API needs RHIZOME_STORAGE=s3 (S3, OSS, Blob through an S3 gateway…): uploaded ' +
        'originals written to an instance\'s own disk would be out of reach of the workers and gone with the instance',
      ['RHIZOME_STORAGE'],
    );
  }
}

function assertStatelessRole(role: string): asserts role is StatelessRole {
  if (!(statelessRoles as readonly string[]).includes(role)) {
    throw new ConfigError(
      `A stateless (serverless) process serves the api or retrieval role, not '${role}': workers and the ` +
        'agent role need a long-running process',
      [],
    );
  }
}

/** Builds (without listening) the HTTP app of one stateless role over DATABASE_URL. */
export async function createStatelessServer(
  config: Config,
  logger: Logger,
  role: StatelessRole,
  options: StatelessServerOptions = {},
): Promise<StatelessServer> {
  // A database handed in (tests) may be either driver; what is refused is opening the embedded one.
  if (options.database === undefined) assertStatelessConfig(config, role);
  else assertStatelessRole(role);
  const runtime = await createRuntime(config, logger, {
    migrate: false,
    command: `serverless ${role}`,
    ...(options.database ? { database: options.database } : {}),
  });
  try {
    const app = await buildServer({
      ...runtime,
      logger: logger.child({ role, stateless: true }),
      // The same route groups as `rhizome serve --role <role>`.
      ...routesOfRole(role),
    });
    await app.ready();
    return {
      app,
      runtime,
      async close() {
        await app.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
