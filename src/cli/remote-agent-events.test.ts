import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../core/agent.js';
import { describeEachDriver } from '../../test/support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../../test/support/test-platform.js';
import { ask } from './ask-command.js';
import type { LocalServerAnnouncement } from './local-server.js';
import { remoteAgentEvents } from './remote-agent-events.js';

// `rhizome ask` beside a running server: the question goes to the server's /v1/chat and its
// Server-Sent Events come back as the same AgentEvents an in-process run yields.
describeEachDriver('rhizome ask through the running server', (driver) => {
  let platform: TestPlatform;
  let server: LocalServerAnnouncement;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    const tenant = await runtime.tenants.create({ slug: 'askers', name: 'Askers' });
    await runtime.startWorker();
    const added = await runtime.documents.intake(tenant.id, [
      {
        fileName: 'engine.md',
        bytes: Buffer.from('# Analytical Engine\n\nCharles Babbage designed the Analytical Engine in 1837.'),
      },
    ]);
    await waitForDocuments(runtime, tenant.id, added.map((result) => result.id));
    const url = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    server = { pid: process.pid, url, keyId: 'test', key: platform.adminKey, startedAt: new Date().toISOString() };
  }, 300_000);
  afterAll(() => platform.dispose());
  afterEach(() => vi.restoreAllMocks());

  it('streams the run and prints the answer with its sources', async () => {
    const events: AgentEvent[] = [];
    for await (const event of remoteAgentEvents(server, 'askers')(
      { message: 'Who designed the Analytical Engine?' },
      new AbortController().signal,
    )) {
      events.push(event);
    }
    expect(events[0]!.type).toBe('run_start');
    const last = events.at(-1)!;
    expect(last.type).toBe('answer');
    if (last.type !== 'answer') return;
    expect(last.answer.text).toContain('Babbage');

    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const answered = await ask(remoteAgentEvents(server, 'askers'), 'Who designed the Analytical Engine?', {
      tenant: 'askers',
      mode: 'auto',
    });
    expect(answered).toBe(true);
    expect(written.join('')).toContain('Babbage');
    expect(written.join('')).toMatch(/\[1\] Analytical Engine/);
  });

  it('says which tenant is unknown, with the server’s error code', async () => {
    const run = remoteAgentEvents(server, 'nobody')({ message: 'anything' }, new AbortController().signal);
    await expect(run[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'tenant_not_found' });
  });

  it('says the server does not answer when it is gone', async () => {
    const gone = { ...server, url: 'http://127.0.0.1:9/' };
    const run = remoteAgentEvents(gone, 'askers')({ message: 'anything' }, new AbortController().signal);
    await expect(run[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'server_unreachable' });
  });
});
