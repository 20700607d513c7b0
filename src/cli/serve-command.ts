import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../platform/create-logger.js';
import { installOutageTolerance } from '../platform/outage-tolerance.js';
import { createRuntime, type Runtime } from '../platform/runtime.js';
import { startTracing } from '../platform/tracing.js';
import { buildServer } from '../server/build-server.js';
import { assertStatelessConfig, createStatelessServer } from '../serverless/stateless-server.js';
import {
  readLocalServerAnnouncement,
  removeLocalServerAnnouncement,
  writeLocalServerAnnouncement,
} from './local-server.js';

import { roleDescriptions, rolesWithApi, routesOfRole, type ServiceRole } from './service-roles.js';

export interface ServeOptions {
  readonly role: ServiceRole;
  readonly port?: number;
  readonly host?: string;
  /** A serverless container's process (see src/serverless/stateless-server.ts). */
  readonly stateless?: boolean;
}

/** Creates the first admin key on the first start of an empty database (or installs the configured one). */
async function ensureAdminAccess(runtime: Runtime, config: Config): Promise<string | null> {
  if (config.bootstrapAdminKey) {
    await runtime.keys.ensureAdminKey(
      config.bootstrapAdminKey,
      'bootstrap admin (RHIZOME_BOOTSTRAP_ADMIN_KEY)',
    );
    return null;
  }
  if (await runtime.keys.hasActiveAdminKey()) return null;
  const created = await runtime.keys.create({ name: 'first admin', role: 'admin', tenantId: null });
  return created.key;
}

function listenFailure(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `Port ${port} on ${host} is already in use (another Rhizome, or another program). Stop it, or choose ` +
        `another port: rhizome serve --port ${port + 1}, or RHIZOME_PORT=${port + 1}`,
      ['RHIZOME_PORT'],
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(`Not allowed to listen on ${host}:${port}; choose a port above 1024`, [
      'RHIZOME_PORT',
    ]);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(`${host} is not an address of this machine`, ['RHIZOME_HOST']);
  }
  return error;
}

/** A URL this machine's command-line processes can reach, also when listening on every interface. */
function localUrl(server: FastifyInstance): string {
  const address = server.server.address();
  if (address === null || typeof address === 'string') return server.listeningOrigin;
  const host =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '[::1]'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * On the embedded database this process holds the data folder; command-line processes reach the
 * data through this server with a local admin key (see local-server.ts). A key left by a server
 * that crashed is revoked first.
 */
async function announceToLocalCommands(
  runtime: Runtime,
  config: Config,
  url: string,
): Promise<() => Promise<void>> {
  const previous = await readLocalServerAnnouncement(config.dataDirectory);
  if (previous) await runtime.keys.revoke(previous.keyId).catch(() => undefined);
  const created = await runtime.keys.create({
    name: `local command line (server pid ${process.pid})`,
    role: 'admin',
    tenantId: null,
  });
  await writeLocalServerAnnouncement(config.dataDirectory, {
    pid: process.pid,
    url,
    keyId: created.id,
    key: created.key,
    startedAt: new Date().toISOString(),
  });
  return async () => {
    await removeLocalServerAnnouncement(config.dataDirectory);
    await runtime.keys.revoke(created.id).catch(() => undefined);
  };
}

/**
 * `rhizome serve`: one process serving the roles asked for. Every role serves the probes and
 * metrics; `api` (and `all`) serve the public HTTP API; `worker` (and `all`) consume ingestion jobs.
 */
export async function serve(config: Config, options: ServeOptions): Promise<void> {
  const logger = createLogger(config);
  installOutageTolerance(logger);
  const role = options.role;
  if (options.stateless) assertStatelessConfig(config, role);
  const tracing = startTracing(config, logger);
  let runtime: Runtime;
  let server: FastifyInstance | undefined;
  if (options.stateless && (role === 'api' || role === 'retrieval')) {
    ({ runtime, app: server } = await createStatelessServer(config, logger, role).catch(async (error: unknown) => {
      await tracing.shutdown();
      throw error;
    }));
  } else {
    runtime = await createRuntime(config, logger, { command: `serve --role ${role}` });
  }
  const { publicApi } = routesOfRole(role);
  let withdraw: (() => Promise<void>) | undefined;
  try {
    server ??= await buildServer({
      ...runtime,
      logger: logger.child({ role }),
      ...routesOfRole(role),
    });
    if (role === 'all' || role === 'worker') await runtime.startWorker();
    const port = options.port ?? config.server.port;
    const host = options.host ?? config.server.host;
    const address = await server.listen({ port, host }).catch((error: unknown) => {
      throw listenFailure(error, host, port);
    });
    // The first admin key is made only once the server listens: a start that fails (port taken…)
    // leaves none behind unseen, and the next start prints it.
    const adminKey = options.stateless ? null : await ensureAdminAccess(runtime, config);
    if (publicApi && config.database.driver === 'pglite') {
      withdraw = await announceToLocalCommands(runtime, config, localUrl(server));
    }
    process.stdout.write(
      `Rhizome (${role}${options.stateless ? ', stateless' : ''}) is running at ${address}\n  serves: ${roleDescriptions[role]}\n`,
    );
    if (rolesWithApi.has(role)) process.stdout.write(`  API reference: ${address}/docs\n`);
    if (adminKey) {
      process.stdout.write(
        `Admin API key (shown once; only its hash is stored — keep it safe):\n  ${adminKey}\n` +
          '  (lost it? `rhizome keys create --role admin` makes another)\n',
      );
    }
  } catch (error) {
    await withdraw?.();
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
      await withdraw?.();
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
