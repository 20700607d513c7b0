import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * bin/rhizome.js runs dist/ only while it is newer than every source, and the sources otherwise:
 * checked on a miniature checkout whose "program" says which of the two ran.
 */
const repository = resolve(import.meta.dirname, '..');
const root = mkdtempSync(join(tmpdir(), 'rhizome-bin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function layout(): void {
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  mkdirSync(join(root, 'dist/cli'), { recursive: true });
  copyFileSync(join(repository, 'bin/rhizome.js'), join(root, 'bin/rhizome.js'));
  symlinkSync(join(repository, 'node_modules'), join(root, 'node_modules'));
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) writeFileSync(join(root, file), '{}');
  writeFileSync(join(root, 'src/cli/main.ts'), "const ran: string = 'sources';\nconsole.log(ran);\n");
  writeFileSync(join(root, 'dist/cli/main.js'), "console.log('compiled');\n");
}

function setTimes(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

function run(): string {
  const result = spawnSync(process.execPath, [join(root, 'bin/rhizome.js')], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('bin/rhizome.js', () => {
  it('runs dist/ only when it was compiled after the last change to the sources', () => {
    layout();
    const past = Date.now() / 1000 - 3_600;
    for (const path of ['src', 'src/cli', 'src/cli/main.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      setTimes(join(root, path), past);
    }
    // No stamp: never compiled by the build script.
    expect(run()).toBe('sources');

    writeFileSync(join(root, 'dist/.build-stamp.json'), JSON.stringify({ startedAt: (past + 60) * 1000 }));
    expect(run()).toBe('compiled');

    // An edited source, a new file (its folder changes), or a changed package.json: the sources again.
    setTimes(join(root, 'src/cli/main.ts'), past + 120);
    expect(run()).toBe('sources');
    setTimes(join(root, 'src/cli/main.ts'), past);
    writeFileSync(join(root, 'src/cli/new-module.ts'), 'export {};\n');
    expect(run()).toBe('sources');
    rmSync(join(root, 'src/cli/new-module.ts'));
    setTimes(join(root, 'src/cli'), past);
    expect(run()).toBe('compiled');
    setTimes(join(root, 'package.json'), past + 120);
    expect(run()).toBe('sources');
  });
});
