import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/core/config.js';
import { openPostgresDatabase } from '../../src/db/postgres-driver.js';
import { createLogger } from '../../src/platform/create-logger.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';

/** Shared by the retrieval benchmarks: a fresh database on the real server, and a machine line. */

export const defaultBenchDatabaseUrl = 'postgres://postgres@127.0.0.1:55432/postgres';

export function benchServerUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? defaultBenchDatabaseUrl;
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

const quietLogger = pino({ level: 'silent' });

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE rhizome_bench_<random> on the server; `drop()` removes it (WITH FORCE). */
export async function createBenchDatabase(serverUrl: string, prefix = 'rhizome_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const administration = openPostgresDatabase({ url: serverUrl, poolMax: 1, connectTimeoutMs: 5_000, logger: quietLogger });
  try {
    await administration.query(`CREATE DATABASE ${name}`);
  } finally {
    await administration.close();
  }
  return {
    name,
    url: withDatabaseName(serverUrl, name),
    async drop() {
      // A closed pool ends its last sockets asynchronously; let them go before FORCE terminates them.
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
      const cleanup = openPostgresDatabase({ url: serverUrl, poolMax: 1, connectTimeoutMs: 5_000, logger: quietLogger });
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.close();
      }
    },
  };
}

/** The project's config for a benchmark run on `databaseUrl`; the environment may still tune it. */
export function benchConfig(databaseUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    RHIZOME_DATA_DIR: mkdtempSync(join(tmpdir(), 'rhizome-bench-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...overrides,
    DATABASE_URL: databaseUrl,
  });
}

export async function benchRuntime(config: Config): Promise<{ runtime: Runtime; logger: Logger }> {
  // Logs to stderr: stdout carries the report.
  const logger = createLogger({ logLevel: config.logLevel }, pino.destination(2));
  const runtime = await createRuntime(config, logger, { migrate: true });
  return { runtime, logger };
}

export async function serverVersion(runtime: Runtime): Promise<string> {
  const result = await runtime.database.query<{ version: string; vector: string | null; age: string | null }>(
    `SELECT current_setting('server_version') AS version,
            (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector,
            (SELECT extversion FROM pg_extension WHERE extname = 'age') AS age`,
  );
  const row = result.rows[0]!;
  return `PostgreSQL ${row.version}, pgvector ${row.vector ?? '—'}, AGE ${row.age ?? '—'}`;
}

export function machineDescription(): string {
  const processors = cpus();
  const model = processors[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
  return (
    `${processors.length} × ${model}, ${gib(totalmem())} GiB RAM (${gib(freemem())} free), ` +
    `${platform()} ${release()}, Node ${process.version}`
  );
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
