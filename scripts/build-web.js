#!/usr/bin/env node
// Builds the web UI (web/dist) when it is missing or older than its sources. Runs on `npm install`
// (prepare) and before `npm start`, so a fresh clone's `npm install && npm start` serves the UI,
// and an unchanged checkout skips the build in milliseconds. RHIZOME_SKIP_WEB_BUILD=1 skips it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');

function newestModification(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestModification(join(path, entry)));
  return newest;
}

if (process.env.RHIZOME_SKIP_WEB_BUILD === '1') process.exit(0);
if (!existsSync(join(web, 'package.json'))) process.exit(0);

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json']
  .map((name) => join(web, name))
  .filter((path) => existsSync(path));
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestModification)))
  process.exit(0);

if (!existsSync(join(root, 'node_modules', 'vite')) && !existsSync(join(web, 'node_modules', 'vite'))) {
  console.warn('web UI not built: vite is not installed (run npm install); the service serves the API only');
  process.exit(0);
}
console.log('building the web UI (web/dist)…');
// Always the production bundle: a NODE_ENV inherited from a test runner ('test') would otherwise
// bundle React's development build.
const result = spawnSync('npm', ['run', 'build', '--workspace', 'web', '--silent'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(result.status ?? 1);
