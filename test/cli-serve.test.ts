import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnRhizome } from './support/spawn-rhizome.js';

const directories: string[] = [];
function freshDataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'rhizome-serve-'));
  directories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe('rhizome serve (embedded database)', () => {
  it('starts on an empty data dir, prints the URL and an admin key once, serves /readyz, stops on SIGTERM', async () => {
    const dataDirectory = freshDataDirectory();
    const first = spawnRhizome(['serve', '--port', '0'], { RHIZOME_DATA_DIR: dataDirectory });
    const [, url] = await first.waitFor(/running at (http:\/\/\S+)/, 240_000);
    const [, adminKey] = await first.waitFor(/\n\s+(rhz_\S+)/);
    const ready = await fetch(`${url!}/readyz`);
    expect(ready.status).toBe(200);
    const me = await fetch(`${url!}/v1/me`, { headers: { authorization: `Bearer ${adminKey!}` } });
    expect(await me.json()).toMatchObject({ role: 'admin', tenantId: null });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The admin key never reaches the logs.
    expect(first.output().split(adminKey!).length).toBe(2);

    // Second start on the same data: the key still works and no new one is printed.
    const second = spawnRhizome(['serve', '--port', '0'], { RHIZOME_DATA_DIR: dataDirectory });
    const [, secondUrl] = await second.waitFor(/running at (http:\/\/\S+)/, 240_000);
    const again = await fetch(`${secondUrl!}/v1/me`, { headers: { authorization: `Bearer ${adminKey!}` } });
    expect(again.status).toBe(200);
    expect(second.output()).not.toMatch(/rhz_/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 600_000);

  it('exits non-zero naming the offending setting', async () => {
    const run = spawnRhizome(['serve'], { RHIZOME_DATA_DIR: freshDataDirectory(), RHIZOME_PORT: 'eighty' });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('RHIZOME_PORT');
    expect(run.output()).not.toMatch(/\n\s+at /);
  }, 300_000);

  it('manages tenants and keys from the command line', async () => {
    const environment = { RHIZOME_DATA_DIR: freshDataDirectory() };
    const create = spawnRhizome(
      ['tenants', 'create', '--slug', 'acme', '--name', 'Acme', '--json'],
      environment,
    );
    expect(await create.exited, create.output()).toBe(0);
    const tenant = JSON.parse(create.stdout()) as { id: string; slug: string };
    expect(tenant.slug).toBe('acme');
    const key = spawnRhizome(
      ['keys', 'create', '--role', 'editor', '--tenant', 'acme', '--json'],
      environment,
    );
    expect(await key.exited, key.output()).toBe(0);
    const created = JSON.parse(key.stdout()) as { id: string; tenantId: string; key: string };
    expect(created.tenantId).toBe(tenant.id);
    expect(created.key).toMatch(/^rhz_/);
    const revoke = spawnRhizome(['keys', 'revoke', created.id], environment);
    expect(await revoke.exited).toBe(0);
    const badRole = spawnRhizome(['keys', 'create', '--role', 'god', '--tenant', 'acme'], environment);
    expect(await badRole.exited).toBe(1);
    expect(badRole.output()).toContain('validation_failed');
    const missing = spawnRhizome(['tenants', 'delete', 'nobody'], environment);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toContain("tenant 'nobody' not found");
  }, 600_000);
});
