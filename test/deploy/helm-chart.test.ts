import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { settingNames } from '../../src/core/config.js';
import {
  helmBinary,
  parseManifests,
  runHelm,
  validateKubernetesObject,
  type KubernetesObject,
} from '../support/kubernetes-tools.js';

/**
 * The Helm chart, tested with the real helm (v4, from an npm package): lint and render every
 * environment, validate every object against the Kubernetes schemas, and check what a platform
 * team relies on — non-root read-only pods, probes, a migrations hook, only the api reachable
 * from outside, only the roles reaching the database, alerts, and settings the service knows.
 */
const chart = join(process.cwd(), 'deploy', 'helm', 'rhizome');
const environments = ['dev', 'test', 'staging', 'prod'] as const;
const roleNames = ['all', 'api', 'worker', 'retrieval', 'agent'];

type Container = {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
};
type PodSpec = { securityContext?: Record<string, unknown>; containers: Container[] };
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: PodSpec };
type PolicyPeer = {
  namespaceSelector?: unknown;
  podSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: unknown;
};
type NetworkPolicySpec = {
  podSelector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values: string[] }[];
  };
  policyTypes: string[];
  ingress?: { from?: PolicyPeer[] }[];
  egress?: { to?: PolicyPeer[]; ports?: { port: number | string }[] }[];
};

let helm: string;

