import { Command, InvalidArgumentError, Option } from 'commander';
import { searchModes, type SearchMode } from '../core/search.js';
import { packageVersion } from '../platform/package-version.js';
import { registerEvalCommands } from './eval-command.js';
import { registerEvalQaCommand } from './eval-qa-command.js';
import { agentModes, type AgentMode } from '../core/agent.js';
import {
  loadConfigOrExit,
  printJsonOrTable,
  reportFailure,
  runningLocalServer,
  withBackend,
  withRuntime,
} from './run-command.js';
import { roleDescriptions, serviceRoles, type ServiceRole } from './service-roles.js';

// Only what `--help` needs is imported up front; each command loads its own modules when it runs,
// so that help and quick commands do not pay for parsers, models and the database engine.

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return parsed;
}

function positiveInteger(maximum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > maximum) {
      throw new InvalidArgumentError(`must be an integer from 1 to ${maximum}`);
    }
    return parsed;
  };
}

function similarity(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < -1 || parsed > 1) {
    throw new InvalidArgumentError('must be a number from -1 to 1');
  }
  return parsed;
}

const program = new Command()
  .name('rhizome')
  .description(
    'Agentic GraphRAG on one PostgreSQL (pgvector + Apache AGE).\n\n' +
      'Uses the embedded database in RHIZOME_DATA_DIR (./.rhizome), or the PostgreSQL server in DATABASE_URL. ' +
      'While `rhizome serve` holds the embedded database, tenants, keys, ingest, search and ask ' +
      'go through that server; see `rhizome doctor` when something does not start.',
  )
  .version(packageVersion(), '-v, --version', 'print the version')
  .helpCommand('help [command]', 'help for a command')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the service: the HTTP API and/or the ingestion worker')
  .addOption(new Option('--role <role>', 'which role this process runs').choices(serviceRoles).default('all'))
  .option('--port <port>', 'port to listen on (default RHIZOME_PORT or 8080)', port)
  .option('--host <host>', 'interface to listen on (default RHIZOME_HOST)')
  .option(
    '--stateless',
    'serverless container (Function Compute, Cloud Run…): roles api or retrieval only, DATABASE_URL required, ' +
      'no migrations, no in-process worker, no first admin key',
  )
  .addHelpText(
    'after',
    `\nRoles:\n${serviceRoles.map((role) => `  ${role.padEnd(10)} ${roleDescriptions[role]}`).join('\n')}\n` +
      'Every role serves /healthz, /readyz and /metrics.',
  )
  .action(async (options: { role: ServiceRole; port?: number; host?: string; stateless?: boolean }) => {
    const config = loadConfigOrExit();
    const { serve } = await import('./serve-command.js');
    try {
      await serve(config, options);
    } catch (error) {
      reportFailure(error);
      process.exit(1);
    }
  });

program
  .command('migrate')
  .description('apply pending database migrations (the server also does this when it starts)')
  .action(async () => {
    const { migrate } = await import('../db/migrate.js');
    await withRuntime(
      async (runtime) => {
        const report = await migrate(
          runtime.database,
          {
            embeddingDimensions: runtime.config.embedding.dimensions,
            embeddingModel: runtime.config.embedding.model,
          },
          runtime.logger,
        );
        process.stdout.write(
          report.applied.length === 0
            ? 'Database is up to date.\n'
            : `Applied: ${report.applied.map((migration) => `${migration.id} ${migration.name}`).join(', ')}\n`,
        );
      },
      { migrate: false, command: 'migrate' },
    );
  });

program
  .command('ingest <paths...>')
  .description('ingest files and folders (recursively) into a tenant and wait until they are indexed')
  .requiredOption('--tenant <tenant>', 'tenant id or slug')
  .option('--collection <collection>', 'collection name or id (a new name creates the collection)')
  .option('--no-wait', 'return after uploading; a worker indexes later')
  .option('--json', 'print only JSON on stdout: one object per file')
  .action(
    async (
      paths: string[],
      options: { tenant: string; collection?: string; wait: boolean; json?: boolean },
    ) => {
      const { ingest } = await import('./ingest-command.js');
      await withBackend('ingest', async (backend) => {
        const succeeded = await ingest(backend, paths, { ...options, json: options.json ?? false });
        if (!succeeded) process.exitCode = 2;
      });
    },
  );

