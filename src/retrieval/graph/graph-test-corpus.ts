/**
 * A tiny corpus for the graph and community tests, ingested through the real pipeline so the
 * graph is the one the offline extractor builds. Lovelace and Babbage form a two-hop chain: a
 * question about Ada Lovelace's collaborator is answered by babbage.md, which never names her.
 * Hopper is a second theme; Curie and Turing are two-entity distractors that also say "born";
 * Benjamin Babbage shares a surname with Charles.
 */
import type { DocumentRecord } from '../../ingest/document-service.js';
import type { Runtime } from '../../platform/runtime.js';
import { withTenant } from '../../db/tenant-scope.js';

export const graphTestDocuments = {
  'lovelace.md': 'Ada Lovelace worked with Charles Babbage on the Analytical Engine.\n',
  'babbage.md': 'Charles Babbage was born in London. Charles Babbage designed the Difference Engine.\n',
  'hopper.md':
    'Grace Hopper worked with Howard Aiken at Harvard University. Grace Hopper programmed the Harvard Mark I with Howard Aiken.\n',
  'curie.md': 'Marie Curie was born in Warsaw.\n',
  'turing.md': 'Alan Turing was born in Maida Vale, London.\n',
  'herschel.md': 'John Herschel corresponded with Benjamin Babbage.\n',
} as const;

export type GraphTestFile = keyof typeof graphTestDocuments;

export interface IngestedDocument {
  readonly documentId: string;
  readonly chunkIds: readonly number[];
}

/** test/support's waitForDocuments, passed in: the build compiles src/ alone, without test/. */
export type WaitForDocuments = (
  runtime: Runtime,
  tenantId: string,
  documentIds: readonly string[],
) => Promise<DocumentRecord[]>;

/** Ingests the documents and waits until they are indexed; the worker must be running. */
export async function ingestDocuments(
  runtime: Runtime,
  tenantId: string,
  documents: Readonly<Record<string, string>>,
  waitForDocuments: WaitForDocuments,
): Promise<Map<string, IngestedDocument>> {
  const intake = await runtime.documents.intake(
    tenantId,
    Object.entries(documents).map(([fileName, text]) => ({ fileName, bytes: Buffer.from(text) })),
  );
  const records = await waitForDocuments(
    runtime,
    tenantId,
    intake.map((result) => result.id),
  );
  const failed = records.filter((record) => record.status !== 'indexed');
  if (failed.length > 0)
    throw new Error(`not indexed: ${failed.map((record) => record.fileName).join(', ')}`);
  const chunks = await withTenant(runtime.database, tenantId, (transaction) =>
    transaction.query<{ id: number; document_id: string }>('SELECT id, document_id FROM chunks ORDER BY id'),
  );
  const result = new Map<string, IngestedDocument>();
  for (const record of records) {
    const chunkIds = chunks.rows.filter((row) => row.document_id === record.id).map((row) => row.id);
    result.set(record.fileName, { documentId: record.id, chunkIds });
  }
  return result;
}
