import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { searchModes, searchRequestSchema, type SearchMode } from '../core/search.js';
import { migrate } from '../db/migrate.js';
import { parseInput } from '../server/validation.js';
import { tenantInputSchema } from '../tenancy/tenant-service.js';
import { loadConfigOrExit, printJsonOrTable, reportFailure, withRuntime } from './run-command.js';
import { registerEvalCommands } from './eval-command.js';
import { registerEvalQaCommand } from './eval-qa-command.js';
import { ask } from './ask-command.js';
import { agentModes, type AgentMode } from '../core/agent.js';
import { ingest } from './ingest-command.js';
import { serve, serviceRoles, type ServiceRole } from './serve-command.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return parsed;
}

const program = new Command()
  .name('rhizome')
  .description('Agentic GraphRAG on one PostgreSQL (pgvector + Apache AGE)')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the service (the embedded database unless DATABASE_URL is set)')
  .addOption(new Option('--role <role>', 'which role(s) this process runs').choices(serviceRoles).default('all'))
  .option('--port <port>', 'port to listen on (default RHIZOME_PORT or 8080)', port)
  .option('--host <host>', 'interface to listen on (default RHIZOME_HOST)')
  .action(async (options: { role: ServiceRole; port?: number; host?: string }) => {
    const config = loadConfigOrExit();
    try {
      await serve(config, options);
    } catch (error) {
      reportFailure(error);
      process.exit(1);
    }
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    await withRuntime(async (runtime) => {
      const report = await migrate(
        runtime.database,
        { embeddingDimensions: runtime.config.embedding.dimensions, embeddingModel: runtime.config.embedding.model },
        runtime.logger,
      );
      process.stdout.write(
        report.applied.length === 0
          ? 'Database is up to date.\n'
          : `Applied: ${report.applied.map((migration) => `${migration.id} ${migration.name}`).join(', ')}\n`,
      );
    }, { migrate: false });
  });

program
  .command('ingest <paths...>')
  .description('ingest files and folders (recursively) into a tenant')
  .requiredOption('--tenant <tenant>', 'tenant id or slug')
  .option('--collection <collection>', 'collection name or id')
  .option('--no-wait', 'return after uploading; a worker indexes later')
  .option('--json', 'print JSON')
  .action(async (paths: string[], options: { tenant: string; collection?: string; wait: boolean; json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const succeeded = await ingest(runtime, paths, { ...options, json: options.json ?? false });
      if (!succeeded) process.exitCode = 2;
    });
  });

program
  .command('search <query>')
  .description('search a tenant (hybrid BM25 + vectors + graph)')
  .requiredOption('--tenant <tenant>', 'tenant id or slug')
  .addOption(new Option('--mode <mode>', 'retrieval mode').choices(searchModes).default('mix'))
  .option('--k <k>', 'number of results', (value) => Number.parseInt(value, 10), 10)
  .option('--collection <collection>', 'only this collection (name or id)')
  .option('--rerank', 'rerank with the configured reranker')
  .option('--json', 'print JSON')
  .action(
    async (
      query: string,
      options: { tenant: string; mode: SearchMode; k: number; collection?: string; rerank?: boolean; json?: boolean },
    ) => {
      await withRuntime(async (runtime) => {
        const tenant = await runtime.tenants.get(options.tenant);
        const collectionIds = options.collection
          ? [(await runtime.collections.get(tenant.id, options.collection)).id]
          : undefined;
        const response = await runtime.search.search(
          tenant.id,
          parseInput(
            searchRequestSchema,
            { query, mode: options.mode, k: options.k, rerank: options.rerank ?? false, filters: { collectionIds } },
            'body',
          ),
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
          return;
        }
        response.hits.forEach((hit, index) => {
          const lists = hit.explanation.lists.map((list) => `${list.list}#${list.rank}`).join(' ');
          const where = [hit.documentTitle || hit.fileName, hit.pages.length ? `p. ${hit.pages.join(', ')}` : '']
            .filter(Boolean)
            .join(' · ');
          process.stdout.write(`${index + 1}. ${where}  [${lists}]\n   ${hit.content.slice(0, 240).replace(/\s+/g, ' ')}\n`);
        });
        process.stdout.write(`${response.hits.length} results in ${response.tookMs.toFixed(1)} ms (${response.mode}).\n`);
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
    await withRuntime(async (runtime) => {
      const answered = await ask(runtime, question, options);
      if (!answered) process.exitCode = 2;
    });
  });

const tenants = program.command('tenants').description('manage tenants');
tenants
  .command('create')
  .description('create a tenant (and its knowledge graph)')
  .requiredOption('--slug <slug>', 'short unique name: lower-case letters, digits, hyphens')
  .option('--name <name>', 'display name (default: the slug)')
  .option('--json', 'print JSON')
  .action(async (options: { slug: string; name?: string; json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const input = parseInput(tenantInputSchema, { slug: options.slug, name: options.name ?? options.slug }, 'body');
      const tenant = await runtime.tenants.create(input);
      printJsonOrTable([tenant], options.json ?? false);
    });
  });
tenants
  .command('list')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    await withRuntime(async (runtime) => printJsonOrTable(await runtime.tenants.list(), options.json ?? false));
  });
tenants
  .command('delete <tenant>')
  .description('delete a tenant (id or slug) and everything it owns')
  .action(async (identifier: string) => {
    await withRuntime(async (runtime) => {
      const tenant = await runtime.tenants.delete(identifier);
      process.stdout.write(`Deleted tenant ${tenant.slug} (${tenant.id}).\n`);
    });
  });

const keys = program.command('keys').description('manage API keys');
keys
  .command('create')
  .description('create an API key; the key is printed once')
  .requiredOption('--role <role>', 'admin | owner | editor | reader')
  .option('--tenant <tenant>', 'tenant id or slug (required unless --role admin)')
  .option('--name <name>', 'what the key is for', 'cli')
  .option('--json', 'print JSON')
  .action(async (options: { role: string; tenant?: string; name: string; json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const role = parseInput(z.enum(['admin', 'owner', 'editor', 'reader']), options.role, 'body');
      const tenantId = options.tenant ? (await runtime.tenants.get(options.tenant)).id : null;
      const created = await runtime.keys.create({ name: options.name, role, tenantId });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      } else {
        process.stdout.write(`Created ${created.role} key ${created.id}. Shown once:\n  ${created.key}\n`);
      }
    });
  });
keys
  .command('list')
  .option('--tenant <tenant>', 'only this tenant (id or slug)')
  .option('--json', 'print JSON')
  .action(async (options: { tenant?: string; json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const filter = options.tenant ? { tenantId: (await runtime.tenants.get(options.tenant)).id } : 'all';
      printJsonOrTable(await runtime.keys.list(filter), options.json ?? false);
    });
  });
keys
  .command('revoke <keyId>')
  .description('revoke an API key by its id (the part after rhz_)')
  .action(async (keyId: string) => {
    await withRuntime(async (runtime) => {
      const revoked = await runtime.keys.revoke(keyId);
      process.stdout.write(`Revoked key ${revoked.id}.\n`);
    });
  });

await program.parseAsync(process.argv);
