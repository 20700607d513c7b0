// Compiles src/ into dist/ and records when the compilation started, so that bin/rhizome.js runs
// dist/ only while no source is newer (it falls back to the TypeScript sources otherwise: never
// stale code). `--if-possible` (the `prepare` step of npm install) warns instead of failing, so a
// type error never blocks an install; the command line then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp.json');
const ifPossible = process.argv.includes('--if-possible');
const startedAt = Date.now();

rmSync(stamp, { force: true });
const typescript = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [typescript, '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  if (ifPossible) {
    process.stderr.write('rhizome: could not compile src/ (see above); `rhizome` will run the sources through tsx.\n');
    process.exit(0);
  }
  process.exit(result.status ?? 1);
}
mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, `${JSON.stringify({ startedAt })}\n`);
