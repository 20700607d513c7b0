/**
 * Load and soak on the real server:
 *
 *   npx tsx bench/reliability/load-and-soak.ts [--clients 50] [--seconds 60]
 *                                              [--soak-minutes 10] [--soak-clients 10] [--ingest-every 5]
 *
 * Starts `rhizome serve --role all` (API, worker and agent in one process, offline models) as a
 * child process on a fresh database of BENCH_DATABASE_URL (default the development server), with
 * the production defaults for rate limits. Seeds a corpus over HTTP, then:
 *
 * 1. load: `--clients` concurrent clients, each with its own reader key, loop for `--seconds`:
 *    four in five requests `POST /v1/search` (every mode), one in five `POST /v1/chat` (read to
 *    the end of the event stream);
 * 2. soak: `--soak-clients` clients do the same for `--soak-minutes` while a documents client
 *    uploads a new document every `--ingest-every` seconds (every fifth one replaces an earlier
 *    upload under the same sourceKey, every tenth deletes one).
 *
 * An error is any answer but a 2xx, an honest 429 (with Retry-After) or a chat stream that ends
 * with `error`; a failed connection is an error too. Reported: requests, errors by kind, p50/p95
 * per phase and per minute, the server's resident memory (VmRSS of the process, sampled every 5 s)
 * and its trend (least-squares slope after the first fifth of the soak), and afterwards: documents
 * indexed, failed (with reasons), stuck, and whether the index statistics agree with their rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from '../../src/evaluation/retrieval-metrics.js';
import { indexCounts } from '../../test/support/index-counts.js';
import { benchConfig, benchRuntime, benchServerUrl, createBenchDatabase, log, machineDescription, markdownTable, redactUrl, serverVersion } from '../retrieval/bench-support.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'soak-minutes': { type: 'string', default: '10' },
    'soak-clients': { type: 'string', default: '10' },
    'ingest-every': { type: 'string', default: '5' },
    'seed-documents': { type: 'string', default: '40' },
  },
});
const clients = Number(values.clients);
const loadSeconds = Number(values.seconds);
const soakMinutes = Number(values['soak-minutes']);
const soakClients = Number(values['soak-clients']);
const ingestEverySeconds = Number(values['ingest-every']);
const seedDocuments = Number(values['seed-documents']);

// ---------------------------------------------------------------------------------------------
// A small deterministic corpus: topics × facts, English and Chinese, so search and chat find things.

const topics = ['PostgreSQL', 'graph databases', 'vector search', 'BM25', 'knowledge graphs', 'tokenizers', 'replication', 'backups', 'rate limits', 'observability'];
const verbs = ['improves', 'depends on', 'replaces', 'complements', 'measures', 'stores', 'indexes', 'protects'];
const chinese = ['数据库', '知识图谱', '向量检索', '全文检索', '分词', '备份', '复制', '监控'];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function documentText(index: number): string {
  const next = random(index + 1);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const title = `${pick(topics)} note ${index}`;
  const paragraphs = Array.from({ length: 6 }, (_unused, paragraph) =>
    Array.from({ length: 5 }, () => `${pick(topics)} ${pick(verbs)} ${pick(topics)} in deployment ${index}-${paragraph}. ${pick(chinese)}和${pick(chinese)}的关系在第${paragraph}节。`).join(' '),
  );
  return `# ${title}\n\n${paragraphs.map((text, paragraph) => `## Part ${paragraph + 1}\n\n${text}`).join('\n\n')}\n`;
}

const queries = [
  ...topics.map((topic) => `What ${verbs[topic.length % verbs.length]} ${topic}?`),
  ...chinese.map((word) => `${word}和知识图谱的关系`),
  'How does vector search complement BM25 in deployment 7?',
  'Which note talks about backups and replication?',
];
const modes = ['mix', 'bm25', 'naive', 'local', 'global', 'hybrid'];

// ---------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startServer(databaseUrl: string, port: number): Promise<ChildProcess> {
  const root = resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['bin/rhizome.js', 'serve', '--role', 'all', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, RHIZOME_PROFILE: 'production', DATABASE_URL: databaseUrl, RHIZOME_DATA_DIR: mkdtempSync(join(tmpdir(), 'rhizome-soak-')), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => {
    output += data.toString();
    // Server warnings and errors are part of the result: keep them visible.
    process.stderr.write(data);
  });
  const deadline = Date.now() + 180_000;
  while (!output.includes('is running at')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start within 180 s:\n${output}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
  return child;
}

function residentMegabytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

interface Sample {
  readonly at: number;
  readonly kind: 'search' | 'chat' | 'upload' | 'delete';
  readonly milliseconds: number;
  /** undefined: fine; 'rate_limited': an honest 429; anything else: an error. */
  readonly outcome: 'ok' | 'rate_limited' | string;
}

