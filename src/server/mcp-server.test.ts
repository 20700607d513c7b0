import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver, silentLogger } from '../../test/support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../../test/support/test-platform.js';
import type { Tenant } from '../tenancy/tenant-service.js';
import { buildServer } from './build-server.js';

const corpus = {
  'lovelace.md':
    '# Ada Lovelace\n\nAda Lovelace wrote the first program for the Analytical Engine designed by Charles Babbage.',
  'babbage.md': '# Charles Babbage\n\nCharles Babbage was born in London and designed the Difference Engine.',
  'tea.md': '# Tea\n\nGreen tea and black tea come from the same plant, Camellia sinensis.',
};

// The MCP server over a real started server, with the SDK's own client and the real agent.
describeEachDriver('MCP server', (driver) => {
  let platform: TestPlatform;
  let app: FastifyInstance;
  let endpoint: URL;
  let tenant: Tenant;
  let readerKey: string;
  let otherKey: string;
  const documentIds = new Map<string, string>();
  const clients: Client[] = [];

  async function connect(headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'rhizome-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
    clients.push(client);
    return client;
  }

  const textOf = (result: CallToolResult) =>
    result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    tenant = await runtime.tenants.create({ slug: 'mcp', name: 'MCP' });
    const other = await runtime.tenants.create({ slug: 'mcp-other', name: 'Other' });
    readerKey = (await runtime.keys.create({ name: 'mcp', role: 'reader', tenantId: tenant.id })).key;
    otherKey = (await runtime.keys.create({ name: 'mcp', role: 'reader', tenantId: other.id })).key;
    await runtime.startWorker();
    const results = await runtime.documents.intake(
      tenant.id,
      Object.entries(corpus).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
    );
    for (const result of results) documentIds.set(result.fileName, result.id);
    const [foreign] = await runtime.documents.intake(other.id, [
      {
        fileName: 'foreign.md',
        bytes: Buffer.from('# Foreign\n\nThe Analytical Engine of Globex was built in Springfield.'),
      },
    ]);
    await waitForDocuments(runtime, tenant.id, [...documentIds.values()]);
    await waitForDocuments(runtime, other.id, [foreign!.id]);
    app = await buildServer({ ...runtime, config: platform.config, logger: silentLogger });
    endpoint = new URL(`${await app.listen({ host: '127.0.0.1', port: 0 })}/mcp`);
  }, 600_000);
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await app?.close();
    await platform?.dispose();
  });

  it('lists the four read-only tools with their input schemas', async () => {
    const client = await connect({ authorization: `Bearer ${readerKey}` });
    expect(client.getServerVersion()?.name).toBe('rhizome');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'ask',
      'get_document',
      'graph_neighbors',
      'search',
    ]);
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint).toBe(true);
      expect(tool.annotations?.destructiveHint).toBe(false);
    }
    const search = tools.find((tool) => tool.name === 'search')!;
    expect(search.inputSchema.required).toEqual(['query']);
    expect(Object.keys(search.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['query', 'mode', 'k', 'collection', 'document_ids']),
    );
  });

  it("searches the key's tenant and reads a document", async () => {
    const client = await connect({ authorization: `Bearer ${readerKey}` });
    const result = (await client.callTool({
      name: 'search',
      arguments: { query: 'Who wrote the program for the Analytical Engine?', k: 3 },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const passages = (result.structuredContent as { passages: { file_name: string; document_id: string }[] })
      .passages;
    expect(passages[0]!.file_name).toBe('lovelace.md');
    expect(passages.map((passage) => passage.file_name)).not.toContain('foreign.md');
    expect(textOf(result)).toContain('[1] Ada Lovelace (lovelace.md');

    const document = (await client.callTool({
      name: 'get_document',
      arguments: { document_id: passages[0]!.document_id },
    })) as CallToolResult;
    expect(document.isError).toBeFalsy();
    expect(textOf(document)).toContain('Ada Lovelace wrote the first program for the Analytical Engine');
  });

  it('answers with citations through the agent', async () => {
    const client = await connect({ authorization: `Bearer ${readerKey}` });
    const result = (await client.callTool({
      name: 'ask',
      arguments: { question: 'Who wrote the first program for the Analytical Engine?' },
    })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    const answer = result.structuredContent as {
      answer: string;
      not_found: boolean;
      citations: { index: number; file_name: string }[];
      thread_id: string;
    };
    expect(answer.not_found).toBe(false);
    expect(answer.answer).toContain('Ada Lovelace');
    expect(answer.answer).toMatch(/\[\d+\]/);
    expect(answer.citations.map((citation) => citation.file_name)).toContain('lovelace.md');
    expect(textOf(result)).toContain('Sources:');
    expect(answer.thread_id).toMatch(/^[0-9a-f-]{36}$/);

    const unanswerable = (await client.callTool({
      name: 'ask',
      arguments: { question: 'What is the boiling point of mercury on Mars?' },
    })) as CallToolResult;
    expect((unanswerable.structuredContent as { not_found: boolean }).not_found).toBe(true);
  });

  it('follows an entity to its neighbours in the graph', async () => {
    const client = await connect({ authorization: `Bearer ${readerKey}` });
    const result = (await client.callTool({
      name: 'graph_neighbors',
      arguments: { entity: 'Ada Lovelace' },
    })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    const { entity, neighbors } = result.structuredContent as {
      entity: { name: string } | null;
      neighbors: { name: string }[];
    };
    expect(entity?.name).toBe('Ada Lovelace');
    expect(neighbors.map((neighbor) => neighbor.name)).toContain('Charles Babbage');
    const unknown = (await client.callTool({
      name: 'graph_neighbors',
      arguments: { entity: 'Nobody In Particular' },
    })) as CallToolResult;
    expect((unknown.structuredContent as { entity: unknown }).entity).toBeNull();
  });

  it("keeps tenants apart: another tenant's key sees none of these documents", async () => {
    const client = await connect({ authorization: `Bearer ${otherKey}` });
    const search = (await client.callTool({
      name: 'search',
      arguments: { query: 'Ada Lovelace Analytical Engine' },
    })) as CallToolResult;
    const files = (search.structuredContent as { passages: { file_name: string }[] }).passages.map(
      (passage) => passage.file_name,
    );
    expect(files).not.toContain('lovelace.md');
    const document = (await client.callTool({
      name: 'get_document',
      arguments: { document_id: documentIds.get('lovelace.md') },
    })) as CallToolResult;
    expect(document.isError).toBe(true);
    expect(textOf(document)).toContain('document_not_found');
    const neighbors = (await client.callTool({
      name: 'graph_neighbors',
      arguments: { entity: 'Ada Lovelace' },
    })) as CallToolResult;
    expect((neighbors.structuredContent as { entity: unknown }).entity).toBeNull();
  });

  it('rejects bad tool input and unknown collections as tool errors', async () => {
    const client = await connect({ authorization: `Bearer ${readerKey}` });
    const badK = (await client.callTool({
      name: 'search',
      arguments: { query: 'tea', k: 0 },
    })) as CallToolResult;
    expect(badK.isError).toBe(true);
    expect(textOf(badK)).toMatch(/k/);
    const noQuery = (await client.callTool({ name: 'search', arguments: {} })) as CallToolResult;
    expect(noQuery.isError).toBe(true);
    const badId = (await client.callTool({
      name: 'get_document',
      arguments: { document_id: 'nope' },
    })) as CallToolResult;
    expect(badId.isError).toBe(true);
    const collection = (await client.callTool({
      name: 'search',
      arguments: { query: 'tea', collection: 'no-such-collection' },
    })) as CallToolResult;
    expect(collection.isError).toBe(true);
    expect(textOf(collection)).toContain('collection_not_found');
  });

  it('refuses clients without a valid key, and admin keys without a tenant', async () => {
    // The SDK's StreamableHTTPError carries the HTTP status as `code`.
    await expect(connect({})).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('missing_credentials'),
    });
    await expect(connect({ authorization: 'Bearer rhz_wrong_key' })).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('invalid_credentials'),
    });
    await expect(connect({ authorization: `Bearer ${platform.adminKey}` })).rejects.toMatchObject({
      code: 400,
    });
    const admin = await connect({ authorization: `Bearer ${platform.adminKey}`, 'x-rhizome-tenant': 'mcp' });
    const result = (await admin.callTool({
      name: 'search',
      arguments: { query: 'green tea plant' },
    })) as CallToolResult;
    expect((result.structuredContent as { passages: { file_name: string }[] }).passages[0]!.file_name).toBe(
      'tea.md',
    );
    const get = await fetch(endpoint, { headers: { authorization: `Bearer ${readerKey}` } });
    expect(get.status).toBe(405);
  });
});
