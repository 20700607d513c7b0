import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMinimalPdf } from './support/minimal-pdf.js';
import { parseAssignment, parseReadmeExamples, type ReadmeBlock } from './support/readme-examples.js';
import { spawnRhizome, type RunningRhizome } from './support/spawn-rhizome.js';

/**
 * Runs every shell example of README.md as written, in order, the way a new user would: in a fresh
 * folder (the default `./.rhizome` data folder), against a server started as `npm start` does, with
 * `npx rhizome` as the real bin. Only what a user would copy from earlier output is substituted.
 *
 * To add an example: write it in README.md in a ```sh block. If it needs a value from an earlier
 * answer, write it as a placeholder (`<id>`, `rhz_…`) and add an entry to `placeholders` or
 * `variables` below; if it needs the data folder to itself, put `<!-- readme-test: after-server -->`
 * above the block (the server stops for it, and starts again for the next ordinary block); if it
 * cannot run here at all, `<!-- readme-test: skip (why) -->`.
 */
const repository = resolve(import.meta.dirname, '..');
const sharedData = resolve(repository, '../shared/data');
const blocks = parseReadmeExamples(readFileSync(join(repository, 'README.md'), 'utf8'));

interface ExampleState {
  port: number;
  adminKey: string;
  /** stdout of every command so far, newest last. */
  readonly outputs: string[];
}

/** The newest earlier output from which `pick` finds a value (JSON answers are parsed). */
function fromOutputs(state: ExampleState, pick: (output: string, json: unknown) => string | undefined): string {
  for (const output of [...state.outputs].reverse()) {
    let json: unknown;
    try {
      json = JSON.parse(output);
    } catch {
      json = undefined;
    }
    const value = pick(output, json);
    if (value) return value;
  }
  throw new Error('no earlier output holds this placeholder');
}

/** Text replaced in every command before it runs. */
const placeholders: { pattern: RegExp; value: (state: ExampleState) => string }[] = [
  { pattern: /\bnpx rhizome\b/g, value: () => `node ${join(repository, 'bin/rhizome.js')}` },
  { pattern: /\blocalhost:8080\b/g, value: (state) => `127.0.0.1:${state.port}` },
  {
    pattern: /<id>/g,
    value: (state) =>
      fromOutputs(state, (_output, json) => (json as { documents?: { id: string }[] } | undefined)?.documents?.[0]?.id),
  },
  {
    pattern: /<key id>/g,
    value: (state) => fromOutputs(state, (output) => /Created \w+ key (\w{12})\./.exec(output)?.[1]),
  },
];

/** Values of `NAME=rhz_…` lines: what the user would paste there. */
const variables: Record<string, (state: ExampleState) => string> = {
  KEY: (state) => state.adminKey,
  OWNER: (state) =>
    fromOutputs(state, (_output, json) => {
      const key = json as { role?: string; key?: string } | undefined;
      return key?.role === 'owner' || key?.role === 'editor' ? key.key : undefined;
    }),
};

/** Extra checks for particular commands, beyond "exits 0 / answers 2xx". */
const expectations: { pattern: RegExp; check: (stdout: string) => void }[] = [
  {
    pattern: /\/v1\/search/,
    check: (stdout) => expect((JSON.parse(stdout) as { hits: unknown[] }).hits.length).toBeGreaterThan(0),
  },
  { pattern: /rhizome\.js search /, check: (stdout) => expect(stdout).toMatch(/^1\. /) },
  { pattern: /rhizome\.js ingest /, check: (stdout) => expect(stdout).toMatch(/(\d+) of \1 documents ok/) },
  { pattern: /rhizome\.js ask /, check: (stdout) => expect(stdout).toContain('Charles Babbage') },
  {
    pattern: /rhizome\.js eval qa /,
    check: (stdout) => {
      const metrics = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      for (const key of ['accuracy', 'em', 'f1', 'support_recall', 'p50_ms', 'p95_ms']) expect(typeof metrics[key], key).toBe('number');
      expect(metrics.accuracy as number).toBeGreaterThan(0);
    },
  },
  {
    pattern: /\/v1\/documents -H/,
    check: (stdout) => expect((JSON.parse(stdout) as { documents: unknown[] }).documents).toHaveLength(2),
  },
];

let work: string;
let server: RunningRhizome | undefined;
const state: ExampleState = { port: 0, adminKey: '', outputs: [] };
const variableValues: Record<string, string> = {};

function environment(): Record<string, string> {
  // What a user's shell has: no test settings, the default data folder in the current directory.
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? work,
    LOG_LEVEL: 'warn',
    ...variableValues,
  };
}

