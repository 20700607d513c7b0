import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { IntakeResult } from '../ingest/document-service.js';
import type { CommandBackend, DocumentProgress } from './command-backend.js';

export interface IngestOptions {
  readonly tenant: string;
  readonly collection?: string;
  readonly wait: boolean;
  readonly json: boolean;
}

interface FoundFile {
  readonly path: string;
  /** Stable key: the path relative to the folder given, so re-ingesting a changed file replaces it. */
  readonly sourceKey: string;
}

async function collectFiles(paths: readonly string[]): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const walk = async (path: string, root: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      for (const entry of entries.sort((left, right) => left.name.localeCompare(right.name))) {
        if (entry.name.startsWith('.')) continue;
        await walk(join(path, entry.name), root);
      }
    } else if (info.isFile()) {
      found.push({ path, sourceKey: relative(root, path) || basename(path) });
    }
  };
  for (const path of paths) {
    const absolute = resolve(path);
    const info = await stat(absolute);
    await walk(absolute, info.isDirectory() ? absolute : resolve(absolute, '..'));
  }
  return found;
}

/**
 * `rhizome ingest PATH…`: uploads files and folders (recursively) into a tenant and, by default,
 * waits with a progress bar (on stderr) until every document is indexed or failed. Indexing runs
 * in this process, or in the running server that holds the embedded database.
 */
export async function ingest(
  backend: CommandBackend,
  paths: readonly string[],
  options: IngestOptions,
): Promise<boolean> {
  const files = await collectFiles(paths);
  if (files.length === 0) {
    process.stderr.write('No files found.\n');
    return false;
  }
  if (options.wait) await backend.startIndexing();
  const bar =
    options.json || !process.stderr.isTTY
      ? null
      : new SingleBar(
          { format: ' {bar} {value}/{total} documents | {status}', hideCursor: true, stream: process.stderr },
          Presets.shades_classic,
        );
  bar?.start(files.length, 0, { status: 'uploading' });

  const results: (IntakeResult & { path: string })[] = [];
  for (const file of files) {
    const bytes = await readFile(file.path);
    const result = await backend.ingest(options.tenant, {
      fileName: basename(file.path),
      bytes,
      sourceKey: file.sourceKey,
      ...(options.collection ? { collection: options.collection } : {}),
    });
    results.push({ ...result, path: file.path });
    bar?.update(results.length, { status: `uploaded ${file.sourceKey}` });
  }

  const final = new Map<string, DocumentProgress>();
  if (options.wait) {
    bar?.update(0, { status: 'indexing' });
    for (;;) {
      for (const result of results) {
        if (final.has(result.id)) continue;
        const progress = await backend.documentProgress(options.tenant, result.id);
        if (progress.status === 'indexed' || progress.status === 'failed') final.set(result.id, progress);
      }
      bar?.update(final.size, { status: 'indexing' });
      if (final.size === results.length) break;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 250));
    }
  }
  bar?.stop();

  const rows = results.map((result) => ({
    path: result.path,
    id: result.id,
    status: final.get(result.id)?.status ?? result.status,
    duplicate: result.duplicate,
    replaced: result.replaced,
    chunks: final.get(result.id)?.chunkCount ?? 0,
    error: final.get(result.id)?.errorMessage ?? result.errorMessage,
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const row of rows) {
      const note = row.duplicate ? ' (already present)' : row.replaced ? ' (replaced)' : '';
      process.stdout.write(
        `${row.status.padEnd(8)} ${row.path}${note}${row.error ? ` — ${row.error}` : ''}\n`,
      );
    }
    const failed = rows.filter((row) => row.status === 'failed').length;
    process.stdout.write(`${rows.length - failed} of ${rows.length} documents ok.\n`);
  }
  return rows.every((row) => row.status !== 'failed');
}
