/**
 * Issue #12, item 6: with an OpenAI-compatible (semantic) embedder configured, fusion weighs the
 * vector list as BM25's peer, and every hit's explanation says which weights applied and why; with
 * the offline (lexical) embedder the same request leaves the vector list out and says so. The
 * provider is a local HTTP server speaking the embeddings wire format (no network, no weights).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendJson, startFakeProvider, type FakeProvider, type ReceivedRequest } from '../../src/models/openai-compatible/fake-provider-server.js';
import type { Tenant } from '../../src/tenancy/tenant-service.js';
import { describeEachDriver } from '../support/test-databases.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../support/test-platform.js';

const dimensions = 8;

/** A deterministic vector per text: letter counts folded into eight buckets, so similar texts are near. */
function vectorFor(text: string): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const character of text.toLowerCase()) {
    const code = character.codePointAt(0) ?? 0;
    const bucket = code % dimensions;
    if (code >= 97 && code <= 122) vector[bucket] = (vector[bucket] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

function answerEmbeddings(request: ReceivedRequest): unknown {
  const input = (request.body as { input: string[] }).input;
  return {
    object: 'list',
    data: input.map((text, index) => ({ object: 'embedding', index, embedding: vectorFor(text) })),
    model: 'semantic-test',
    usage: { prompt_tokens: input.length, total_tokens: input.length },
  };
}

const corpus: Record<string, string> = {
  'lovelace.md': '# Ada Lovelace\n\nAda Lovelace wrote the first published program for the Analytical Engine.\n',
  'babbage.md': '# Charles Babbage\n\nCharles Babbage designed the Difference Engine and the Analytical Engine in London.\n',
  'turing.md': '# Alan Turing\n\nAlan Turing studied computable numbers at King\'s College, Cambridge.\n',
};

async function ingest(platform: TestPlatform, slug: string): Promise<Tenant> {
  const tenant = await platform.runtime.tenants.create({ slug, name: slug });
  await platform.runtime.startWorker();
  const results = await platform.runtime.documents.intake(
    tenant.id,
    Object.entries(corpus).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
  );
  await waitForDocuments(platform.runtime, tenant.id, results.map((result) => result.id), 300_000);
  return tenant;
}

describeEachDriver('fusion weights follow the configured embedder', (driver) => {
  let provider: FakeProvider;
  let semantic: TestPlatform;
  let lexical: TestPlatform;
  let semanticTenant: Tenant;
  let lexicalTenant: Tenant;

  beforeAll(async () => {
    provider = await startFakeProvider();
    provider.handle((request, response) => sendJson(response, 200, answerEmbeddings(request)));
    semantic = await createTestPlatform(driver, {
      EMBEDDING_PROVIDER: 'openai',
      EMBEDDING_BASE_URL: provider.baseUrl,
      EMBEDDING_MODEL: 'semantic-test',
      EMBEDDING_DIMENSIONS: String(dimensions),
      RHIZOME_EXTRACTION: 'offline',
      RHIZOME_SEARCH_CACHE_ENTRIES: '0',
      MODEL_MAX_RETRIES: '0',
    });
    semanticTenant = await ingest(semantic, 'semantic');
    lexical = await createTestPlatform(driver, { RHIZOME_SEARCH_CACHE_ENTRIES: '0' });
    lexicalTenant = await ingest(lexical, 'lexical');
  }, 600_000);
  afterAll(async () => {
    await semantic?.dispose();
    await lexical?.dispose();
    await provider?.close();
  });

  const request = { query: 'Who wrote the first program for the Analytical Engine?', mode: 'hybrid' as const, k: 3 };

  it('weighs a semantic embedder as BM25s peer and says so on every hit', async () => {
    const before = provider.requests.length;
    const response = await semantic.runtime.search.search(semanticTenant.id, request);
    // The query itself was embedded by the provider.
    expect(provider.requests.length).toBeGreaterThan(before);
    expect(response.hits.length).toBeGreaterThan(0);
    for (const hit of response.hits) {
      const weights = hit.explanation.weights ?? [];
      expect(weights).toContainEqual({ list: 'vector', weight: 1, reason: expect.stringContaining('semantic embedder') });
      expect(weights).toContainEqual({ list: 'bm25', weight: 1, reason: 'lexical anchor' });
      // BM25's head is not pinned above a semantic peer.
      expect(weights.find((entry) => entry.list === 'bm25')!.reason).not.toContain('stay on top');
    }
    expect(response.hits.some((hit) => hit.explanation.lists.some((list) => list.list === 'vector'))).toBe(true);
  });

  it('leaves a lexical embedder out while BM25 has candidates, and says why', async () => {
    const response = await lexical.runtime.search.search(lexicalTenant.id, request);
    expect(response.hits[0]?.fileName).toBe('lovelace.md');
    for (const hit of response.hits) {
      const weights = hit.explanation.weights ?? [];
      expect(weights).toContainEqual({ list: 'vector', weight: 0, reason: expect.stringContaining('lexical embedder') });
      expect(hit.explanation.lists.some((list) => list.list === 'vector')).toBe(false);
    }
  });
});