program
  .command('search <query>')
  .description('search a tenant and show where each hit came from')
  .requiredOption('--tenant <tenant>', 'tenant id or slug')
  .addOption(new Option('--mode <mode>', 'retrieval mode').choices(searchModes).default('mix'))
  .option('--k <k>', 'number of results (1–200)', positiveInteger(200), 10)
  .option('--collection <collection>', 'only this collection (name or id)')
  .option('--rerank', 'rerank with the configured reranker (RERANK_PROVIDER); without one, a notice says so')
  .option(
    '--min-similarity <number>',
    'drop vector candidates below this cosine similarity (-1 to 1; the scale depends on the embedding model)',
    similarity,
  )
  .option('--json', 'print only the JSON response on stdout')
  .addHelpText(
    'after',
    '\nModes: naive (vectors), bm25 (words), local (entity graph), global (communities),\n' +
      '       hybrid (bm25 + vectors), mix (all, fused), multihop (mix + a second graph walk from bridge entities).\n' +
      'Notes after the results say when nothing matched, when the hits were found only by embedding,\n' +
      'or when --rerank could not rerank (JSON: "notices", each with a stable "code").',
  )
  .action(
    async (
      query: string,
      options: {
        tenant: string;
        mode: SearchMode;
        k: number;
        collection?: string;
        rerank?: boolean;
        minSimilarity?: number;
        json?: boolean;
      },
    ) => {
      const { printSearchResponse } = await import('./search-output.js');
      await withBackend('search', async (backend) => {
        const collectionIds = options.collection
          ? [await backend.collectionId(options.tenant, options.collection)]
          : undefined;
        const response = await backend.search(options.tenant, {
          query,
          mode: options.mode,
          k: options.k,
          rerank: options.rerank ?? false,
          ...(options.minSimilarity === undefined ? {} : { minSimilarity: options.minSimilarity }),
          filters: collectionIds ? { collectionIds } : {},
        });
        if (options.json) process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
        else printSearchResponse(response);
      });
    },
  );

registerEvalQaCommand(registerEvalCommands(program));

program
  .command('ask <question>')
  .description('ask the agent; streams its steps to stderr, prints the answer with its sources')
  .requiredOption('--tenant <tenant>', 'tenant id or slug')
  .addOption(new Option('--mode <mode>', 'agent mode (auto lets the agent choose)').choices(agentModes).default('auto'))
  .option('--thread <id>', 'continue this conversation thread')
  .option('--json', 'print the answer as JSON')
  .action(async (question: string, options: { tenant: string; mode: AgentMode; thread?: string; json?: boolean }) => {
    const { ask, runtimeAgentEvents } = await import('./ask-command.js');
    // Like the data commands: through the server when one holds the embedded database.
    const server = await runningLocalServer();
    if (server) {
      const { remoteAgentEvents } = await import('./remote-agent-events.js');
      process.stderr.write(`rhizome: the data folder is open in the running server at ${server.url} (pid ${server.pid}); asking it.\n`);
      try {
        if (!(await ask(remoteAgentEvents(server, options.tenant), question, options))) process.exitCode = 2;
      } catch (error) {
        reportFailure(error);
      }
      return;
    }
    await withRuntime(
      async (runtime) => {
        const answered = await ask(await runtimeAgentEvents(runtime, options.tenant), question, options);
        if (!answered) process.exitCode = 2;
      },
      { command: 'ask' },
    );
  });

const tenants = program
  .command('tenants')
  .description('create, list and delete tenants (each has its own documents, keys and graph)');
