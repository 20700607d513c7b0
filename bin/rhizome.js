#!/usr/bin/env node
// Entry point of the `rhizome` command. Production images ship only the compiled `dist/` and run
// that. In a checkout it runs `dist/` when that was compiled (`npm run build`, done by `npm install`)
// after every source last changed, and otherwise the TypeScript sources through tsx — so
// `npx rhizome …` is quick after an install, works straight after an edit, and never runs stale code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/cli/main.ts`;
const compiled = `${root}dist/cli/main.js`;

/** The newest change under src/ (files, and folders: a deleted file changes its folder). */
function newestSourceChange() {
  let newest = 0;
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    newest = Math.max(newest, statSync(`${root}${file}`, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  }
  const walk = (folder) => {
    newest = Math.max(newest, statSync(folder).mtimeMs);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(`${root}src`);
  return newest;
}

function compiledIsCurrent() {
  try {
    const { startedAt } = JSON.parse(readFileSync(`${root}dist/.build-stamp.json`, 'utf8'));
    return typeof startedAt === 'number' && existsSync(compiled) && newestSourceChange() < startedAt;
  } catch {
    return false;
  }
}

if (!existsSync(source) || (process.env.RHIZOME_RUN_SOURCES !== '1' && compiledIsCurrent())) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source);
}
