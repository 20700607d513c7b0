import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentSettingsStore } from '../../src/agent/agent-settings.js';
import type { AnswerModel } from '../../src/agent/graph/answer-model.js';
import { LangGraphAgentService } from '../../src/agent/langgraph-agent-service.js';
import { ThreadStore } from '../../src/agent/memory/thread-store.js';
import { buildServer } from '../../src/server/build-server.js';
import type { Tenant } from '../../src/tenancy/tenant-service.js';
import { eventually, holdTableLock, waitingBackends } from '../support/database-locks.js';
import { describeEachDriver, silentLogger } from '../support/test-databases.js';
import { createTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** A model that only ever finishes by being cancelled: it stands for a slow provider call. */
class WaitsForCancellation implements AnswerModel {
  readonly name = 'waits';
  sawAbort = false;
  started!: Promise<void>;
  private markStarted!: () => void;

  constructor() {
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
  }

  answer(input: Parameters<AnswerModel['answer']>[0]): ReturnType<AnswerModel['answer']> {
    this.markStarted();
    return new Promise((_resolve, reject) => {
      input.context.signal.addEventListener('abort', () => {
        this.sawAbort = true;
        reject(input.context.signal.reason);
      });
    });
  }
}

describeEachDriver('POST /v1/chat when the client disconnects', (driver) => {
  let platform: TestPlatform;
  let app: FastifyInstance;
  let tenant: Tenant;
  let key: string;
  const model = new WaitsForCancellation();

  beforeAll(async () => {
    // No statement timeout: a statement waiting on a lock can then end only by being cancelled.
    platform = await createTestPlatform(driver, { DATABASE_STATEMENT_TIMEOUT_MS: '0' });
    const { runtime } = platform;
    tenant = await runtime.tenants.create({ slug: 'disconnect', name: 'Disconnect' });
    key = (await runtime.keys.create({ name: 'reader', role: 'reader', tenantId: tenant.id })).key;
    const agent = new LangGraphAgentService({
      database: runtime.database,
      tools: runtime.agentTools,
      threads: new ThreadStore(runtime.database),
      settings: new AgentSettingsStore(runtime.database),
      models: { select: () => model },
      defaults: { budget: { maxSteps: 12, maxTokens: 10_000, timeoutMs: 600_000 } },
      logger: silentLogger,
    });
    app = await buildServer({ ...runtime, agent, config: platform.config, logger: silentLogger });
    await app.listen({ port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await platform?.dispose();
  });

  it('cancels the run down to the model call and records it as cancelled', async () => {
    const { port } = app.server.address() as AddressInfo;
    const runId = await new Promise<string>((resolve, reject) => {
      const client = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/chat', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
        (response) => {
          expect(response.statusCode).toBe(200);
          let buffer = '';
          response.on('data', (chunk: Buffer) => {
            buffer += chunk.toString('utf8');
            const match = /event: run_start\ndata: (.*)\n/.exec(buffer);
            if (!match) return;
            const { runId: id } = JSON.parse(match[1]!) as { runId: string };
            // Disconnect only once the run is inside the model call, then report which run it was.
            void model.started.then(() => {
              client.destroy();
              resolve(id);
            });
          });
          response.on('error', () => undefined);
        },
      );
      client.on('error', () => undefined);
      client.on('close', () => undefined);
      client.end(JSON.stringify({ message: 'What did Marie Curie discover?' }));
      setTimeout(() => reject(new Error('no run_start within 60 s')), 60_000).unref();
    });

    const deadline = Date.now() + 60_000;
    let status = 'running';
    while (status === 'running' && Date.now() < deadline) {
      const result = await platform.database.query<{ status: string }>('SELECT status FROM agent_runs WHERE id = $1', [runId]);
      status = result.rows[0]?.status ?? 'missing';
      if (status === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('cancelled');
    expect(model.sawAbort).toBe(true);
    const run = await platform.database.query<{ error: { code: string }; trace: { node: string }[] }>(
      'SELECT error, trace FROM agent_runs WHERE id = $1',
      [runId],
    );
    expect(run.rows[0]!.error.code).toBe('run_cancelled');
    // The steps before the cancelled one are kept in the trace.
    expect(run.rows[0]!.trace.map((step) => step.node)).toContain('retrieve');
  });
  // On a server, a disconnect cancels the SQL in flight, not only the steps after it: the search's
  // first statement waits on a lock held by the test, so only a cancel on the server can end it.
  it.skipIf(driver.name !== 'postgres')('cancels the search statement running on the server when the client disconnects', async () => {
    const { port } = app.server.address() as AddressInfo;
    const lock = holdTableLock(platform.database, 'corpus_statistics');
    await lock.locked;
    let runId: string;
    try {
      runId = await new Promise<string>((resolve, reject) => {
        const client = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/v1/chat', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
          (response) => {
            let buffer = '';
            response.on('data', (chunk: Buffer) => {
              buffer += chunk.toString('utf8');
              const match = /event: run_start\ndata: (.*)\n/.exec(buffer);
              if (!match) return;
              const { runId: id } = JSON.parse(match[1]!) as { runId: string };
              buffer = '';
              // Disconnect once the search's statement is in flight, waiting on the lock.
              eventually(async () => (await waitingBackends(platform.database)) >= 1, 'the search waits on the lock').then(() => {
                client.destroy();
                resolve(id);
              }, reject);
            });
            response.on('error', () => undefined);
          },
        );
        client.on('error', () => undefined);
        client.end(JSON.stringify({ message: 'Who discovered polonium?' }));
      });
      // The lock is still held: the waiting statement ends only because it was cancelled.
      await eventually(async () => (await waitingBackends(platform.database)) === 0, 'no statement waits on the lock');
    } finally {
      await lock.release();
    }
    await eventually(async () => {
      const result = await platform.database.query<{ status: string }>('SELECT status FROM agent_runs WHERE id = $1', [runId]);
      return result.rows[0]?.status !== 'running';
    }, 'the run is recorded');
    const run = await platform.database.query<{ status: string; error: { code: string } }>('SELECT status, error FROM agent_runs WHERE id = $1', [runId]);
    expect(run.rows[0]).toMatchObject({ status: 'cancelled', error: { code: 'run_cancelled' } });
  });
});