class Recorder {
  readonly samples: Sample[] = [];
  record(sample: Sample): void {
    this.samples.push(sample);
  }
}

async function timed(recorder: Recorder, kind: Sample['kind'], request: () => Promise<Response>, readBody: (response: Response) => Promise<string | undefined>): Promise<Response | undefined> {
  const started = performance.now();
  let outcome: string;
  let response: Response | undefined;
  try {
    response = await request();
    if (response.status === 429) {
      outcome = response.headers.get('retry-after') ? 'rate_limited' : 'http_429_without_retry_after';
      await response.arrayBuffer();
    } else if (response.status >= 200 && response.status < 300) {
      outcome = (await readBody(response)) ?? 'ok';
    } else {
      const text = await response.text();
      let code = '';
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        code = text.slice(0, 40);
      }
      outcome = `http_${response.status}_${code}`;
    }
  } catch (error) {
    outcome = `connection_${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name}`;
  }
  recorder.record({ at: Date.now(), kind, milliseconds: performance.now() - started, outcome });
  return response;
}

async function searchOrChat(base: string, key: string, recorder: Recorder, iteration: number): Promise<void> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const query = queries[iteration % queries.length]!;
  if (iteration % 5 === 4) {
    await timed(
      recorder,
      'chat',
      () => fetch(`${base}/v1/chat`, { method: 'POST', headers, body: JSON.stringify({ message: query }) }),
      async (response) => {
        const stream = await response.text();
        if (/^event: error$/m.test(stream)) return `chat_error_event`;
        return /^event: answer$/m.test(stream) ? 'ok' : 'chat_stream_without_answer';
      },
    );
    return;
  }
  await timed(
    recorder,
    'search',
    () => fetch(`${base}/v1/search`, { method: 'POST', headers, body: JSON.stringify({ query, mode: modes[iteration % modes.length], k: 10 }) }),
    async (response) => {
      const body = (await response.json()) as { hits?: unknown[] };
      return Array.isArray(body.hits) ? 'ok' : 'search_without_hits_array';
    },
  );
}

