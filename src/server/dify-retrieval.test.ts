import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import {
  bearer,
  createTestPlatform,
  waitForDocuments,
  type TestPlatform,
} from '../../test/support/test-platform.js';
import type { Collection } from '../collections/collection-service.js';
import type { Tenant } from '../tenancy/tenant-service.js';
import type { DifyRecord } from './routes/dify-retrieval-routes.js';

interface DifyError {
  error_code: number;
  error_msg: string;
  code: string;
}

// A Dify-shaped corpus: a handbook collection with metadata Dify can filter on, a second collection
// of the same tenant, and another tenant whose document matches every query below.
const handbook = {
  'leave.md': {
    text: '# Leave policy\n\nEmployees receive twenty-five days of paid annual leave. Unused leave carries over until March.',
    metadata: { department: 'hr', year: 2024, tags: ['policy', 'leave'] },
  },
  'expenses.md': {
    text: '# Travel expenses\n\nTravel expenses are reimbursed within thirty days when the receipts are submitted.',
    metadata: { department: 'finance', year: 2022, tags: ['policy', 'travel'] },
  },
  'security.md': {
    text: '# Laptop security\n\nLaptops must use full-disk encryption. Report a lost laptop to security at once.',
    metadata: { department: 'it', year: 2023 },
  },
};

