import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Imported by a name TypeScript does not resolve: the package's type declarations reference the DOM
// library, which would change global types (BlobPart…) for the whole project's type check.
const hclParserPackage: string = '@cdktf/hcl2json';
const { parse } = (await import(hclParserPackage)) as {
  parse(fileName: string, contents: string): Promise<Record<string, unknown>>;
};

/**
 * The Terraform modules, checked without the `terraform` binary (neither the npm registry nor
 * Debian ships it, and `terraform validate` would also need the providers from their registry):
 * every file parses with HashiCorp's own HCL parser (@cdktf/hcl2json, compiled to WebAssembly),
 * every variable, local, resource and module output referenced is declared, every declared variable
 * is used and described, secrets are sensitive, and each module has the properties Rhizome needs
 * (the extension allow-list for vector and AGE, AGE preloaded, the database private).
 */
const terraform = join(process.cwd(), 'deploy', 'terraform');

type Block = Record<string, unknown>;
interface Configuration {
  readonly text: string;
  readonly variables: Record<string, Block>;
  readonly outputs: Record<string, Block>;
  readonly locals: Record<string, unknown>;
  readonly resources: Record<string, Record<string, Block>>;
  readonly data: Record<string, Record<string, Block>>;
  readonly modules: Record<string, Block>;
  readonly terraform: Block[];
}

/** Parses every .tf file of a folder into one configuration (blocks of one kind merged). */
async function loadConfiguration(folder: string): Promise<Configuration> {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.tf')).sort();
  expect(files.length, folder).toBeGreaterThan(0);
  const merged: Configuration = {
    text: '',
    variables: {},
    outputs: {},
    locals: {},
    resources: {},
    data: {},
    modules: {},
    terraform: [],
  };
  const texts: string[] = [];
  for (const file of files) {
    const text = await readFile(join(folder, file), 'utf8');
    texts.push(text);
    const parsed = await parse(file, text);
    const first = (blocks: unknown) =>
      Object.fromEntries(Object.entries((blocks ?? {}) as Record<string, Block[]>).map(([name, [block]]) => [name, block!]));
    Object.assign(merged.variables, first(parsed.variable));
    Object.assign(merged.outputs, first(parsed.output));
    Object.assign(merged.modules, first(parsed.module));
    for (const locals of (parsed.locals ?? []) as Record<string, unknown>[]) Object.assign(merged.locals, locals);
    for (const [kind, target] of [
      ['resource', merged.resources],
      ['data', merged.data],
    ] as const) {
      for (const [type, named] of Object.entries((parsed[kind] ?? {}) as Record<string, Record<string, Block[]>>)) {
        target[type] = { ...target[type], ...Object.fromEntries(Object.entries(named).map(([name, [block]]) => [name, block!])) };
      }
    }
    merged.terraform.push(...((parsed.terraform ?? []) as Block[]));
  }
  return { ...merged, text: texts.join('\n') };
}

