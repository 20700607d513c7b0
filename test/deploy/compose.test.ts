import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, settingNames } from '../../src/core/config.js';

/**
 * The development Compose file: parses, has every service the stack needs, and gives the Rhizome
 * containers only settings the service knows, with values its config schema accepts.
 */
const composeDirectory = join(process.cwd(), 'deploy', 'compose');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
}

async function loadCompose(): Promise<{
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}> {
  // `merge: true` resolves the YAML merge keys (<<) Compose files use for shared settings.
  return parse(await readFile(join(composeDirectory, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
}

function runsRhizome(service: ComposeService): boolean {
  return service.build?.dockerfile === 'Dockerfile' && service.build.target === undefined;
}

describe('Compose for development', () => {
  it('runs the database, every role, the UI and the observability stack', async () => {
    const { services } = await loadCompose();
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'grafana',
        'jaeger',
        'migrate',
        'otel-collector',
        'postgres',
        'prometheus',
        'redis',
        'web',
        'worker',
      ].sort(),
    );
    expect(services.postgres!.build?.context).toBe('../postgres');
    expect(services.postgres!.healthcheck?.test).toContain('pg_isready');
    expect(services.api!.command).toEqual(['serve', '--role', 'api']);
    expect(services.worker!.command).toEqual(['serve', '--role', 'worker']);
    expect(services.migrate!.command).toEqual(['migrate']);
    expect(services.api!.depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(services.migrate!.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
  });

  it('sets on Rhizome containers only settings of the config schema, with values it accepts', async () => {
    const { services } = await loadCompose();
    const known = new Set(settingNames);
    const rhizomeServices = Object.entries(services).filter(([, service]) => runsRhizome(service));
    expect(rhizomeServices.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [name, service] of rhizomeServices) {
      const environment = service.environment ?? {};
      expect(
        Object.keys(environment).filter((key) => !known.has(key)),
        name,
      ).toEqual([]);
      // The values pass the same validation the service runs at start-up.
      const config = loadConfig(environment);
      expect(config.database.driver, name).toBe('postgres');
      expect(config.telemetry.otlpEndpoint, name).toBe('http://otel-collector:4318');
    }
    expect(services.worker!.environment?.RHIZOME_WORKER_CONCURRENCY).toBe('2');
  });

  it('mounts files that exist in the repository', async () => {
    const { services } = await loadCompose();
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) continue;
        await expect(
          readFile(join(composeDirectory, source)).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'EISDIR') return Buffer.alloc(0);
            throw new Error(`${name} mounts ${source}, which does not exist`);
          }),
        ).resolves.toBeDefined();
      }
    }
  });

  it('scrapes every Rhizome role and provisions Grafana with Prometheus and Jaeger', async () => {
    const { services } = await loadCompose();
    const prometheus = parse(
      await readFile(join(process.cwd(), 'deploy', 'observability', 'prometheus.yaml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs
      .find((job) => job.job_name === 'rhizome')!
      .static_configs.flatMap((config) => config.targets);
    const roles = Object.entries(services)
      .filter(([name, service]) => runsRhizome(service) && name !== 'migrate')
      .map(([name]) => `${name}:8080`);
    expect(targets.sort()).toEqual(roles.sort());
    const datasources = parse(
      await readFile(
        join(
          process.cwd(),
          'deploy',
          'observability',
          'grafana',
          'provisioning',
          'datasources',
          'datasources.yaml',
        ),
        'utf8',
      ),
    ) as { datasources: { uid: string; type: string }[] };
    expect(datasources.datasources.map((source) => source.type).sort()).toEqual(['jaeger', 'prometheus']);
  });
});