function runShell(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn('bash', ['-c', command], { cwd: work, env: environment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Before a search, wait as a user would until what was uploaded is indexed. */
async function waitForIndexing(): Promise<void> {
  const headers = { authorization: `Bearer ${state.adminKey}` };
  const deadline = Date.now() + 300_000;
  const tenants = (await (await fetch(`http://127.0.0.1:${state.port}/v1/tenants`, { headers })).json()) as {
    tenants: { slug: string }[];
  };
  for (const tenant of tenants.tenants) {
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${state.port}/v1/documents`, {
        headers: { ...headers, 'x-rhizome-tenant': tenant.slug },
      });
      const { documents } = (await response.json()) as { documents: { status: string }[] };
      if (documents.every((document) => document.status === 'indexed' || document.status === 'failed')) break;
      if (Date.now() > deadline) throw new Error(`documents of ${tenant.slug} still not indexed`);
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
    }
  }
}

async function startServer(): Promise<void> {
  server = spawnRhizome(['serve', '--port', '0'], { RHIZOME_DATA_DIR: join(work, '.rhizome'), DATABASE_URL: '' });
  const [, url] = await server.waitFor(/running at (http:\/\/\S+)/, 240_000);
  state.port = Number(new URL(url!).port);
  // Printed on the first start only; later starts keep the key printed then.
  if (!state.adminKey) state.adminKey = (await server.waitFor(/\n\s+(rhz_\S+)/))[1]!;
}

async function stopServer(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  expect(await server.exited, server.output()).toBe(0);
  server = undefined;
}

async function runCommand(raw: string): Promise<void> {
  const assignment = parseAssignment(raw);
  if (assignment) {
    const provide = variables[assignment.name];
    variableValues[assignment.name] = provide ? provide(state) : assignment.value;
    return;
  }
  let command = raw;
  for (const placeholder of placeholders) command = command.replace(placeholder.pattern, () => placeholder.value(state));
  const isCurl = command.startsWith('curl ');
  if (isCurl) {
    if (/\/v1\/search/.test(command)) await waitForIndexing();
    command = command.replace(/^curl /, `curl -w '\\n%{http_code}' `);
  }
  const result = await runShell(command);
  const context = `README example: ${raw}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
  expect(result.code, context).toBe(0);
  let stdout = result.stdout;
  if (isCurl) {
    const lines = stdout.trimEnd().split('\n');
    const status = Number(lines.pop());
    expect(status, context).toBeGreaterThanOrEqual(200);
    expect(status, context).toBeLessThan(300);
    stdout = lines.join('\n');
  }
  for (const expectation of expectations) {
    if (expectation.pattern.test(command)) expectation.check(stdout);
  }
  state.outputs.push(stdout);
}

function title(block: ReadmeBlock): string {
  return `README.md:${block.line} ${block.commands.find((command) => !parseAssignment(command)) ?? ''}`;
}

describe('README examples, as written', () => {
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'rhizome-readme-'));
    work = join(root, 'work');
    mkdirSync(join(work, 'docs'), { recursive: true });
    // The files the examples name, with something to find.
    writeFileSync(
      join(work, 'report.pdf'),
      buildMinimalPdf(['The Analytical Engine', 'Charles Babbage designed the Analytical Engine in 1837.']),
    );
    writeFileSync(join(work, 'notes.md'), '# Notes\n\nAda Lovelace wrote the first program for the Analytical Engine.\n');
    writeFileSync(join(work, 'docs', 'engine.md'), '# Engines\n\nThe analytical engine had a mill and a store.\n');
    writeFileSync(join(work, 'docs', 'loom.txt'), 'The Jacquard loom read punched cards.\n');
    // `../shared/data` from the working folder, as from a checkout beside shared/.
    if (existsSync(sharedData)) symlinkSync(resolve(sharedData, '..'), join(root, 'shared'));

    await startServer();
  }, 300_000);

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    if (work) rmSync(resolve(work, '..'), { recursive: true, force: true });
  });

  it('has examples to run', () => {
    expect(blocks.filter((block) => block.directive !== 'skip').length).toBeGreaterThan(3);
  });

  for (const block of blocks) {
    if (block.directive === 'skip') {
      it.skip(`${title(block)} — skipped: ${block.reason ?? 'no reason given'}`, () => undefined);
      continue;
    }
    const needsSharedData = block.commands.some((command) => command.includes('../shared/data'));
    it.skipIf(needsSharedData && !existsSync(sharedData))(
      needsSharedData && !existsSync(sharedData) ? `${title(block)} — skipped: ${sharedData} is absent` : title(block),
      async () => {
        if (block.directive === 'after-server') await stopServer();
        // A block after one that needed the folder to itself gets the server back, on the same data.
        else if (!server) await startServer();
        for (const command of block.commands) await runCommand(command);
      },
      900_000,
    );
  }
});
