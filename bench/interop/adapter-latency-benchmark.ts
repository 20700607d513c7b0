import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { percentile } from '../../src/evaluation/retrieval-metrics.js';
import { buildServer } from '../../src/server/build-server.js';
import {
  benchConfig,
  benchRuntime,
  benchServerUrl,
  createBenchDatabase,
  log,
  machineDescription,
  markdownTable,
  serverVersion,
} from '../retrieval/bench-support.js';

/**
 * What the interoperability adapters cost on top of the services they adapt: the same questions
 * through SearchService and the agent in process, then over HTTP through `/v1/search`, Dify's
 * `/retrieval`, MCP `search`/`ask` and `/v1/chat/completions` (streamed and not). HotpotQA-100's
 * passages (one document each) on the real server, offline models, search cache off, one client.
 *
 *   npx tsx bench/interop/adapter-latency-benchmark.ts [--data ../shared/data/eval/hotpotqa-100] [--questions 60]
 */
function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}
const dataDirectory = resolve(argument('--data') ?? '../shared/data/eval/hotpotqa-100');
const questionCount = Number(argument('--questions') ?? 60);
const warmUp = 5;

async function measure(
  questions: readonly string[],
  work: (question: string) => Promise<unknown>,
): Promise<number[]> {
  for (const question of questions.slice(0, warmUp)) await work(question);
  const times: number[] = [];
  for (const question of questions.slice(warmUp)) {
    const started = performance.now();
    await work(question);
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const corpus = readFileSync(join(dataDirectory, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { _id: string; title: string; text: string });
  const questions = readFileSync(join(dataDirectory, 'questions.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { question: string }).question)
    .slice(0, questionCount + warmUp);

  const database = await createBenchDatabase(benchServerUrl(), 'rhizome_bench_interop');
  const config = benchConfig(database.url, { RHIZOME_SEARCH_CACHE_ENTRIES: '0' });
  const { runtime, logger } = await benchRuntime(config);
  try {
    const tenant = await runtime.tenants.create({ slug: 'interop-bench', name: 'Interop bench' });
    const key = (await runtime.keys.create({ name: 'bench', role: 'reader', tenantId: tenant.id })).key;
    const collection = await runtime.collections.create(tenant.id, {
      name: 'hotpotqa',
      description: '',
      metadata: {},
    });
    log(`ingesting ${corpus.length} passages`);
    const worker = await runtime.startWorker();
    const intake = await runtime.documents.intake(
      tenant.id,
      corpus.map((passage, index) => ({
        fileName: `passage-${index}.md`,
        bytes: Buffer.from(`# ${passage.title}\n\n${passage.text}\n`),
      })),
      { collection: collection.id },
    );
    for (;;) {
      const records = await runtime.documents.getMany(
        tenant.id,
        intake.map((result) => result.id),
      );
      if (records.every((record) => record.status === 'indexed' || record.status === 'failed')) break;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 1_000));
    }
    await worker.stop(10_000);
    log('indexed; measuring');

    const app = await buildServer({ ...runtime, logger });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown, extra: Record<string, string> = {}) => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, ...extra },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
      return text;
    };
    const mcp = (name: string, args: Record<string, unknown>) =>
      post(
        '/mcp',
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
        { accept: 'application/json, text/event-stream' },
      );
    const messages = (question: string) => [{ role: 'user', content: question }];

    const rows: [string, number[]][] = [];
    const run = async (label: string, work: (question: string) => Promise<unknown>) => {
      log(label);
      rows.push([label, await measure(questions, work)]);
    };
    await run('SearchService.search (in process)', (query) =>
      runtime.search.search(tenant.id, { query, mode: 'mix', k: 5 }),
    );
    await run('POST /v1/search', (query) => post('/v1/search', { query, mode: 'mix', k: 5 }));
    await run('POST /retrieval (Dify)', (query) =>
      post('/retrieval', {
        knowledge_id: 'hotpotqa',
        query,
        retrieval_setting: { top_k: 5, score_threshold: 0 },
      }),
    );
    await run('MCP tools/call search', (query) => mcp('search', { query, k: 5 }));
    await run('AgentService.ask (in process)', (message) => runtime.agent.ask(tenant.id, { message }));
    await run('POST /v1/chat/completions', (question) =>
      post('/v1/chat/completions', { model: 'rhizome-agent', messages: messages(question) }),
    );
    await run('POST /v1/chat/completions stream', (question) =>
      post('/v1/chat/completions', { model: 'rhizome-agent', stream: true, messages: messages(question) }),
    );
    await run('MCP tools/call ask', (question) => mcp('ask', { question }));
    await app.close();

    const table = markdownTable(
      ['surface', 'p50 ms', 'p95 ms'],
      rows.map(([label, times]) => [
        label,
        percentile(times, 50).toFixed(1),
        percentile(times, 95).toFixed(1),
      ]),
    );
    process.stdout.write(
      `${new Date().toISOString()} — ${machineDescription()}; ${await serverVersion(runtime)}; ` +
        `${corpus.length} passages, ${questionCount} questions after ${warmUp} warm-up, cache off\n\n${table}\n`,
    );
  } finally {
    await runtime.close();
    await database.drop();
  }
}

await main();
