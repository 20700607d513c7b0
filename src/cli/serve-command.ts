import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import { createLogger } from '../platform/create-logger.js';
import { installOutageTolerance } from '../platform/outage-tolerance.js';
import { createRuntime, type Runtime } from '../platform/runtime.js';
import { startTracing } from '../platform/tracing.js';
import { buildServer } from '../server/build-server.js';

export const serviceRoles = ['all', 'api', 'worker', 'retrieval', 'agent'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

export interface ServeOptions {
  readonly role: ServiceRole;
  readonly port?: number;
  readonly host?: string;
}

/** Prints the first admin key exactly once: on the first start of an empty database. */
async function ensureAdminAccess(runtime: Runtime, config: Config): Promise<string | null> {
  if (config.bootstrapAdminKey) {
    await runtime.keys.ensureAdminKey(config.bootstrapAdminKey, 'bootstrap admin (RHIZOME_BOOTSTRAP_ADMIN_KEY)');
    return null;
  }
  if (await runtime.keys.hasActiveAdminKey()) return null;
  const created = await runtime.keys.create({ name: 'first admin', role: 'admin', tenantId: null });
  return created.key;
}

/**
 * `rhizome serve`: one process serving the roles asked for. Every role serves the probes and
 * metrics; `api` (and `all`) serve the public HTTP API; `worker` (and `all`) consume ingestion jobs.
 */
export async function serve(config: Config, options: ServeOptions): Promise<void> {
  const logger = createLogger(config);
  installOutageTolerance(logger);
  const tracing = startTracing(config, logger);
  const runtime = await createRuntime(config, logger);
  let server: FastifyInstance | undefined;
  try {
    const adminKey = await ensureAdminAccess(runtime, config);
    server = await buildServer({
      ...runtime,
      logger: logger.child({ role: options.role }),
      publicApi: options.role === 'all' || options.role === 'api',
      agentApi: options.role === 'all' || options.role === 'api' || options.role === 'agent',
    });
    if (options.role === 'all' || options.role === 'worker') await runtime.startWorker();
    const address = await server.listen({
      port: options.port ?? config.server.port,
      host: options.host ?? config.server.host,
    });
    process.stdout.write(`Rhizome (${options.role}) is running at ${address}\n`);
    if (adminKey) {
      process.stdout.write(
        `Admin API key (shown once; only its hash is stored — keep it safe):\n  ${adminKey}\n`,
      );
    }
  } catch (error) {
    await server?.close();
    await runtime.close();
    await tracing.shutdown();
    throw error;
  }

  const activeServer = server;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    const deadline = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.server.shutdownTimeoutMs);
    deadline.unref();
    try {
      await activeServer.close();
      await runtime.close();
      // Sends the spans still buffered (the last requests' traces).
      await tracing.shutdown();
      logger.info('stopped');
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exitCode = 1;
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
