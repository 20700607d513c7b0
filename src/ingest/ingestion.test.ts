import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import JSZip from 'jszip';
import { describeEachDriver, silentLogger } from '../../test/support/test-databases.js';
import { reconcileEmbeddingModel } from './reconcile-embedding-model.js';
import { createTestPlatform, waitForDocuments, type TestPlatform } from '../../test/support/test-platform.js';
import { expectConsistent, indexCounts } from '../../test/support/index-counts.js';
import type { Tenant } from '../tenancy/tenant-service.js';

const sharedDocuments = resolve(import.meta.dirname, '../../../shared/data/documents');

const lovelace = `# Ada Lovelace

Ada Lovelace worked with Charles Babbage on the Analytical Engine in London.
Charles Babbage designed the Analytical Engine; Ada Lovelace wrote the first published program for it.
`;
const turing = `# Alan Turing

Turing studied at King's College in Cambridge. He later worked at Bletchley Park,
near London, and admired the work of Charles Babbage.
`;
const chinese = `# 清华大学

清华大学位于北京。清华大学是中国著名的高等学府，北京还有北京大学。
`;

async function zipBomb(): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file('word/document.xml', '<w:document>' + ' '.repeat(40 * 1024 * 1024) + '</w:document>');
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

describeEachDriver('ingestion end to end', (driver) => {
  let platform: TestPlatform;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    platform = await createTestPlatform(driver, { RHIZOME_MAX_UNCOMPRESSED_BYTES: String(8 * 1024 * 1024) });
    tenant = await platform.runtime.tenants.create({ slug: 'ingest', name: 'Ingest' });
    other = await platform.runtime.tenants.create({ slug: 'bystander', name: 'Bystander' });
    await platform.runtime.startWorker();
  });
  afterAll(() => platform.dispose());

  it('indexes documents into chunks, postings, statistics, entities and graph edges; delete restores the counts', async () => {
    const { runtime, database } = platform;
    const before = await indexCounts(database, tenant.id);
    const intake = await runtime.documents.intake(tenant.id, [
      { fileName: 'lovelace.md', bytes: Buffer.from(lovelace) },
      { fileName: 'turing.md', bytes: Buffer.from(turing) },
      { fileName: 'tsinghua.md', bytes: Buffer.from(chinese) },
    ]);
    expect(intake.map((result) => result.status)).toEqual(['queued', 'queued', 'queued']);
    const records = await waitForDocuments(runtime, tenant.id, intake.map((result) => result.id));
    expect(records.map((record) => [record.fileName, record.status, record.errorMessage])).toEqual([
      ['lovelace.md', 'indexed', null],
      ['turing.md', 'indexed', null],
      ['tsinghua.md', 'indexed', null],
    ]);
    expect(records.map((record) => record.title)).toEqual(['Ada Lovelace', 'Alan Turing', '清华大学']);
    expect(records[2]!.language).toBe('zh');

    const after = await indexCounts(database, tenant.id);
    expectConsistent(after, expect);
    expect(after.documents).toBe(3);
    expect(after.chunks).toBe(3);
    const entityNames = (
      await database.query<{ normalized_name: string; mention_count: number }>(
        'SELECT normalized_name, mention_count FROM entities WHERE tenant_id = $1 ORDER BY 1',
        [tenant.id],
      )
    ).rows;
    const names = entityNames.map((row) => row.normalized_name);
    expect(names).toEqual(expect.arrayContaining(['ada lovelace', 'charles babbage', 'alan turing', '清华大学', '北京']));
    // "Alan Turing" is only the title of its document, whose text says "Turing": the title names
    // the chunk's topic, and the short form folds into it.
    expect(names).not.toContain('turing');
    expect(entityNames.find((row) => row.normalized_name === 'alan turing')?.mention_count).toBe(2);
    // Charles Babbage is named in two documents but is one entity, mentioned from both chunks.
    const babbage = await database.query<{ chunks: number; documents: number }>(
      `SELECT count(*)::int AS chunks, count(DISTINCT m.document_id)::int AS documents
       FROM entity_mentions m JOIN entities e ON e.id = m.entity_id
       WHERE e.tenant_id = $1 AND e.normalized_name = 'charles babbage'`,
      [tenant.id],
    );
    expect(babbage.rows).toEqual([{ chunks: 2, documents: 2 }]);
    expect(entityNames.filter((row) => row.normalized_name.includes('babbage'))).toHaveLength(1);
    const pair = await database.query<{ chunk_count: number }>(
      `SELECT r.chunk_count FROM relations r
       JOIN entities a ON a.id = r.source_entity_id JOIN entities b ON b.id = r.target_entity_id
       WHERE r.tenant_id = $1 AND ARRAY[a.normalized_name, b.normalized_name] @> ARRAY['ada lovelace', 'charles babbage']`,
      [tenant.id],
    );
    expect(pair.rows).toEqual([{ chunk_count: 1 }]);
    const postings = await database.query<{ term: string }>(
      `SELECT DISTINCT term FROM chunk_terms WHERE tenant_id = $1 AND term = ANY($2::text[]) ORDER BY 1`,
      [tenant.id, ['analyt', 'babbag', '清华大学', '北京']],
    );
    expect(postings.rows.map((row) => row.term)).toEqual(['analyt', 'babbag', '北京', '清华大学']);

    // Re-uploading the same bytes creates nothing.
    const again = await runtime.documents.intake(tenant.id, [{ fileName: 'copy.md', bytes: Buffer.from(lovelace) }]);
    expect(again[0]).toMatchObject({ id: intake[0]!.id, duplicate: true });
    expect(await indexCounts(database, tenant.id)).toEqual(after);

    // Deleting everything restores the counts exactly, the other tenant untouched throughout.
    for (const result of intake) await runtime.documents.delete(tenant.id, result.id);
    expect(await indexCounts(database, tenant.id)).toEqual(before);
    expect((await indexCounts(database, other.id)).documents).toBe(0);
  });

  it('replaces the index of a document whose bytes change under the same source key', async () => {
    const { runtime, database } = platform;
    const first = await runtime.documents.intake(tenant.id, [{ fileName: 'notes.md', bytes: Buffer.from(lovelace) }], {
      sourceKey: 'notes/people.md',
    });
    await waitForDocuments(runtime, tenant.id, [first[0]!.id]);
    const second = await runtime.documents.intake(tenant.id, [{ fileName: 'notes.md', bytes: Buffer.from(turing) }], {
      sourceKey: 'notes/people.md',
    });
    expect(second[0]).toMatchObject({ id: first[0]!.id, replaced: true, duplicate: false });
    const [record] = await waitForDocuments(runtime, tenant.id, [first[0]!.id]);
    expect(record!.status).toBe('indexed');
    const counts = await indexCounts(database, tenant.id);
    expectConsistent(counts, expect);
    expect(counts.documents).toBe(1);
    const names = (
      await database.query<{ normalized_name: string }>('SELECT normalized_name FROM entities WHERE tenant_id = $1', [
        tenant.id,
      ])
    ).rows.map((row) => row.normalized_name);
    expect(names).toContain('alan turing');
    expect(names).not.toContain('ada lovelace');
    await runtime.documents.delete(tenant.id, first[0]!.id);
  });

  it('fails bad files with a clear reason and leaves the good ones alone', async () => {
    const { runtime } = platform;
    const pdfBytes = existsSync(join(sharedDocuments, 'test.pdf'))
      ? readFileSync(join(sharedDocuments, 'test.pdf'))
      : Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF');
    const intake = await runtime.documents.intake(tenant.id, [
      { fileName: 'empty.txt', bytes: Buffer.alloc(0) },
      { fileName: 'program.exe', bytes: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0xff, 0xff]) },
      { fileName: 'report.docx', bytes: pdfBytes },
      { fileName: 'broken.pdf', bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2_000, 7)]) },
      { fileName: 'bomb.docx', bytes: await zipBomb() },
      { fileName: 'fine.md', bytes: Buffer.from('# Fine\n\nThis document about Grace Hopper is fine.') },
    ]);
    const records = await waitForDocuments(runtime, tenant.id, intake.map((result) => result.id));
    const outcome = Object.fromEntries(records.map((record) => [record.fileName, [record.status, record.errorCode]]));
    expect(outcome).toEqual({
      'empty.txt': ['failed', 'empty_document'],
      'program.exe': ['failed', 'unsupported_format'],
      'report.docx': ['failed', 'format_mismatch'],
      'broken.pdf': ['failed', 'corrupt_document'],
      'bomb.docx': ['failed', 'archive_too_large'],
      'fine.md': ['indexed', null],
    });
    for (const record of records.filter((record) => record.status === 'failed')) {
      expect(record.errorMessage!.length).toBeGreaterThan(10);
      expect(record.chunkCount).toBe(0);
    }
    expectConsistent(await indexCounts(platform.database, tenant.id), expect);
    for (const result of intake) await runtime.documents.delete(tenant.id, result.id);
  });

  it('re-embeds every document when the embedding model changes, never mixing vector spaces', async () => {
    const { runtime, database } = platform;
    const intake = await runtime.documents.intake(tenant.id, [
      { fileName: 'model.md', bytes: Buffer.from('# Models\n\nEmbedding models map text to vectors.') },
    ]);
    await waitForDocuments(runtime, tenant.id, [intake[0]!.id]);
    // Pretend the database was filled by another model.
    await database.query(`UPDATE rhizome_settings SET value = jsonb_set(value, '{model}', '"old-model"') WHERE key = 'embedding'`);
    await database.query(`UPDATE documents SET embedding_model = 'old-model' WHERE id = $1`, [intake[0]!.id]);
    await database.query(`UPDATE chunks SET embedding_model = 'old-model' WHERE document_id = $1`, [intake[0]!.id]);
    const stale = await runtime.search.search(tenant.id, { query: 'embedding models vectors', mode: 'naive', k: 5 });
    expect(stale.hits.map((hit) => hit.documentId)).not.toContain(intake[0]!.id);

    const queued = await reconcileEmbeddingModel(database, runtime.embedder, runtime.queue, silentLogger);
    expect(queued).toBeGreaterThanOrEqual(1);
    const [record] = await waitForDocuments(runtime, tenant.id, [intake[0]!.id]);
    expect(record!.status).toBe('indexed');
    const models = await database.query<{ embedding_model: string }>(
      'SELECT DISTINCT embedding_model FROM chunks WHERE document_id = $1',
      [intake[0]!.id],
    );
    expect(models.rows).toEqual([{ embedding_model: runtime.embedder.model }]);
    const settings = await database.query<{ model: string }>(
      "SELECT value->>'model' AS model FROM rhizome_settings WHERE key = 'embedding'",
    );
    expect(settings.rows[0]!.model).toBe(runtime.embedder.model);
    const fresh = await runtime.search.search(tenant.id, { query: 'embedding models vectors', mode: 'naive', k: 5 });
    expect(fresh.hits[0]!.documentId).toBe(intake[0]!.id);
    expect(await reconcileEmbeddingModel(database, runtime.embedder, runtime.queue, silentLogger)).toBe(0);
    await runtime.documents.delete(tenant.id, intake[0]!.id);
  });

  it.skipIf(!existsSync(sharedDocuments))('ingests every real document of the shared set', async () => {
    const { runtime } = platform;
    const files = readdirSync(sharedDocuments)
      .filter((name) => /\.(pdf|docx|pptx|xlsx|epub|html|xml)$/.test(name))
      .map((name) => ({ fileName: name, bytes: readFileSync(join(sharedDocuments, name)) }));
    const intake = await runtime.documents.intake(tenant.id, files);
    const records = await waitForDocuments(runtime, tenant.id, intake.map((result) => result.id), 600_000);
    const failed = records.filter((record) => record.status === 'failed');
    expect(failed.map((record) => [record.fileName, record.errorCode])).toEqual([
      ['MEDRPT-2024-PAT-3847_medical_report_scan.pdf', 'needs_ocr'],
    ]);
    expect(failed[0]!.errorMessage).toMatch(/needs OCR/);
    const counts = await indexCounts(platform.database, tenant.id);
    expectConsistent(counts, expect);
    expect(counts.chunks).toBeGreaterThan(files.length);
    expect(counts.edges).toBeGreaterThan(0);
  }, 900_000);
});
