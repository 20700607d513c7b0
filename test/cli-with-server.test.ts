import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRhizome, spawnRhizome, type RunningRhizome } from './support/spawn-rhizome.js';

/**
 * The embedded database belongs to one process. These tests run `rhizome serve` and the command
 * line together as real processes on one data folder — the way the README has a user do it — and
 * check that nothing is lost: the command line goes through the server while it runs, and straight
 * to the folder once it stopped.
 */
const folders: string[] = [];
const running: RunningRhizome[] = [];
function folder(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  folders.push(directory);
  return directory;
}
afterAll(() => {
  for (const process_ of running) process_.child.kill('SIGKILL');
  for (const directory of folders) rmSync(directory, { recursive: true, force: true });
});

function serve(environment: Record<string, string>): RunningRhizome {
  const server = spawnRhizome(['serve', '--port', '0'], environment);
  running.push(server);
  return server;
}

async function stop(server: RunningRhizome): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited, server.output()).toBe(0);
}

const bearer = (key: string, tenant?: string) => ({
  authorization: `Bearer ${key}`,
  ...(tenant ? { 'x-rhizome-tenant': tenant } : {}),
});

describe('rhizome serve and the command line on one embedded data folder', () => {
  it('keeps everything the command line does while the server runs, and after it stops', async () => {
    const dataDirectory = folder('rhizome-together-');
    const documents = folder('rhizome-together-docs-');
    writeFileSync(
      join(documents, 'engine.md'),
      '# The Analytical Engine\n\nCharles Babbage designed the Analytical Engine. Ada Lovelace wrote its first program.\n',
    );
    writeFileSync(
      join(documents, 'loom.md'),
      '# Looms\n\nThe Jacquard loom read punched cards that wove patterns in silk.\n',
    );
    const environment = { RHIZOME_DATA_DIR: dataDirectory, DATABASE_URL: '', RHIZOME_PROFILE: 'test' };

    const server = serve(environment);
    const [, url] = await server.waitFor(/running at (http:\/\/\S+)/, 180_000);
    const [, adminKey] = await server.waitFor(/\n\s+(rhz_\S+)/);
    const pid = String(server.child.pid);
    // The announcement that lets local commands in is readable by its owner only.
    expect(statSync(join(dataDirectory, 'server.json')).mode & 0o077).toBe(0);

    const created = await runRhizome(
      ['tenants', 'create', '--slug', 'demo', '--name', 'Demo', '--json'],
      environment,
    );
    expect(created.code, created.output).toBe(0);
    const tenant = JSON.parse(created.stdout) as { id: string; slug: string };
    expect(tenant.slug).toBe('demo');
    expect(created.output).toContain(`pid ${pid}`);

    const listed = await fetch(`${url!}/v1/tenants`, { headers: bearer(adminKey!) });
    expect(((await listed.json()) as { tenants: { id: string }[] }).tenants.map((row) => row.id)).toContain(
      tenant.id,
    );

    const ingested = await runRhizome(
      ['ingest', documents, '--tenant', 'demo', '--collection', 'research', '--json'],
      environment,
    );
    expect(ingested.code, ingested.output).toBe(0);
    // --json: stdout is exactly one JSON document.
    const rows = JSON.parse(ingested.stdout) as { id: string; status: string }[];
    expect(rows.map((row) => row.status)).toEqual(['indexed', 'indexed']);
    const overHttp = await fetch(`${url!}/v1/documents?collection=research`, {
      headers: bearer(adminKey!, 'demo'),
    });
    const listedDocuments = (await overHttp.json()) as { documents: { id: string; status: string }[] };
    expect(listedDocuments.documents.map((document) => document.id).sort()).toEqual(
      rows.map((row) => row.id).sort(),
    );

    const key = await runRhizome(
      ['keys', 'create', '--role', 'reader', '--tenant', 'demo', '--json'],
      environment,
    );
    expect(key.code, key.output).toBe(0);
    const readerKey = (JSON.parse(key.stdout) as { key: string }).key;
    const searched = await fetch(`${url!}/v1/search`, {
      method: 'POST',
      headers: { ...bearer(readerKey), 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'Who designed the Analytical Engine?', mode: 'hybrid' }),
    });
    expect(searched.status).toBe(200);

    // A command that cannot go through the server names the process and what to do, and opens nothing.
    const migrate = await runRhizome(['migrate'], environment);
    expect(migrate.code).toBe(1);
    expect(migrate.output).toContain(`in use by process ${pid}`);
    expect(migrate.output).toContain('data_folder_in_use');
    const doctor = await runRhizome(['doctor', '--json'], environment);
    expect(doctor.code, doctor.output).toBe(0);
    expect(JSON.parse(doctor.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'server', status: 'ok' })]),
    );

    await stop(server);
    expect(existsSync(join(dataDirectory, 'server.json'))).toBe(false);

    // Everything is still there, read straight from the folder now that the server is gone.
    const afterwards = await runRhizome(['tenants', 'list', '--json'], environment);
    expect(afterwards.code, afterwards.output).toBe(0);
    expect((JSON.parse(afterwards.stdout) as { slug: string }[]).map((row) => row.slug)).toEqual(['demo']);
    const search = await runRhizome(
      ['search', 'analytical engine', '--tenant', 'demo', '--mode', 'bm25', '--json'],
      environment,
    );
    expect(search.code, search.output).toBe(0);
    const hits = (JSON.parse(search.stdout) as { hits: { fileName: string }[] }).hits;
    expect(hits[0]?.fileName).toBe('engine.md');
    const keys = await runRhizome(['keys', 'list', '--json'], environment);
    const listedKeys = JSON.parse(keys.stdout) as { name: string; revokedAt: string | null }[];
    // The server's local command-line key ended with it.
    expect(
      listedKeys.filter((row) => row.name.startsWith('local command line')).every((row) => row.revokedAt),
    ).toBe(true);

    // Backup, then restore into a new folder: the same tenant and documents come back.
    const backupFile = join(folder('rhizome-backup-'), 'data.tar.gz');
    const backup = await runRhizome(['backup', backupFile], environment);
    expect(backup.code, backup.output).toBe(0);
    const restoredEnvironment = {
      ...environment,
      RHIZOME_DATA_DIR: join(folder('rhizome-restored-'), 'data'),
    };
    const restore = await runRhizome(['restore', backupFile], restoredEnvironment);
    expect(restore.code, restore.output).toBe(0);
    const again = await runRhizome(['restore', backupFile], restoredEnvironment);
    expect(again.code).toBe(1);
    expect(again.output).toContain('already holds a database');

    const restored = serve(restoredEnvironment);
    const [, restoredUrl] = await restored.waitFor(/running at (http:\/\/\S+)/, 180_000);
    expect(restored.output()).not.toMatch(/rhz_/);
    const restoredDocuments = await fetch(`${restoredUrl!}/v1/documents`, {
      headers: bearer(adminKey!, 'demo'),
    });
    const restoredList = (await restoredDocuments.json()) as { documents: { id: string; status: string }[] };
    expect(restoredList.documents.map((document) => document.id).sort()).toEqual(
      rows.map((row) => row.id).sort(),
    );
    const original = await fetch(`${restoredUrl!}/v1/documents/${rows[0]!.id}/original`, {
      headers: bearer(adminKey!, 'demo'),
    });
    expect(original.status).toBe(200);
    await stop(restored);
  }, 1_800_000);

  it('refuses a second server on the same folder, and takes the folder over after a crash', async () => {
    const dataDirectory = folder('rhizome-lock-');
    const environment = { RHIZOME_DATA_DIR: dataDirectory, DATABASE_URL: '', RHIZOME_PROFILE: 'test' };
    const first = serve(environment);
    await first.waitFor(/running at (http:\/\/\S+)/, 180_000);
    const second = spawnRhizome(['serve', '--port', '0'], environment);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`in use by process ${first.child.pid}`);
    expect(second.output()).not.toMatch(/\n\s+at /);

    first.child.kill('SIGKILL');
    await first.exited;
    const third = serve(environment);
    await third.waitFor(/running at (http:\/\/\S+)/, 180_000);
    await stop(third);
  }, 1_800_000);

  it('says in one line that the port is taken, and prints the first admin key on the next start', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const environment = {
      RHIZOME_DATA_DIR: folder('rhizome-port-'),
      DATABASE_URL: '',
      RHIZOME_PROFILE: 'test',
    };
    try {
      const taken = spawnRhizome(['serve', '--port', String(port)], environment);
      expect(await taken.exited).toBe(1);
      expect(taken.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(taken.output()).not.toMatch(/\n\s+at /);
      expect(taken.output()).not.toMatch(/rhz_/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const next = serve(environment);
    await next.waitFor(/running at/, 180_000);
    await next.waitFor(/\n\s+(rhz_\S+)/);
    await stop(next);
  }, 1_800_000);

  it('says what to do when the data folder cannot be opened', async () => {
    const dataDirectory = folder('rhizome-damaged-');
    mkdirSync(join(dataDirectory, 'database'));
    writeFileSync(join(dataDirectory, 'database', 'PG_VERSION'), 'not a database\n');
    const environment = { RHIZOME_DATA_DIR: dataDirectory, DATABASE_URL: '', RHIZOME_PROFILE: 'test' };
    const doctor = await runRhizome(['doctor'], environment);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('rhizome restore');
    const start = await runRhizome(['serve', '--port', '0'], environment);
    expect(start.code).toBe(1);
    expect(start.output).toContain('data_folder_unreadable');
  }, 300_000);
});