/** Names after `prefix.` in the configuration's expressions (comments stripped). */
function referenced(text: string, pattern: RegExp): Set<string> {
  const code = text.replace(/^\s*#.*$/gm, '');
  return new Set([...code.matchAll(pattern)].map((match) => match.slice(1).join('.')));
}

function checkReferences(configuration: Configuration, providerPrefix: string): void {
  const { text } = configuration;
  for (const name of referenced(text, /\bvar\.([a-z_][a-z0-9_]*)/g)) {
    expect(configuration.variables, `var.${name} is declared`).toHaveProperty(name);
  }
  for (const name of Object.keys(configuration.variables)) {
    expect(text, `variable ${name} is used`).toMatch(new RegExp(`\\bvar\\.${name}\\b`));
  }
  for (const name of referenced(text, /\blocal\.([a-z_][a-z0-9_]*)/g)) {
    expect(configuration.locals, `local.${name} is defined`).toHaveProperty(name);
  }
  const resourcePattern = new RegExp(`(?<![\\w."])(${providerPrefix}_[a-z0-9_]+)\\.([a-z_][a-z0-9_]*)`, 'g');
  const resourceReferences = referenced(text.replace(/\bdata\.[a-z0-9_]+\.[a-z0-9_]+/g, ''), resourcePattern);
  // The pattern must see the references resources make to each other, or the loop checks nothing.
  expect(resourceReferences.size).toBeGreaterThan(5);
  for (const reference of resourceReferences) {
    const [type, name] = reference.split('.') as [string, string];
    expect(configuration.resources[type] ?? {}, `resource ${reference} is declared`).toHaveProperty(name);
  }
  for (const reference of referenced(text, /\bdata\.([a-z0-9_]+)\.([a-z0-9_]+)/g)) {
    const [type, name] = reference.split('.') as [string, string];
    expect(configuration.data[type] ?? {}, `data ${reference} is declared`).toHaveProperty(name);
  }
  for (const [name, variable] of Object.entries(configuration.variables)) {
    expect(String(variable.description ?? ''), `variable ${name} is described`).not.toBe('');
    expect(variable.type, `variable ${name} has a type`).toBeDefined();
    if (/password|secret|key$/.test(name)) expect(variable.sensitive, `variable ${name} is sensitive`).toBe(true);
  }
  for (const [name, output] of Object.entries(configuration.outputs)) {
    if (/database_url|password|kube_config/.test(name)) expect(output.sensitive, `output ${name} is sensitive`).toBe(true);
  }
}

function providerSource(configuration: Configuration, provider: string): string {
  const required = configuration.terraform.flatMap(
    (block) => (block.required_providers ?? []) as Record<string, { source: string; version: string }>[],
  );
  const entry = required.find((providers) => provider in providers)?.[provider];
  expect(entry?.version, `${provider} version is constrained`).toMatch(/</);
  return entry!.source;
}

const list = (value: unknown) => String(value).split(',').map((item) => item.trim().toLowerCase());

describe('Terraform: Alibaba Cloud (ACK + RDS/PolarDB for PostgreSQL + OSS)', () => {
  const folder = join(terraform, 'modules', 'alibaba-ack-postgres');

  it('parses, and every reference resolves', async () => {
    const configuration = await loadConfiguration(folder);
    expect(providerSource(configuration, 'alicloud')).toBe('aliyun/alicloud');
    checkReferences(configuration, 'alicloud');
  });

  it('builds a managed cluster with an autoscaling node pool and a private database with AGE preloaded', async () => {
    const { resources, variables, outputs } = await loadConfiguration(folder);
    expect(resources.alicloud_cs_managed_kubernetes?.this).toBeDefined();
    const pool = resources.alicloud_cs_kubernetes_node_pool!.default!;
    expect((pool.scaling_config as Block[])[0]).toMatchObject({ enable: true });
    // Exactly one engine, chosen by a validated variable.
    expect(String((variables.database_engine!.validation as Block[])[0]!.condition)).toContain('"polardb"');
    expect(resources.alicloud_db_instance!.postgres!.count).toMatch(/use_rds/);
    expect(resources.alicloud_polardb_cluster!.postgres!.count).toMatch(/use_polardb/);
    const rds = resources.alicloud_db_instance!.postgres!;
    expect(rds.engine).toBe('PostgreSQL');
    const preload = (rds.parameters as Block[]).find((parameter) => parameter.name === 'shared_preload_libraries');
    expect(list(preload?.value)).toContain('age');
    for (const database of [rds, resources.alicloud_polardb_cluster!.postgres!]) {
      expect(JSON.stringify(database.security_ips)).not.toContain('0.0.0.0');
    }
    expect(resources.alicloud_oss_bucket_acl!.originals!.acl).toBe('private');
    expect(String(outputs.database_url!.value)).toContain('sslmode=require');
  });
});

describe('Terraform: Azure (AKS + Azure Database for PostgreSQL flexible server)', () => {
  const folder = join(terraform, 'modules', 'azure-aks-postgres');

  it('parses, and every reference resolves', async () => {
    const configuration = await loadConfiguration(folder);
    expect(providerSource(configuration, 'azurerm')).toBe('hashicorp/azurerm');
    checkReferences(configuration, 'azurerm');
  });

  it('allow-lists vector and AGE, preloads AGE, and keeps the server inside the network', async () => {
    const { resources, outputs } = await loadConfiguration(folder);
    const settings = Object.values(resources.azurerm_postgresql_flexible_server_configuration ?? {});
    const setting = (name: string) => settings.find((entry) => entry.name === name)?.value;
    expect(list(setting('azure.extensions'))).toEqual(expect.arrayContaining(['vector', 'age']));
    expect(list(setting('shared_preload_libraries'))).toContain('age');
    const server = resources.azurerm_postgresql_flexible_server!.this!;
    expect(server.public_network_access_enabled).toBe(false);
    expect(server.delegated_subnet_id).toBe('${azurerm_subnet.postgres.id}');
    const delegation = (resources.azurerm_subnet!.postgres!.delegation as Block[])[0]!;
    expect((delegation.service_delegation as Block[])[0]!.name).toBe('Microsoft.DBforPostgreSQL/flexibleServers');
    // The private DNS zone of a flexible server must end in .postgres.database.azure.com.
    expect(String(resources.azurerm_private_dns_zone!.postgres!.name)).toMatch(/\.postgres\.database\.azure\.com$/);
    const cluster = resources.azurerm_kubernetes_cluster!.this!;
    expect((cluster.network_profile as Block[])[0]!.network_policy).toBeTruthy();
    expect((cluster.default_node_pool as Block[])[0]).toMatchObject({ auto_scaling_enabled: true });
    expect(String(outputs.database_url!.value)).toContain('sslmode=require');
  });
});

describe('Terraform environments', () => {
  it('call the modules with every required variable and only declared ones, and use existing outputs', async () => {
    const environments = join(terraform, 'environments');
    const folders = await readdir(environments);
    expect(folders.sort()).toEqual(['alibaba-prod', 'azure-prod']);
    for (const folder of folders) {
      const configuration = await loadConfiguration(join(environments, folder));
      for (const [name, call] of Object.entries(configuration.modules)) {
        const module = await loadConfiguration(resolve(environments, folder, String(call.source)));
        const passed = Object.keys(call).filter((key) => !['source', 'version', 'providers', 'depends_on'].includes(key));
        for (const key of passed) expect(module.variables, `${folder}: module ${name} takes ${key}`).toHaveProperty(key);
        const required = Object.entries(module.variables)
          .filter(([, variable]) => !('default' in variable))
          .map(([key]) => key);
        for (const key of required) expect(passed, `${folder}: module ${name} is given ${key}`).toContain(key);
        for (const output of referenced(configuration.text, new RegExp(`\\bmodule\\.${name}\\.([a-z_][a-z0-9_]*)`, 'g'))) {
          expect(module.outputs, `${folder}: module.${name}.${output}`).toHaveProperty(output);
        }
      }
      // Secrets are asked for, never written down.
      expect(configuration.text).not.toMatch(/password\s*=\s*"/);
    }
  });

  it('rejects malformed HCL (the parser is strict)', async () => {
    await expect(parse('broken.tf', 'resource "azurerm_resource_group" "this" {\n  name = \n')).rejects.toThrow();
  });
});
