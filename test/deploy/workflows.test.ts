import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { validateKubernetesObject, type KubernetesObject } from '../support/kubernetes-tools.js';

/**
 * CI/CD and GitOps files: the GitHub workflows parse, pin every action to a commit, and run only
 * scripts, npm scripts and chart values that exist; the Argo CD objects satisfy Argo CD's schemas
 * and point at the chart's values for their environment.
 */
const root = process.cwd();
const workflowDirectory = join(root, '.github', 'workflows');

interface Step {
  uses?: string;
  run?: string;
}
interface Workflow {
  on: unknown;
  jobs: Record<string, { steps: Step[]; needs?: string | string[]; environment?: { name: string } }>;
}

async function workflows(): Promise<[string, Workflow][]> {
  const files = (await readdir(workflowDirectory)).filter((file) => file.endsWith('.yml'));
  return Promise.all(
    files.map(
      async (file) =>
        [file, parse(await readFile(join(workflowDirectory, file), 'utf8')) as Workflow] as [
          string,
          Workflow,
        ],
    ),
  );
}

describe('GitHub Actions workflows', () => {
  it('exist for pull requests and releases, and parse', async () => {
    const all = await workflows();
    expect(all.map(([file]) => file).sort()).toEqual(['pull-request.yml', 'release.yml']);
    for (const [, workflow] of all) expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
  });

  it('pin every action to a full commit SHA', async () => {
    for (const [file, workflow] of await workflows()) {
      for (const [job, { steps }] of Object.entries(workflow.jobs)) {
        for (const step of steps) {
          if (step.uses) expect(step.uses, `${file} ${job}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        }
      }
    }
  });

  it('run only scripts, npm scripts and values files that exist', async () => {
    const packageJson = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    let checked = 0;
    for (const [file, workflow] of await workflows()) {
      for (const { steps } of Object.values(workflow.jobs)) {
        for (const step of steps) {
          if (!step.run) continue;
          for (const match of step.run.matchAll(/(?:^|\s)((?:scripts|deploy)\/[\w./-]+)/g)) {
            await expect(access(join(root, match[1]!)), `${file}: ${match[1]}`).resolves.toBeUndefined();
            checked += 1;
          }
          for (const match of step.run.matchAll(/npm run ([\w:-]+)(?![^\n]*--workspace)/g)) {
            expect(Object.keys(packageJson.scripts), `${file}: npm run ${match[1]}`).toContain(match[1]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(8);
  });

  it('test a pull request against the PostgreSQL image and promote releases through approved environments', async () => {
    const all = Object.fromEntries(await workflows());
    const pullRequest = all['pull-request.yml']!;
    expect(JSON.stringify(pullRequest.jobs.test)).toContain('rhizome-postgres:17');
    const release = all['release.yml']!;
    expect(release.jobs['deploy-test']!.environment?.name).toBe('test');
    expect(release.jobs['deploy-staging']!.environment?.name).toBe('staging');
    expect(release.jobs['deploy-prod']!.environment?.name).toBe('production');
    expect(release.jobs['deploy-prod']!.needs).toContain('deploy-staging');
    expect(JSON.stringify(release.jobs.scan)).toContain('aquasecurity/trivy-action@');
  });
});

describe('Argo CD', () => {
  it('validates against Argo CD schemas and deploys each environment with its own values and namespace', async () => {
    const text = await readFile(join(root, 'deploy', 'argocd', 'applicationset.yaml'), 'utf8');
    const objects = parseAllDocuments(text).map((document) => document.toJS() as KubernetesObject);
    expect(objects.map((object) => object.kind)).toEqual(['ApplicationSet', 'AppProject']);
    for (const object of objects) await validateKubernetesObject(object);
    const elements = (
      objects[0]!.spec as {
        generators: { list: { elements: { environment: string; namespace: string }[] } }[];
      }
    ).generators[0]!.list.elements;
    expect(elements.map((element) => element.environment)).toEqual(['dev', 'test', 'staging', 'prod']);
    for (const element of elements) {
      expect(element.namespace).toBe(`rhizome-${element.environment}`);
      await expect(
        access(join(root, 'deploy', 'helm', 'rhizome', `values-${element.environment}.yaml`)),
      ).resolves.toBeUndefined();
    }
  });
});