tenants
  .command('create')
  .description('create a tenant (and its knowledge graph)')
  .requiredOption('--slug <slug>', 'short unique name: lower-case letters, digits, hyphens')
  .option('--name <name>', 'display name (default: the slug)')
  .option('--json', 'print only JSON on stdout')
  .action(async (options: { slug: string; name?: string; json?: boolean }) => {
    const { parseInput } = await import('../server/validation.js');
    const { tenantInputSchema } = await import('../tenancy/tenant-service.js');
    await withBackend('tenants create', async (backend) => {
      const input = parseInput(
        tenantInputSchema,
        { slug: options.slug, name: options.name ?? options.slug },
        'body',
      );
      const tenant = await backend.createTenant(input);
      if (options.json) process.stdout.write(`${JSON.stringify(tenant, null, 2)}\n`);
      else process.stdout.write(`Created tenant ${tenant.slug} (${tenant.id}).\n`);
    });
  });
tenants
  .command('list')
  .description('list every tenant')
  .option('--json', 'print only JSON on stdout')
  .action(async (options: { json?: boolean }) => {
    await withBackend('tenants list', async (backend) =>
      printJsonOrTable(await backend.listTenants(), options.json ?? false),
    );
  });
tenants
  .command('delete <tenant>')
  .description(
    'delete a tenant (id or slug) and everything it owns: documents, keys, graph; cannot be undone',
  )
  .action(async (identifier: string) => {
    await withBackend('tenants delete', async (backend) => {
      const tenant = await backend.deleteTenant(identifier);
      process.stdout.write(`Deleted tenant ${tenant.slug} (${tenant.id}).\n`);
    });
  });

const keys = program.command('keys').description('create, list and revoke API keys');
keys
  .command('create')
  .description(
    'create an API key; the key is printed once (a lost admin key: create another with --role admin)',
  )
  .requiredOption('--role <role>', 'admin (the whole platform) | owner | editor | reader (one tenant)')
  .option('--tenant <tenant>', 'tenant id or slug (required unless --role admin)')
  .option('--name <name>', 'what the key is for', 'cli')
  .option('--json', 'print only JSON on stdout')
  .action(async (options: { role: string; tenant?: string; name: string; json?: boolean }) => {
    const { parseInput } = await import('../server/validation.js');
    const { z } = await import('zod');
    await withBackend('keys create', async (backend) => {
      const role = parseInput(z.enum(['admin', 'owner', 'editor', 'reader']), options.role, 'body');
      const created = await backend.createKey({ name: options.name, role, tenant: options.tenant ?? null });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      } else {
        process.stdout.write(`Created ${created.role} key ${created.id}. Shown once:\n  ${created.key}\n`);
      }
    });
  });
keys
  .command('list')
  .description('list API keys (ids, roles, tenants; never the secrets)')
  .option('--tenant <tenant>', 'only this tenant (id or slug)')
  .option('--json', 'print only JSON on stdout')
  .action(async (options: { tenant?: string; json?: boolean }) => {
    await withBackend('keys list', async (backend) =>
      printJsonOrTable(await backend.listKeys(options.tenant ?? null), options.json ?? false),
    );
  });
keys
  .command('revoke <keyId>')
  .description('revoke an API key by its id (the 12 characters after rhz_)')
  .action(async (keyId: string) => {
    await withBackend('keys revoke', async (backend) => {
      const revoked = await backend.revokeKey(keyId);
      process.stdout.write(`Revoked key ${revoked.id}.\n`);
    });
  });

program
  .command('doctor')
  .description('check the set-up: Node, settings, the data folder (lock, server, database), models')
  .option('--json', 'print only JSON on stdout')
  .action(async (options: { json?: boolean }) => {
    const { runDoctor } = await import('./doctor-command.js');
    process.exitCode = await runDoctor({ json: options.json ?? false });
  });

program
  .command('backup [file]')
  .description('write the embedded database and stored originals to one .tar.gz (stop the server first)')
  .action(async (file: string | undefined) => {
    const { backup } = await import('./backup-command.js');
    await backup(loadConfigOrExit(), file).catch(reportFailure);
  });

program
  .command('restore <file>')
  .description('restore a backup into RHIZOME_DATA_DIR, which must not hold a database yet')
  .action(async (file: string) => {
    const { restore } = await import('./backup-command.js');
    await restore(loadConfigOrExit(), file).catch(reportFailure);
  });

await program.parseAsync(process.argv);
