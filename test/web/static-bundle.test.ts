import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repository = resolve(import.meta.dirname, '..', '..');
const outDirectory = mkdtempSync(join(tmpdir(), 'rhizome-web-static-'));
afterAll(() => rmSync(outDirectory, { recursive: true, force: true }));

/** The README's static hosting recipe: a bundle built for another API address, with SPA rewrites. */
it('builds a static bundle that calls the API address it was built for', () => {
  const build = spawnSync('npx', ['vite', 'build', '--outDir', outDirectory, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: join(repository, 'web'),
    env: { ...process.env, VITE_RHIZOME_API_URL: 'https://rhizome.example.com' },
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  expect(existsSync(join(outDirectory, 'index.html'))).toBe(true);
  expect(readFileSync(join(outDirectory, '_redirects'), 'utf8')).toMatch(/^\/\*\s+\/index\.html\s+200/);
  const scripts = readdirSync(join(outDirectory, 'assets')).filter((name) => name.endsWith('.js'));
  const code = scripts.map((name) => readFileSync(join(outDirectory, 'assets', name), 'utf8')).join('\n');
  expect(code).toContain('https://rhizome.example.com');
}, 300_000);
