import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/build-server.js';
import { silentLogger, testDrivers } from './support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from './support/test-platform.js';

/**
 * Runs the shell examples of README.md's "Use Rhizome from other tools" section as written (curl
 * through bash) against a started server holding what the README's earlier steps create: tenant
 * `acme`, an owner key in `$OWNER`, the `research` collection with notes.md and report's text.
 */
const readme = readFileSync(join(resolve(import.meta.dirname, '..'), 'README.md'), 'utf8');

function sectionCommands(title: string): string[] {
  const start = readme.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`README has no section '${title}'`);
  const end = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    // Continuation lines join their command; comments and blank lines separate nothing.
    const joined = block[1]!.replace(/\\\n\s*/g, '');
    commands.push(
      ...joined.split('\n').filter((line) => line.trim().length > 0 && !line.trim().startsWith('#')),
    );
  }
  return commands;
}

function run(
  command: string,
  environment: Record<string, string>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn('bash', ['-c', command], { env: { PATH: process.env.PATH ?? '', ...environment } });
    let stdout = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.on('close', (code) => resolvePromise({ code, stdout }));
  });
}

/** What each example must show, beyond a 2xx answer. */
const checks: { pattern: RegExp; check: (body: string) => void }[] = [
  {
    pattern: /\/retrieval/,
    check: (body) => {
      const { records } = JSON.parse(body) as {
        records: { content: string; score: number; title: string }[];
      };
      expect(records.length).toBeGreaterThan(0);
      expect(records[0]!.content).toContain('Analytical Engine');
      expect(records[0]!.score).toBe(1);
    },
  },
  {
    pattern: /\/v1\/models/,
    check: (body) => {
      const ids = (JSON.parse(body) as { data: { id: string }[] }).data.map((model) => model.id);
      expect(ids).toContain('rhizome-agent');
      expect(ids).toContain('rhizome-mix');
    },
  },
  {
    pattern: /"stream":true/,
    check: (body) => {
      const events = body
        .split('\n\n')
        .filter((event) => event.startsWith('data: '))
        .map((event) => event.slice('data: '.length));
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as Record<string, unknown>);
      const text = chunks
        .flatMap((chunk) => (chunk.choices as { delta: { content?: string } }[]) ?? [])
        .map((choice) => choice.delta.content ?? '')
        .join('');
      expect(text).toContain('Ada Lovelace');
      expect(text).toContain('Sources:');
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    },
  },
  {
    pattern: /chat\/completions(?!.*"stream":true)/,
    check: (body) => {
      const completion = JSON.parse(body) as {
        choices: { message: { content: string } }[];
        citations: unknown[];
      };
      expect(completion.choices[0]!.message.content).toContain('Charles Babbage');
      expect(completion.citations.length).toBeGreaterThan(0);
    },
  },
  {
    pattern: /\/mcp/,
    check: (body) => {
      const data = /^data: (.*)$/m.exec(body)?.[1] ?? body;
      const message = JSON.parse(data) as { result: { isError?: boolean; content: { text: string }[] } };
      expect(message.result.isError).toBeFalsy();
      expect(message.result.content[0]!.text).toContain('Analytical Engine');
    },
  },
];

describe('README: Use Rhizome from other tools', () => {
  let platform: TestPlatform;
  let app: FastifyInstance;
  let port: number;
  let owner: string;
  const commands = sectionCommands('Use Rhizome from other tools');

  beforeAll(async () => {
    platform = await createTestPlatform(testDrivers[0]!);
    const { runtime } = platform;
    const tenant = await runtime.tenants.create({ slug: 'acme', name: 'Acme' });
    owner = (await runtime.keys.create({ name: 'acme owner', role: 'owner', tenantId: tenant.id })).key;
    await runtime.startWorker();
    const research = await runtime.collections.create(tenant.id, {
      name: 'research',
      description: '',
      metadata: {},
    });
    const results = await runtime.documents.intake(
      tenant.id,
      [
        {
          fileName: 'notes.md',
          bytes: Buffer.from('# Notes\n\nAda Lovelace wrote the first program for the Analytical Engine.\n'),
        },
        {
          fileName: 'report.md',
          bytes: Buffer.from(
            '# The Analytical Engine\n\nCharles Babbage designed the Analytical Engine in 1837.\n',
          ),
        },
      ],
      { collection: research.id },
    );
    await waitForDocuments(
      runtime,
      tenant.id,
      results.map((result) => result.id),
    );
    app = await buildServer({ ...runtime, config: platform.config, logger: silentLogger });
    port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  }, 600_000);
  afterAll(async () => {
    await app?.close();
    await platform?.dispose();
  });

  it('has examples for Dify, the OpenAI-compatible API and MCP', () => {
    expect(commands.some((command) => command.includes('/retrieval'))).toBe(true);
    expect(commands.some((command) => command.includes('/v1/chat/completions'))).toBe(true);
    expect(commands.some((command) => command.includes('/mcp'))).toBe(true);
  });

  it('runs every example as written', async () => {
    for (const raw of commands) {
      const command = raw
        .replaceAll('localhost:8080', `127.0.0.1:${port}`)
        .replace(/^curl /, `curl -w '\\n%{http_code}' `);
      const result = await run(command, { OWNER: owner });
      const lines = result.stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      const body = lines.join('\n');
      const context = `README example: ${raw}\n${result.stdout}`;
      expect(result.code, context).toBe(0);
      expect(status, context).toBeGreaterThanOrEqual(200);
      expect(status, context).toBeLessThan(300);
      const matching = checks.filter((entry) => entry.pattern.test(raw));
      expect(matching.length, `no check for ${raw}`).toBeGreaterThan(0);
      for (const entry of matching) entry.check(body);
    }
  });
});
