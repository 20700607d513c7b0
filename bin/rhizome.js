#!/usr/bin/env node
// Entry point of the `rhizome` command. In a checkout it runs the TypeScript sources through
// tsx, so `npx rhizome …` works straight after `npm ci` with no build step (and never runs a
// stale build). Production images ship only the compiled `dist/` and run that.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source);
} else {
  await import(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)));
}
