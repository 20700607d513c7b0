import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, settingNames } from '../../src/core/config.js';
import * as lambdaEntry from '../../src/serverless/aws-lambda.js';
import { assertStatelessConfig } from '../../src/serverless/stateless-server.js';

/**
 * The serverless deployment files (Function Compute's s.yaml, the AWS SAM template and the Lambda
 * image's Dockerfile) name only settings the service knows, run the stateless entry with a role it
 * accepts, and name handlers the Lambda module exports; with placeholder secrets, the settings they
 * give pass the service's own config schema and the stateless checks.
 */
const serverless = join(process.cwd(), 'deploy', 'serverless');

interface FunctionComputeProps {
  runtime: string;
  timeout: number;
  environmentVariables: Record<string, string>;
  customContainerConfig: {
    image: string;
    port: number;
    entrypoint: string[];
    command: string[];
    healthCheckConfig: { httpGetUrl: string };
  };
  triggers: { triggerType: string; triggerConfig: { methods: string[] } }[];
}

/** Resolves `${vars.x}` references the way Serverless Devs does (whole-value references). */
function resolveVariables(value: unknown, variables: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{vars\.(\w+)\}$/.exec(value);
    if (whole) return variables[whole[1]!];
    return value.replace(/\$\{vars\.(\w+)\}/g, (_, name: string) => String(variables[name]));
  }
  if (Array.isArray(value)) return value.map((item) => resolveVariables(item, variables));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveVariables(item, variables)]));
  }
  return value;
}

/** What a deployer's shell would provide for `${env('…')}`: plausible values per setting. */
const placeholders: Record<string, string> = {
  DATABASE_URL: 'postgres://rhizome:secret@pgbouncer.internal:6432/rhizome',
  S3_BUCKET: 'rhizome-originals',
  S3_ACCESS_KEY_ID: 'access-key-id',
  S3_SECRET_ACCESS_KEY: 'secret-access-key',
  REDIS_URL: 'redis://redis.internal:6379',
};

function withPlaceholders(environment: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      typeof value === 'string' && !value.includes('${') ? value : (placeholders[key] ?? `unresolved ${key}`),
    ]),
  );
}

describe('Function Compute (Serverless Devs s.yaml)', () => {
  it('runs the api and retrieval roles statelessly from the service image', async () => {
    const file = parse(await readFile(join(serverless, 'aliyun-fc', 's.yaml'), 'utf8')) as {
      edition: string;
      vars: Record<string, unknown>;
      resources: Record<string, { component: string; props: unknown }>;
    };
    expect(file.edition).toBe('3.0.0');
    const dockerfile = await readFile(join(process.cwd(), 'Dockerfile'), 'utf8');
    const imageEntrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];

    const roles: string[] = [];
    for (const [name, resource] of Object.entries(file.resources)) {
      expect(resource.component, name).toBe('fc3');
      const props = resolveVariables(resource.props, file.vars) as FunctionComputeProps;
      expect(props.runtime).toBe('custom-container');
      const container = props.customContainerConfig;
      expect(container.entrypoint).toEqual(imageEntrypoint);
      const [command, roleFlag, role, ...rest] = container.command;
      expect([command, roleFlag]).toEqual(['serve', '--role']);
      expect(rest).toEqual(['--stateless']);
      roles.push(role!);
      expect(container.healthCheckConfig.httpGetUrl).toBe('/readyz');
      expect(props.triggers.map((trigger) => trigger.triggerType)).toEqual(['http']);

      const environment = props.environmentVariables;
      for (const key of Object.keys(environment)) expect(settingNames, `${name}: ${key}`).toContain(key);
      expect(Number(environment.RHIZOME_PORT)).toBe(container.port);
      // No secret is written in the file: each comes from the deployer's environment.
      for (const key of ['DATABASE_URL', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
        expect(environment[key], key).toMatch(/^\$\{env\('RHIZOME_[A-Z_]+'\)\}$/);
      }
      const config = loadConfig(withPlaceholders(environment));
      expect(() => assertStatelessConfig(config, role!)).not.toThrow();
      expect(config.migrateOnStart).toBe(false);
    }
    expect(roles.sort()).toEqual(['api', 'retrieval']);
  });
});

describe('AWS Lambda (SAM template and image)', () => {
  it('names handlers the Lambda module exports, with settings the service accepts', async () => {
    const template = parse(await readFile(join(serverless, 'aws-lambda', 'template.yaml'), 'utf8')) as {
      Globals: { Function: { Environment: { Variables: Record<string, unknown> } } };
      Resources: Record<string, { Type: string; Properties: { ImageConfig?: { Command: string[] } } }>;
    };
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Serverless::Function');
    const handlers = functions.map((resource) => resource.Properties.ImageConfig!.Command[0]!);
    expect(handlers.sort()).toEqual(['dist/serverless/aws-lambda.apiHandler', 'dist/serverless/aws-lambda.retrievalHandler']);
    const dockerfile = await readFile(join(serverless, 'aws-lambda', 'Dockerfile'), 'utf8');
    handlers.push(...(JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[]));
    for (const handler of handlers) {
      const [modulePath, exportName] = handler.split('.') as [string, string];
      expect(modulePath).toBe('dist/serverless/aws-lambda');
      expect(typeof (lambdaEntry as Record<string, unknown>)[exportName], handler).toBe('function');
    }

    const environment = template.Globals.Function.Environment.Variables;
    for (const key of Object.keys(environment)) expect(settingNames, key).toContain(key);
    const config = loadConfig(withPlaceholders(environment));
    expect(() => assertStatelessConfig(config, 'api')).not.toThrow();
    expect(config.dataDirectory.startsWith('/tmp/')).toBe(true);
  });
});