async function render(args: readonly string[]): Promise<KubernetesObject[]> {
  const result = await runHelm(helm, ['template', 'rhizome', chart, ...args]);
  if (result.exitCode !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

function environmentArgs(environment: string): string[] {
  return ['--namespace', `rhizome-${environment}`, '-f', join(chart, `values-${environment}.yaml`)];
}

function ofKind(objects: readonly KubernetesObject[], kind: string): KubernetesObject[] {
  return objects.filter((object) => object.kind === kind);
}

function podTemplate(object: KubernetesObject): PodTemplate {
  return (object.spec as { template: PodTemplate }).template;
}

/** Does a NetworkPolicy's pod selector match pods with these labels? */
function selects(policy: NetworkPolicySpec, labels: Record<string, string>): boolean {
  const { matchLabels = {}, matchExpressions = [] } = policy.podSelector;
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  return matchExpressions.every((expression) => {
    const value = labels[expression.key];
    if (expression.operator === 'In') return value !== undefined && expression.values.includes(value);
    if (expression.operator === 'NotIn') return value === undefined || !expression.values.includes(value);
    throw new Error(`operator ${expression.operator} not handled by this test`);
  });
}

beforeAll(async () => {
  helm = await helmBinary();
}, 300_000);

describe.each(environments)('Helm chart, %s values', (environment) => {
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await render(environmentArgs(environment));
  }, 120_000);

  it('passes helm lint --strict', async () => {
    const result = await runHelm(helm, ['lint', chart, '--strict', ...environmentArgs(environment)]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.exitCode).toBe(0);
  });

  it('renders only objects that satisfy the Kubernetes schemas', async () => {
    expect(objects.length).toBeGreaterThan(8);
    for (const object of objects) await validateKubernetesObject(object);
  });

  it('runs every role as a non-root, read-only, unprivileged pod with probes and resources', () => {
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const template = podTemplate(deployment);
      const role = template.metadata.labels['app.kubernetes.io/component']!;
      expect(roleNames).toContain(role);
      expect(template.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(template.spec.securityContext?.runAsUser).not.toBe(0);
      const [container] = template.spec.containers;
      expect(container!.args).toEqual(['serve', '--role', role]);
      expect(container!.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container!.startupProbe?.httpGet?.path).toBe('/healthz');
      expect(container!.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container!.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container!.resources?.requests?.memory).toBeTruthy();
      expect(container!.resources?.limits?.memory).toBeTruthy();
    }
  });

  it('gives each role its own Service, and an autoscaler and disruption budget where asked', async () => {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const values = parse(await readFile(join(chart, 'values.yaml'), 'utf8')) as {
      roles: Record<
        string,
        { enabled: boolean; autoscaling: { enabled: boolean }; podDisruptionBudget: { enabled: boolean } }
      >;
    };
    const overrides = parse(await readFile(join(chart, `values-${environment}.yaml`), 'utf8')) as {
      roles?: Record<string, Partial<(typeof values.roles)[string]>>;
    };
    for (const role of roleNames) {
      const settings = { ...values.roles[role]!, ...overrides.roles?.[role] };
      const named = (kind: string) =>
        ofKind(objects, kind).find((object) => object.metadata.name === `rhizome-${role}`);
      expect(Boolean(named('Deployment')), `${role} Deployment`).toBe(settings.enabled);
      expect(Boolean(named('Service')), `${role} Service`).toBe(settings.enabled);
      expect(Boolean(named('HorizontalPodAutoscaler')), `${role} HPA`).toBe(
        settings.enabled && settings.autoscaling!.enabled,
      );
      expect(Boolean(named('PodDisruptionBudget')), `${role} PDB`).toBe(
        settings.enabled && settings.podDisruptionBudget!.enabled,
      );
      if (settings.autoscaling?.enabled && settings.enabled) {
        // The autoscaler owns the replica count; a fixed one would fight it on every sync.
        expect((named('Deployment')!.spec as { replicas?: number }).replicas).toBeUndefined();
      }
    }
  });

  it('migrates in a pre-install/pre-upgrade hook Job, and the roles then never migrate themselves', () => {
    const [job] = ofKind(objects, 'Job');
    expect(job!.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const container = podTemplate(job!).spec.containers[0]!;
    expect(container.args).toEqual(['migrate']);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    const configMap = ofKind(objects, 'ConfigMap')[0]! as unknown as {
      data: Record<string, string>;
      metadata: KubernetesObject['metadata'];
    };
    expect(configMap.data.RHIZOME_MIGRATE_ON_START).toBe('false');
    // The Job reads the settings before the release's ordinary resources exist: they are hooks too, created first.
    expect(Number(configMap.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
      Number(job!.metadata.annotations?.['helm.sh/hook-weight']),
    );
  });

  it('exposes only the api (or the all-in-one pod) through the Ingress and to other namespaces', () => {
    const ingresses = ofKind(objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const backends = JSON.stringify(ingresses[0]!.spec).match(/"name":"rhizome-[a-z]+"/g);
    expect(new Set(backends)).toEqual(
      new Set([environment === 'dev' ? '"name":"rhizome-all"' : '"name":"rhizome-api"']),
    );

    const policies = ofKind(objects, 'NetworkPolicy').map((policy) => ({
      name: policy.metadata.name,
      spec: policy.spec as unknown as NetworkPolicySpec,
    }));
    const deny = policies.find((policy) => policy.name === 'rhizome-default-deny')!;
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec.ingress ?? []).toEqual([]);

    const prometheusSelector = JSON.stringify({
      matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
    });
    for (const role of roleNames) {
      const labels = {
        'app.kubernetes.io/name': 'rhizome',
        'app.kubernetes.io/instance': 'rhizome',
        'app.kubernetes.io/component': role,
      };
      expect(selects(deny.spec, labels), `default deny covers ${role}`).toBe(true);
      const outsideSources = policies
        .filter((policy) => selects(policy.spec, labels))
        .flatMap((policy) => policy.spec.ingress ?? [])
        .flatMap((rule) => rule.from ?? [])
        .filter(
          (peer) =>
            peer.namespaceSelector !== undefined &&
            JSON.stringify(peer.namespaceSelector) !== prometheusSelector,
        );
      if (role === 'api' || role === 'all') expect(outsideSources.length, role).toBeGreaterThan(0);
      else expect(outsideSources, `${role} must not be reachable from other namespaces`).toEqual([]);
    }
  });

  it('lets only the roles and the migrations Job reach the database', () => {
    const policies = ofKind(objects, 'NetworkPolicy').map(
      (policy) => policy.spec as unknown as NetworkPolicySpec,
    );
    const databaseClients = [
      ...ofKind(objects, 'Deployment'),
      ...ofKind(objects, 'Job'),
      ...ofKind(objects, 'StatefulSet'),
    ]
      .filter((workload) => podTemplate(workload).metadata.labels['rhizome.io/database-client'] === 'true')
      .map((workload) => podTemplate(workload).metadata.labels['app.kubernetes.io/component']);
    expect(new Set(databaseClients)).toEqual(
      new Set([
        ...ofKind(objects, 'Deployment').map(
          (deployment) => podTemplate(deployment).metadata.labels['app.kubernetes.io/component'],
        ),
        'migrations',
      ]),
    );
    const egressToDatabase = policies
      .flatMap((policy) => (policy.egress ?? []).map((rule) => ({ policy, rule })))
      .filter(({ rule }) => (rule.ports ?? []).some((port) => port.port === 5432));
    expect(egressToDatabase.length).toBeGreaterThan(0);
    for (const { policy } of egressToDatabase)
      expect(policy.podSelector.matchLabels?.['rhizome.io/database-client']).toBe('true');

    const bundled = ofKind(objects, 'StatefulSet');
    if (bundled.length > 0) {
      const databasePolicy = policies.find(
        (policy) => policy.podSelector.matchLabels?.['app.kubernetes.io/component'] === 'postgresql',
      )!;
      expect(databasePolicy.ingress).toEqual([
        {
          from: [
            {
              podSelector: { matchLabels: expect.objectContaining({ 'rhizome.io/database-client': 'true' }) },
            },
          ],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ]);
    } else {
      const egress = policies.flatMap((policy) => policy.egress ?? []);
      expect(
        egress.some(
          (rule) =>
            (rule.ports ?? []).some((port) => port.port === 5432) &&
            JSON.stringify(rule.to).includes('ipBlock'),
        ),
      ).toBe(true);
    }
  });

  it('sets only environment variables that the service’s config schema knows', () => {
    const known = new Set(settingNames);
    const workloads = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')];
    const names = new Set<string>();
    for (const workload of workloads) {
      for (const container of podTemplate(workload).spec.containers) {
        for (const variable of container.env ?? []) names.add(variable.name);
      }
    }
    for (const configMap of ofKind(objects, 'ConfigMap')) {
      for (const key of Object.keys((configMap as unknown as { data: Record<string, string> }).data))
        names.add(key);
    }
    for (const secret of ofKind(objects, 'Secret')) {
      if (secret.metadata.labels?.['app.kubernetes.io/component'] === 'postgresql') continue;
      for (const key of Object.keys(
        (secret as unknown as { stringData?: Record<string, string> }).stringData ?? {},
      ))
        names.add(key);
    }
    expect(names.size).toBeGreaterThan(5);
    expect([...names].filter((name) => !known.has(name))).toEqual([]);
  });

  it('scrapes every role and alerts on availability, latency, queue backlog and job failures', () => {
    const monitors = ofKind(objects, 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    const monitor = monitors[0]!.spec as {
      endpoints: { port: string; path: string }[];
      selector: NetworkPolicySpec['podSelector'];
    };
    expect(monitor.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    for (const service of ofKind(objects, 'Service').filter(
      (service) => service.metadata.labels?.['app.kubernetes.io/component'] !== 'postgresql',
    )) {
      expect(
        selects({ podSelector: monitor.selector, policyTypes: [] }, service.metadata.labels!),
        service.metadata.name,
      ).toBe(true);
    }
    const rules = ofKind(objects, 'PrometheusRule');
    if (environment === 'dev') {
      expect(rules).toHaveLength(0);
      return;
    }
    const alerts = (rules[0]!.spec as { groups: { rules: { alert?: string; expr: string }[] }[] }).groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.alert);
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'RhizomeAvailabilityBelowObjective',
        'RhizomeLatencyP95High',
        'RhizomeIngestionQueueBacklog',
        'RhizomeIngestionJobsFailing',
      ]),
    );
    expect(alerts.find((rule) => rule.alert === 'RhizomeLatencyP95High')!.expr).toContain('> 0.2');
    expect(alerts.find((rule) => rule.alert === 'RhizomeAvailabilityBelowObjective')!.expr).toContain(
      '14.4 * 0.001',
    );
  });
});

describe('Helm chart, settings wiring and refused values', () => {
  async function valuesFile(values: unknown): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), 'rhizome-helm-'));
    const path = join(directory, 'values.yaml');
    await writeFile(path, stringify(values));
    return path;
  }

  it('puts DATABASE_URL and DATABASE_READ_URL in a Secret every role and the Job load', async () => {
    const objects = await render([
      '-f',
      await valuesFile({
        secrets: {
          create: true,
          values: {
            DATABASE_URL: 'postgres://rhizome:secret@primary:5432/rhizome',
            DATABASE_READ_URL: 'postgres://rhizome:secret@replica:5432/rhizome',
          },
        },
      }),
    ]);
    const secret = ofKind(objects, 'Secret').find(
      (object) => object.metadata.name === 'rhizome-env',
    ) as unknown as {
      stringData: Record<string, string>;
    };
    expect(secret.stringData).toEqual({
      DATABASE_URL: 'postgres://rhizome:secret@primary:5432/rhizome',
      DATABASE_READ_URL: 'postgres://rhizome:secret@replica:5432/rhizome',
    });
    // Connection strings never land in the ConfigMap.
    expect(JSON.stringify(ofKind(objects, 'ConfigMap'))).not.toContain('secret@');
    for (const workload of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')]) {
      expect(podTemplate(workload).spec.containers[0]!.envFrom).toEqual([
        { configMapRef: { name: 'rhizome-config' } },
        { secretRef: { name: 'rhizome-env' } },
      ]);
    }
  });

  it('wires the bundled PostgreSQL through a generated Secret', async () => {
    const objects = await render(['-f', await valuesFile({ postgresql: { enabled: true } })]);
    const secret = ofKind(objects, 'Secret').find(
      (object) => object.metadata.name === 'rhizome-postgresql',
    ) as unknown as {
      stringData: { password: string; 'database-url': string };
    };
    expect(secret.stringData.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secret.stringData['database-url']).toBe(
      `postgres://postgres:${secret.stringData.password}@rhizome-postgresql:5432/rhizome`,
    );
    const api = ofKind(objects, 'Deployment').find((object) => object.metadata.name === 'rhizome-api')!;
    expect(podTemplate(api).spec.containers[0]!.env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'rhizome-postgresql', key: 'database-url' } },
    });
  });

  it.each([
    ['no database at all (the defaults alone)', {}, /postgresql\/enabled|existingSecret|DATABASE_URL/],
    [
      'a connection string in the ConfigMap',
      { postgresql: { enabled: true }, config: { DATABASE_URL: 'postgres://a@b/c' } },
      /config/,
    ],
    [
      'a writable root filesystem',
      {
        postgresql: { enabled: true },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false },
      },
      /readOnlyRootFilesystem/,
    ],
    [
      'an unknown role',
      { postgresql: { enabled: true }, roles: { indexer: { enabled: true } } },
      /indexer|additional/,
    ],
    [
      'the all-in-one pod beside the api role',
      { postgresql: { enabled: true }, roles: { all: { enabled: true } } },
      /roles\/api\/enabled/,
    ],
    [
      'a lower-case setting name',
      { postgresql: { enabled: true }, config: { log_level: 'info' } },
      /log_level|propertyNames|pattern/,
    ],
  ])('refuses %s', async (_description, values, message) => {
    const result = await runHelm(helm, ['template', 'rhizome', chart, '-f', await valuesFile(values)]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