async function upload(base: string, key: string, recorder: Recorder, index: number, sourceKey: string): Promise<string | undefined> {
  let id: string | undefined;
  await timed(
    recorder,
    'upload',
    () => {
      const form = new FormData();
      form.append('sourceKey', sourceKey);
      form.append('file', new Blob([documentText(index)], { type: 'text/markdown' }), `note-${index}.md`);
      return fetch(`${base}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    },
    async (response) => {
      const body = (await response.json()) as { documents?: { id: string }[] };
      id = body.documents?.[0]?.id;
      return id ? 'ok' : 'upload_without_id';
    },
  );
  return id;
}

async function runClients(count: number, until: number, body: (client: number, iteration: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_unused, client) => {
      for (let iteration = client; Date.now() < until; iteration += 1) await body(client, iteration);
    }),
  );
}

function summarise(samples: readonly Sample[]): { requests: number; errors: number; rateLimited: number; p50: number; p95: number; errorKinds: Map<string, number> } {
  const latencies = samples.filter((sample) => sample.outcome === 'ok').map((sample) => sample.milliseconds);
  const errorKinds = new Map<string, number>();
  for (const sample of samples) {
    if (sample.outcome !== 'ok' && sample.outcome !== 'rate_limited') errorKinds.set(sample.outcome, (errorKinds.get(sample.outcome) ?? 0) + 1);
  }
  return {
    requests: samples.length,
    errors: [...errorKinds.values()].reduce((sum, count) => sum + count, 0),
    rateLimited: samples.filter((sample) => sample.outcome === 'rate_limited').length,
    p50: latencies.length ? percentile(latencies, 50) : Number.NaN,
    p95: latencies.length ? percentile(latencies, 95) : Number.NaN,
    errorKinds,
  };
}

function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  const numerator = points.reduce((sum, point) => sum + (point.x - meanX) * (point.y - meanY), 0);
  const denominator = points.reduce((sum, point) => sum + (point.x - meanX) ** 2, 0);
  return denominator === 0 ? 0 : numerator / denominator;
}

const milliseconds = (value: number) => (Number.isNaN(value) ? '—' : `${Math.round(value)} ms`);

// ---------------------------------------------------------------------------------------------

const startedAt = new Date();
const database = await createBenchDatabase(benchServerUrl(), 'rhizome_soak');
log(`fresh database ${database.name} on ${redactUrl(benchServerUrl())}`);
let server: ChildProcess | undefined;
try {
  const { runtime } = await benchRuntime(benchConfig(database.url));
  const serverDescription = await serverVersion(runtime);
  const tenant = await runtime.tenants.create({ slug: 'soak', name: 'Soak' });
  const editorKey = (await runtime.keys.create({ name: 'documents', role: 'editor', tenantId: tenant.id })).key;
  const readerKeys = await Promise.all(Array.from({ length: Math.max(clients, soakClients) }, async (_unused, index) => (await runtime.keys.create({ name: `client ${index}`, role: 'reader', tenantId: tenant.id })).key));

  const port = await freePort();
  server = await startServer(database.url, port);
  const base = `http://127.0.0.1:${port}`;
  log(`server pid ${server.pid} at ${base}`);
  const memory: { at: number; megabytes: number; phase: string }[] = [];
  let phase = 'seed';
  const sampler = setInterval(() => {
    const megabytes = server?.pid === undefined ? undefined : residentMegabytes(server.pid);
    if (megabytes !== undefined) memory.push({ at: Date.now(), megabytes, phase });
  }, 5_000);

  // Seed the corpus and wait for it.
  const seedRecorder = new Recorder();
  const uploaded = new Map<string, string>(); // sourceKey → document id
  for (let index = 0; index < seedDocuments; index += 1) {
    const id = await upload(base, editorKey, seedRecorder, index, `seed-${index}`);
    if (id) uploaded.set(`seed-${index}`, id);
  }
  const waitForDocuments = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await runtime.database.query<{ status: string; count: number }>(`SELECT status, count(*)::int AS count FROM documents WHERE tenant_id = $1 GROUP BY status`, [tenant.id]);
      const pending = result.rows.filter((row) => row.status !== 'indexed' && row.status !== 'failed').reduce((sum, row) => sum + row.count, 0);
      if (pending === 0 || Date.now() > deadline) return result.rows;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 2_000));
    }
  };
  await waitForDocuments(600_000);
  log(`seeded ${uploaded.size} documents`);

  // 1. Load.
  phase = 'load';
  const loadRecorder = new Recorder();
  const loadStarted = Date.now();
  await runClients(clients, loadStarted + loadSeconds * 1000, (client, iteration) => searchOrChat(base, readerKeys[client]!, loadRecorder, iteration));
  const load = summarise(loadRecorder.samples);
  const loadSearch = summarise(loadRecorder.samples.filter((sample) => sample.kind === 'search'));
  const loadChat = summarise(loadRecorder.samples.filter((sample) => sample.kind === 'chat'));
  log(`load: ${load.requests} requests, ${load.errors} errors, ${load.rateLimited} × 429, p95 ${milliseconds(load.p95)}`);

  // 2. Soak with ingestion.
  phase = 'soak';
  const soakRecorder = new Recorder();
  const ingestRecorder = new Recorder();
  const soakStarted = Date.now();
  const soakUntil = soakStarted + soakMinutes * 60_000;
  let uploads = 0;
  let deletions = 0;
  const ingestion = (async () => {
    for (let index = seedDocuments; Date.now() < soakUntil; index += 1) {
      const replacing = index % 5 === 0;
      const sourceKey = replacing ? `seed-${index % seedDocuments}` : `soak-${index}`;
      const id = await upload(base, editorKey, ingestRecorder, index, sourceKey);
      uploads += 1;
      if (id) uploaded.set(sourceKey, id);
      if (index % 10 === 9) {
        // index − 3 is never a replacement (those are the multiples of 5), so it was uploaded as itself.
        const victim = `soak-${index - 3}`;
        const victimId = uploaded.get(victim);
        if (victimId) {
          await timed(ingestRecorder, 'delete', () => fetch(`${base}/v1/documents/${victimId}`, { method: 'DELETE', headers: { authorization: `Bearer ${editorKey}` } }), async (response) => {
            await response.arrayBuffer();
            return 'ok';
          });
          uploaded.delete(victim);
          deletions += 1;
        }
      }
      await new Promise((resolveDelay) => setTimeout(resolveDelay, ingestEverySeconds * 1000));
    }
  })();
  await runClients(soakClients, soakUntil, (client, iteration) => searchOrChat(base, readerKeys[client]!, soakRecorder, iteration));
  await ingestion;
  phase = 'drain';
  const finalStatuses = await waitForDocuments(600_000);
  clearInterval(sampler);
  const soak = summarise(soakRecorder.samples);
  const ingest = summarise(ingestRecorder.samples);

  // After everything: stuck documents, failures and index consistency.
  const failures = await runtime.database.query<{ error_code: string; count: number }>(`SELECT error_code, count(*)::int AS count FROM documents WHERE tenant_id = $1 AND status = 'failed' GROUP BY error_code`, [tenant.id]);
  const chunkMismatch = await runtime.database.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM documents d WHERE d.tenant_id = $1 AND d.status = 'indexed'
       AND d.chunk_count <> (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)`,
    [tenant.id],
  );
  const counts = await indexCounts(runtime.database, tenant.id);
  const consistent =
    counts.termFrequencySum === counts.postings && counts.corpusChunks === counts.chunks && counts.corpusLength === counts.chunkLengthSum && counts.vertices === counts.entities && counts.edges === counts.relations;
  const readyAfter = await fetch(`${base}/readyz`).then((response) => response.status);
  await runtime.close();

  // Memory trend over the soak, after its first fifth (warm caches, JIT, pools filled).
  const soakMemory = memory.filter((point) => point.phase === 'soak');
  const settled = soakMemory.filter((point) => point.at >= soakStarted + (soakUntil - soakStarted) / 5);
  const perMinute = slope(settled.map((point) => ({ x: (point.at - soakStarted) / 60_000, y: point.megabytes })));
  const settledMean = settled.reduce((sum, point) => sum + point.megabytes, 0) / Math.max(1, settled.length);
  const projectedGrowth = (perMinute * soakMinutes * 0.8) / Math.max(1, settledMean);
  const minutes = Array.from({ length: Math.ceil(soakMinutes) }, (_unused, minute) => {
    const from = soakStarted + minute * 60_000;
    const window = soakRecorder.samples.filter((sample) => sample.at >= from && sample.at < from + 60_000);
    const summary = summarise(window);
    const rss = soakMemory.filter((point) => point.at >= from && point.at < from + 60_000).map((point) => point.megabytes);
    return [String(minute + 1), String(summary.requests), String(summary.errors), String(summary.rateLimited), milliseconds(summary.p50), milliseconds(summary.p95), rss.length ? `${Math.round(Math.max(...rss))} MB` : '—'];
  });
  const errorList = (kinds: Map<string, number>) => (kinds.size === 0 ? 'none' : [...kinds].map(([kind, count]) => `${kind} × ${count}`).join(', '));
  const pending = finalStatuses.filter((row) => row.status !== 'indexed' && row.status !== 'failed').reduce((sum, row) => sum + row.count, 0);

  const report = [
    `## Load and soak (${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Machine: ${machineDescription()}; load average at the end ${loadavg().map((value) => value.toFixed(1)).join(' / ')}. ${serverDescription}.`,
    `Server: \`rhizome serve --role all\` (production profile: rate limits on), offline models, one process; the load generator on the same machine.`,
    '',
    markdownTable(
      ['Phase', 'Clients', 'Duration', 'Requests', 'Errors', '429', 'p50', 'p95', 'Search p95', 'Chat p95'],
      [
        ['load', String(clients), `${loadSeconds} s`, String(load.requests), String(load.errors), String(load.rateLimited), milliseconds(load.p50), milliseconds(load.p95), milliseconds(loadSearch.p95), milliseconds(loadChat.p95)],
        ['soak', String(soakClients), `${soakMinutes} min`, String(soak.requests), String(soak.errors), String(soak.rateLimited), milliseconds(soak.p50), milliseconds(soak.p95), milliseconds(summarise(soakRecorder.samples.filter((sample) => sample.kind === 'search')).p95), milliseconds(summarise(soakRecorder.samples.filter((sample) => sample.kind === 'chat')).p95)],
        ['ingestion (during soak)', '1', `${soakMinutes} min`, String(ingest.requests), String(ingest.errors), String(ingest.rateLimited), milliseconds(ingest.p50), milliseconds(ingest.p95), '—', '—'],
      ],
    ),
    '',
    `Errors — load: ${errorList(load.errorKinds)}; soak: ${errorList(soak.errorKinds)}; ingestion: ${errorList(ingest.errorKinds)}.`,
    '',
    'Soak per minute (search and chat clients):',
    '',
    markdownTable(['Minute', 'Requests', 'Errors', '429', 'p50', 'p95', 'Max RSS'], minutes),
    '',
    `Memory (VmRSS of the server process): ${memory.length} samples; seed ${Math.round(Math.max(...memory.filter((point) => point.phase === 'seed').map((point) => point.megabytes), 0))} MB max, load ${Math.round(Math.max(...memory.filter((point) => point.phase === 'load').map((point) => point.megabytes), 0))} MB max, soak ${Math.round(Math.min(...soakMemory.map((point) => point.megabytes)))}–${Math.round(Math.max(...soakMemory.map((point) => point.megabytes)))} MB. ` +
      `Trend after the first fifth of the soak: ${perMinute >= 0 ? '+' : ''}${perMinute.toFixed(2)} MB/min (${(projectedGrowth * 100).toFixed(1)} % of the mean over that span): ${projectedGrowth < 0.1 ? 'no growth trend' : 'GROWTH TREND'} (threshold: +10 %).`,
    '',
    `Documents: ${seedDocuments} seeded, ${uploads} uploads during the soak (every fifth a replacement under an existing sourceKey), ${deletions} deleted; afterwards ${finalStatuses.map((row) => `${row.status} ${row.count}`).join(', ')}; stuck ${pending}; failed by reason: ${failures.rows.length === 0 ? 'none' : failures.rows.map((row) => `${row.error_code} × ${row.count}`).join(', ')}; indexed documents whose chunk count disagrees with their chunks: ${chunkMismatch.rows[0]!.count}; index statistics consistent with their rows: ${consistent ? 'yes' : 'NO'}; /readyz afterwards: ${readyAfter}.`,
  ].join('\n');
  process.stdout.write(`${report}\n`);
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolveExit) => server!.once('exit', resolveExit));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server!.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  await database.drop();
}