describeEachDriver('Dify External Knowledge API', (driver) => {
  let platform: TestPlatform;
  let tenant: Tenant;
  let other: Tenant;
  let readerKey: string;
  let otherKey: string;
  let collection: Collection;
  let otherCollection: Collection;
  let foreignCollection: Collection;
  const documentIds = new Map<string, string>();

  const retrieve = (authorization: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    platform.app.inject({
      method: 'POST',
      url: '/retrieval',
      headers: { ...(authorization === undefined ? {} : { authorization }), ...headers },
      payload: body as Record<string, unknown>,
    });

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    const { runtime } = platform;
    tenant = await runtime.tenants.create({ slug: 'acme', name: 'Acme' });
    other = await runtime.tenants.create({ slug: 'globex', name: 'Globex' });
    readerKey = (await runtime.keys.create({ name: 'dify', role: 'reader', tenantId: tenant.id })).key;
    otherKey = (await runtime.keys.create({ name: 'dify', role: 'reader', tenantId: other.id })).key;
    await runtime.startWorker();
    collection = await runtime.collections.create(tenant.id, {
      name: 'handbook',
      description: '',
      metadata: {},
    });
    otherCollection = await runtime.collections.create(tenant.id, {
      name: 'misc',
      description: '',
      metadata: {},
    });
    foreignCollection = await runtime.collections.create(other.id, {
      name: 'handbook',
      description: '',
      metadata: {},
    });
    for (const [fileName, { text, metadata }] of Object.entries(handbook)) {
      const [result] = await runtime.documents.intake(tenant.id, [{ fileName, bytes: Buffer.from(text) }], {
        collection: collection.id,
        metadata,
      });
      documentIds.set(fileName, result!.id);
    }
    const [misc] = await runtime.documents.intake(
      tenant.id,
      [
        {
          fileName: 'canteen.md',
          bytes: Buffer.from('# Canteen\n\nThe canteen serves annual leave cake on Fridays.'),
        },
      ],
      { collection: otherCollection.id },
    );
    const [foreign] = await runtime.documents.intake(
      other.id,
      [
        {
          fileName: 'globex.md',
          bytes: Buffer.from('Paid annual leave travel expenses laptop encryption receipts.'),
        },
      ],
      { collection: foreignCollection.id },
    );
    await waitForDocuments(runtime, tenant.id, [...documentIds.values(), misc!.id]);
    await waitForDocuments(runtime, other.id, [foreign!.id]);
  }, 600_000);
  afterAll(() => platform?.dispose());

  it('answers a Dify request with records: content, a 0–1 score, title and metadata', async () => {
    const response = await retrieve(`Bearer ${readerKey}`, {
      knowledge_id: collection.id,
      query: 'How many days of paid annual leave do employees get?',
      retrieval_setting: { top_k: 2, score_threshold: 0 },
    });
    expect(response.statusCode, response.body).toBe(200);
    const { records } = response.json<{ records: DifyRecord[] }>();
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(2);
    const [best] = records;
    expect(best!.content).toContain('twenty-five days of paid annual leave');
    expect(best!.title).toBe('Leave policy');
    expect(best!.score).toBe(1);
    expect(best!.metadata).toMatchObject({
      department: 'hr',
      year: 2024,
      document_id: documentIds.get('leave.md'),
      file_name: 'leave.md',
      collection_id: collection.id,
    });
    for (const record of records) {
      expect(record.score).toBeGreaterThanOrEqual(0);
      expect(record.score).toBeLessThanOrEqual(1);
      expect(record.metadata).not.toBeNull();
      // Only the named collection: the canteen (other collection) and Globex never appear.
      expect(record.content).not.toContain('canteen');
      expect(record.content).not.toContain('Globex');
    }
    expect(records.map((record) => record.score)).toEqual(
      [...records.map((record) => record.score)].sort((a, b) => b - a),
    );
  });

  it('accepts the collection name as knowledge_id and honours top_k and score_threshold', async () => {
    const all = await retrieve(`Bearer ${readerKey}`, {
      knowledge_id: 'handbook',
      query: 'policy leave travel laptop',
      retrieval_setting: { top_k: 10, score_threshold: 0 },
    });
    expect(all.statusCode, all.body).toBe(200);
    const allRecords = all.json<{ records: DifyRecord[] }>().records;
    expect(allRecords.length).toBeGreaterThan(1);
    const one = await retrieve(`Bearer ${readerKey}`, {
      knowledge_id: 'handbook',
      query: 'policy leave travel laptop',
      retrieval_setting: { top_k: 1, score_threshold: 0 },
    });
    expect(one.json<{ records: DifyRecord[] }>().records).toHaveLength(1);
    // A threshold above the weaker records' scores drops them.
    const weakest = Math.min(...allRecords.map((record) => record.score));
    expect(weakest).toBeLessThan(1);
    const strict = await retrieve(`Bearer ${readerKey}`, {
      knowledge_id: 'handbook',
      query: 'policy leave travel laptop',
      retrieval_setting: { top_k: 10, score_threshold: weakest + 0.0001 },
    });
    const strictRecords = strict.json<{ records: DifyRecord[] }>().records;
    expect(strictRecords.length).toBeLessThan(allRecords.length);
    expect(strictRecords.every((record) => record.score > weakest)).toBe(true);
  });

  it('filters by metadata_condition with and/or and Dify operators', async () => {
    const query = 'policy leave travel expenses laptop encryption';
    const titles = async (metadata_condition: unknown) => {
      const response = await retrieve(`Bearer ${readerKey}`, {
        knowledge_id: collection.id,
        query,
        retrieval_setting: { top_k: 10, score_threshold: 0 },
        metadata_condition,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response
        .json<{ records: DifyRecord[] }>()
        .records.map((record) => record.title)
        .sort();
    };
    expect(
      await titles({ conditions: [{ name: 'department', comparison_operator: 'is', value: 'hr' }] }),
    ).toEqual(['Leave policy']);
    expect(
      await titles({
        logical_operator: 'or',
        conditions: [
          { name: 'department', comparison_operator: 'is', value: 'it' },
          { name: 'year', comparison_operator: '<', value: 2023 },
        ],
      }),
    ).toEqual(['Laptop security', 'Travel expenses']);
    expect(
      await titles({
        logical_operator: 'and',
        conditions: [
          { name: 'tags', comparison_operator: 'contains', value: 'policy' },
          { name: 'year', comparison_operator: '≥', value: '2024' },
        ],
      }),
    ).toEqual(['Leave policy']);
    expect(await titles({ conditions: [{ name: 'tags', comparison_operator: 'empty' }] })).toEqual([
      'Laptop security',
    ]);
  });

  it('returns an empty list when nothing matches', async () => {
    const response = await retrieve(`Bearer ${readerKey}`, {
      knowledge_id: collection.id,
      query: 'xylophone zeppelin quasar',
      retrieval_setting: { top_k: 5, score_threshold: 0.5 },
      mode: 'bm25',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ records: [] });
  });

  it("answers Dify's error codes: 1001 bad header, 1002 bad key, 2001 unknown knowledge", async () => {
    const body = {
      knowledge_id: collection.id,
      query: 'leave',
      retrieval_setting: { top_k: 3, score_threshold: 0 },
    };
    const missing = await retrieve(undefined, body);
    expect(missing.statusCode).toBe(403);
    expect(missing.json<DifyError>()).toMatchObject({ error_code: 1001, code: 'missing_credentials' });
    const malformed = await retrieve(`Token ${readerKey}`, body);
    expect(malformed.statusCode).toBe(403);
    expect(malformed.json<DifyError>().error_code).toBe(1001);
    const wrong = await retrieve('Bearer rhz_notakey_000000', body);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json<DifyError>()).toMatchObject({ error_code: 1002, code: 'invalid_credentials' });
    const unknown = await retrieve(`Bearer ${readerKey}`, { ...body, knowledge_id: 'no-such-collection' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<DifyError>()).toMatchObject({ error_code: 2001, code: 'collection_not_found' });
    expect(unknown.json<DifyError>().error_msg).toContain('no-such-collection');
  });

  it("never shows another tenant's collection: its id is unknown knowledge", async () => {
    const body = { query: 'paid annual leave', retrieval_setting: { top_k: 3, score_threshold: 0 } };
    const foreign = await retrieve(`Bearer ${readerKey}`, { ...body, knowledge_id: foreignCollection.id });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<DifyError>().error_code).toBe(2001);
    const own = await retrieve(`Bearer ${otherKey}`, { ...body, knowledge_id: foreignCollection.id });
    expect(own.statusCode, own.body).toBe(200);
    const records = own.json<{ records: DifyRecord[] }>().records;
    expect(records.map((record) => record.metadata.file_name)).toEqual(['globex.md']);
    // Naming the other tenant in the header does not widen a tenant key.
    const widened = await retrieve(
      `Bearer ${readerKey}`,
      { ...body, knowledge_id: foreignCollection.id },
      {
        'x-rhizome-tenant': other.slug,
      },
    );
    expect(widened.statusCode).toBe(403);
    expect(widened.json<DifyError>().error_code).toBe(1002);
  });

  it('lets a platform admin key retrieve only with X-Rhizome-Tenant', async () => {
    const body = {
      knowledge_id: 'handbook',
      query: 'paid annual leave',
      retrieval_setting: { top_k: 1, score_threshold: 0 },
    };
    const unnamed = await retrieve(`Bearer ${platform.adminKey}`, body);
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json<DifyError>()).toMatchObject({ error_code: 400, code: 'validation_failed' });
    const named = await retrieve(`Bearer ${platform.adminKey}`, body, { 'x-rhizome-tenant': 'globex' });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json<{ records: DifyRecord[] }>().records[0]!.metadata.file_name).toBe('globex.md');
  });

  it('rejects malformed requests with 400 and the offending fields', async () => {
    const cases: [unknown, string][] = [
      [{ knowledge_id: collection.id, retrieval_setting: { top_k: 3, score_threshold: 0 } }, 'body.query'],
      [{ knowledge_id: collection.id, query: 'leave' }, 'body.retrieval_setting'],
      [
        { knowledge_id: collection.id, query: 'leave', retrieval_setting: { top_k: 0, score_threshold: 0 } },
        'body.retrieval_setting.top_k',
      ],
      [
        { knowledge_id: collection.id, query: 'leave', retrieval_setting: { top_k: 3, score_threshold: 2 } },
        'body.retrieval_setting.score_threshold',
      ],
      [
        {
          knowledge_id: collection.id,
          query: 'leave',
          retrieval_setting: { top_k: 3, score_threshold: 0 },
          metadata_condition: {
            conditions: [{ name: 'department', comparison_operator: 'resembles', value: 'hr' }],
          },
        },
        'body.metadata_condition.conditions.0.comparison_operator',
      ],
    ];
    for (const [body, field] of cases) {
      const response = await retrieve(`Bearer ${readerKey}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      const error = response.json<DifyError & { fields: { path: string }[] }>();
      expect(error.code).toBe('validation_failed');
      expect(error.fields.map((issue) => issue.path)).toContain(field);
    }
    const notJson = await platform.app.inject({
      method: 'POST',
      url: '/retrieval',
      headers: { ...bearer(readerKey), 'content-type': 'application/json' },
      payload: '{"knowledge_id":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json<DifyError>()).toMatchObject({ error_code: 400, code: 'invalid_request' });
  });
});
