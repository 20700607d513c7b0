/**
 * Builds a synthetic tenant in a fresh database on the real server and keeps it, so several
 * benchmarks (and the code before and after a change) can be measured on the same data:
 *
 *   npx tsx bench/retrieval/build-synthetic-tenant.ts [--chunks 100000]
 *
 * Prints the database URL on stdout; pass it to the benchmarks' `--database-url`. Drop it with
 * `DROP DATABASE <name> WITH (FORCE)` when done.
 */
import { parseArgs } from 'node:util';
import { benchConfig, benchRuntime, benchServerUrl, createBenchDatabase, log, redactUrl } from './bench-support.js';
import { defaultSyntheticTenantOptions, generateSyntheticTenant } from './synthetic-tenant.js';

const { values } = parseArgs({ options: { chunks: { type: 'string', default: String(defaultSyntheticTenantOptions.chunks) } } });
const chunks = Number(values.chunks);
if (!Number.isInteger(chunks) || chunks < 1) throw new Error('--chunks must be a positive integer');

const database = await createBenchDatabase(benchServerUrl(), `rhizome_bench_${chunks}`);
log(`fresh database ${database.name} on ${redactUrl(benchServerUrl())}`);
const { runtime } = await benchRuntime(benchConfig(database.url, { RHIZOME_SEARCH_CACHE_ENTRIES: '0' }));
try {
  const started = performance.now();
  const generation = await generateSyntheticTenant(runtime, { ...defaultSyntheticTenantOptions, chunks }, log);
  log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(generation.counts)}`);
  // Visibility map and statistics as a settled database has them (index-only scans need the former).
  await runtime.database.query('VACUUM ANALYZE');
} finally {
  await runtime.close();
}
process.stdout.write(`${database.url}\n`);
