/**
 * Start-up time of the `rhizome` command, each run as a fresh process: `--version`, `--help` (also
 * through `npx`, as a user types it), one `search` that opens the embedded database itself, and one
 * `search` that goes through a running `rhizome serve` (found by its server.json, as the CLI does
 * beside `npm start`). From the compiled dist/ (what `npm install` builds) and, for the commands
 * that need no database, from the TypeScript sources through tsx (RHIZOME_RUN_SOURCES=1: what runs
 * while sources are newer than dist/). Prints median and p95 per case, in seconds.
 * Run: `npm run build && npx tsx bench/cli/cli-startup-benchmark.ts [runs]`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repository = resolve(import.meta.dirname, '../..');
const runs = Number(process.argv[2] ?? 7);
const dataDirectory = mkdtempSync(join(tmpdir(), 'rhizome-cli-bench-'));
const environment = { ...process.env, RHIZOME_DATA_DIR: dataDirectory, DATABASE_URL: '', LOG_LEVEL: 'warn' };
const rhizome = join(repository, 'bin/rhizome.js');

function run(command: readonly string[], sources: boolean): number {
  const started = performance.now();
  const result = spawnSync(command[0]!, command.slice(1), {
    cwd: repository,
    env: { ...environment, RHIZOME_RUN_SOURCES: sources ? '1' : '0' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
  return performance.now() - started;
}
const cli = (...arguments_: string[]) => [process.execPath, rhizome, ...arguments_];

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function measure(name: string, command: readonly string[], sources: boolean): void {
  const times = Array.from({ length: runs }, () => run(command, sources) / 1000);
  process.stdout.write(
    `| \`${name}\` | ${sources ? 'sources (tsx)' : 'dist'} | ${percentile(times, 0.5).toFixed(2)} | ${percentile(times, 0.95).toFixed(2)} |\n`,
  );
}

async function startServer(): Promise<ChildProcess> {
  const server = spawn(process.execPath, [rhizome, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: repository,
    env: environment,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 600_000;
  while (!output.includes('is running at') || !existsSync(join(dataDirectory, 'server.json'))) {
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return server;
}

// A tenant with one document, so that `search` has something to find.
const documents = mkdtempSync(join(tmpdir(), 'rhizome-cli-bench-docs-'));
writeFileSync(join(documents, 'engine.md'), '# Engine\n\nCharles Babbage designed the Analytical Engine.\n');
run(cli('tenants', 'create', '--slug', 'bench'), false);
run(cli('ingest', documents, '--tenant', 'bench'), false);
const search = ['search', 'analytical engine', '--tenant', 'bench', '--mode', 'hybrid'];

process.stdout.write(`| command | from | median s | p95 s |\n|---|---|---|---|\n`);
for (const sources of [true, false]) measure('rhizome --version', cli('--version'), sources);
for (const sources of [true, false]) measure('rhizome --help', cli('--help'), sources);
measure('npx rhizome --help', ['npx', '--no-install', 'rhizome', '--help'], false);
measure('rhizome search (opens the embedded database)', cli(...search), false);
const server = await startServer();
try {
  measure('rhizome search (through the running server)', cli(...search), false);
  measure('npx rhizome search (through the running server)', ['npx', '--no-install', 'rhizome', ...search], false);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
}
rmSync(dataDirectory, { recursive: true, force: true });
rmSync(documents, { recursive: true, force: true });
