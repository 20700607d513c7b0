import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.ts'],
    environment: 'node',
    // PGlite instances, child processes and a real server per test file: a shared 2-core machine
    // under load (load average 20+ seen) starts a child process in over a minute. Tests assert
    // behaviour, never time; these limits only stop a hung test.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
