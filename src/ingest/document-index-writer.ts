import type { Queryable } from '../core/database.js';
import { upsertEntitiesWithVertices, upsertRelationsWithEdges } from '../db/graph/graph-bulk-writer.js';
import { vectorLiteral } from '../db/vector-literal.js';
import type { PreparedDocument } from './prepared-document.js';

interface RelationAggregate {
  sourceId: number;
  targetId: number;
  weight: number;
  chunkWeights: Map<number, number>;
  description: string;
}

export interface DocumentToWrite {
  readonly documentId: string;
  readonly prepared: PreparedDocument;
}

export interface WrittenIndex {
  readonly chunkIds: number[];
  readonly entityCount: number;
  readonly relationCount: number;
}

/** Writes one prepared document; see writeDocumentsIndex. */
export async function writeDocumentIndex(
  transaction: Queryable,
  tenantId: string,
  documentId: string,
  graph: string,
  prepared: PreparedDocument,
): Promise<WrittenIndex> {
  return writeDocumentsIndex(transaction, tenantId, graph, [{ documentId, prepared }]);
}

/**
 * Writes prepared documents of one tenant into the indexes in bulk statements — one per table for
 * the whole batch, however many documents it holds: chunks with vectors, postings, term and corpus
 * statistics (exact: each chunk counted once), entities (merged by normalised name) with their
 * vertices, mentions, relations (merged by entity pair) with their edges. Entity and relation rows
 * are written once, complete (see upsertEntitiesWithVertices). Call inside the tenant's transaction
 * with its index lock held and the graph search path set, after removing any previous index of
 * these documents.
 */
export async function writeDocumentsIndex(
  transaction: Queryable,
  tenantId: string,
  graph: string,
  documents: readonly DocumentToWrite[],
): Promise<WrittenIndex> {
  const chunkRows = documents.flatMap(({ documentId, prepared }) =>
    prepared.chunks.map((chunk) => ({
      document_id: documentId,
      chunk_index: chunk.index,
      text: chunk.text,
      content: chunk.content,
      section_path: chunk.sectionPath,
      pages: chunk.pages,
      start_offset: chunk.startOffset,
      end_offset: chunk.endOffset,
      token_count: chunk.tokenCount,
      language: chunk.language,
      term_count: chunk.termCount,
      embedding: vectorLiteral(chunk.embedding),
      embedding_model: prepared.embeddingModel,
    })),
  );
  if (chunkRows.length === 0) return { chunkIds: [], entityCount: 0, relationCount: 0 };
  const inserted = await transaction.query<{ id: number; document_id: string; chunk_index: number }>(
    `INSERT INTO chunks (tenant_id, document_id, chunk_index, text, content, section_path, pages, start_offset,
                         end_offset, token_count, language, term_count, embedding, embedding_model)
     SELECT $1, c.document_id, c.chunk_index, c.text, c.content, c.section_path, c.pages, c.start_offset,
            c.end_offset, c.token_count, c.language, c.term_count, c.embedding::vector, c.embedding_model
     FROM jsonb_to_recordset($2::jsonb) AS c(document_id uuid, chunk_index int, text text, content text,
          section_path text[], pages int[], start_offset int, end_offset int, token_count int, language text,
          term_count int, embedding text, embedding_model text)
     RETURNING id, document_id, chunk_index`,
    [tenantId, JSON.stringify(chunkRows)],
  );
  const chunkIdByKey = new Map(inserted.rows.map((row) => [`${row.document_id}:${row.chunk_index}`, row.id]));
  const chunkId = (documentId: string, index: number): number => {
    const id = chunkIdByKey.get(`${documentId}:${index}`);
    if (id === undefined) throw new Error(`chunk ${index} of ${documentId} was not inserted`);
    return id;
  };

  // Entities: aggregate per normalised name over the batch, upsert with their vertices.
  const entityTotals = new Map<string, { name: string; type: string; count: number; description: string }>();
  const entityEmbeddings = new Map<string, readonly number[]>();
  const entityDescriptions = new Map<string, string>();
  for (const { prepared } of documents) {
    for (const [name, embedding] of prepared.entityEmbeddings) {
      if (!entityEmbeddings.has(name)) entityEmbeddings.set(name, embedding);
    }
    // Merged descriptions are computed per document against the stored one; within a batch the
    // longest carries the most.
    for (const [name, description] of prepared.entityDescriptions) {
      if ((entityDescriptions.get(name)?.length ?? -1) < description.length) entityDescriptions.set(name, description);
    }
    for (const chunk of prepared.chunks) {
      for (const mention of chunk.entities) {
        const existing = entityTotals.get(mention.normalizedName);
        if (existing) {
          existing.count += mention.count;
          if (existing.type === 'other' && mention.type !== 'other') existing.type = mention.type;
          if (!existing.description && mention.description) existing.description = mention.description;
        } else {
          entityTotals.set(mention.normalizedName, {
            name: mention.name,
            type: mention.type,
            count: mention.count,
            description: mention.description ?? '',
          });
        }
      }
    }
  }
  const entityNames = [...entityTotals.keys()].sort();
  const entityIdByName = new Map<string, number>();
  const vertexIdByEntity = new Map<number, number>();
  if (entityNames.length > 0) {
    const upserted = await upsertEntitiesWithVertices(
      transaction,
      graph,
      tenantId,
      entityNames.map((normalizedName) => {
        const total = entityTotals.get(normalizedName)!;
        const embedding = entityEmbeddings.get(normalizedName);
        return {
          normalizedName,
          name: total.name,
          type: total.type,
          mentionCount: total.count,
          description: entityDescriptions.get(normalizedName) ?? total.description,
          embedding: embedding ? vectorLiteral(embedding) : null,
        };
      }),
    );
    for (const row of upserted) {
      entityIdByName.set(row.normalized_name, row.id);
      vertexIdByEntity.set(row.id, row.graph_vertex_id);
    }

    const mentionEntityIds: number[] = [];
    const mentionChunkIds: number[] = [];
    const mentionDocumentIds: string[] = [];
    const mentionCounts: number[] = [];
    for (const { documentId, prepared } of documents) {
      for (const chunk of prepared.chunks) {
        const perEntity = new Map<number, number>();
        for (const mention of chunk.entities) {
          const entityId = entityIdByName.get(mention.normalizedName)!;
          perEntity.set(entityId, (perEntity.get(entityId) ?? 0) + mention.count);
        }
        for (const [entityId, count] of perEntity) {
          mentionEntityIds.push(entityId);
          mentionChunkIds.push(chunkId(documentId, chunk.index));
          mentionDocumentIds.push(documentId);
          mentionCounts.push(count);
        }
      }
    }
    await transaction.query(
      `INSERT INTO entity_mentions (tenant_id, entity_id, chunk_id, document_id, mention_count)
       SELECT $1, m.entity_id, m.chunk_id, m.document_id, m.mention_count
       FROM unnest($2::bigint[], $3::bigint[], $4::uuid[], $5::int[]) AS m(entity_id, chunk_id, document_id, mention_count)`,
      [tenantId, mentionEntityIds, mentionChunkIds, mentionDocumentIds, mentionCounts],
    );
  }

  // Relations: canonical pair (smaller entity id first), aggregated over the batch.
  const relations = new Map<string, RelationAggregate>();
  const documentOfChunk = new Map<number, string>();
  for (const { documentId, prepared } of documents) {
    for (const chunk of prepared.chunks) {
      const id = chunkId(documentId, chunk.index);
      documentOfChunk.set(id, documentId);
      for (const relation of chunk.relations) {
        const left = entityIdByName.get(relation.source);
        const right = entityIdByName.get(relation.target);
        if (left === undefined || right === undefined || left === right || !(relation.weight > 0)) continue;
        const [sourceId, targetId] = left < right ? [left, right] : [right, left];
        const key = `${sourceId}:${targetId}`;
        let aggregate = relations.get(key);
        if (!aggregate) {
          aggregate = { sourceId, targetId, weight: 0, chunkWeights: new Map(), description: '' };
          relations.set(key, aggregate);
        }
        aggregate.weight += relation.weight;
        aggregate.chunkWeights.set(id, (aggregate.chunkWeights.get(id) ?? 0) + relation.weight);
        if (!aggregate.description && relation.description) aggregate.description = relation.description;
      }
    }
  }
  const sortedRelations = [...relations.values()].sort(
    (left, right) => left.sourceId - right.sourceId || left.targetId - right.targetId,
  );
  if (sortedRelations.length > 0) {
    const upserted = await upsertRelationsWithEdges(
      transaction,
      graph,
      tenantId,
      sortedRelations.map((relation) => ({
        sourceId: relation.sourceId,
        targetId: relation.targetId,
        sourceVertexId: vertexIdByEntity.get(relation.sourceId)!,
        targetVertexId: vertexIdByEntity.get(relation.targetId)!,
        weight: relation.weight,
        chunkCount: relation.chunkWeights.size,
        description: relation.description,
      })),
    );
    const relationIdByPair = new Map(upserted.map((row) => [`${row.source_entity_id}:${row.target_entity_id}`, row.id]));
    const mentionRelationIds: number[] = [];
    const mentionChunkIds: number[] = [];
    const mentionDocumentIds: string[] = [];
    const mentionWeights: number[] = [];
    for (const relation of sortedRelations) {
      const relationId = relationIdByPair.get(`${relation.sourceId}:${relation.targetId}`)!;
      for (const [id, weight] of relation.chunkWeights) {
        mentionRelationIds.push(relationId);
        mentionChunkIds.push(id);
        mentionDocumentIds.push(documentOfChunk.get(id)!);
        mentionWeights.push(weight);
      }
    }
    await transaction.query(
      `INSERT INTO relation_mentions (tenant_id, relation_id, chunk_id, document_id, weight)
       SELECT $1, m.relation_id, m.chunk_id, m.document_id, m.weight
       FROM unnest($2::bigint[], $3::bigint[], $4::uuid[], $5::float8[]) AS m(relation_id, chunk_id, document_id, weight)`,
      [tenantId, mentionRelationIds, mentionChunkIds, mentionDocumentIds, mentionWeights],
    );
  }

  // Postings and statistics last: the statistics rows are the most contended, so hold them briefly.
  const postingTerms: string[] = [];
  const postingChunkIds: number[] = [];
  const postingFrequencies: number[] = [];
  const postingLengths: number[] = [];
  let totalLength = 0;
  let chunkCount = 0;
  for (const { documentId, prepared } of documents) {
    for (const chunk of prepared.chunks) {
      const id = chunkId(documentId, chunk.index);
      chunkCount += 1;
      totalLength += chunk.termCount;
      for (const [term, frequency] of chunk.terms) {
        postingTerms.push(term);
        postingChunkIds.push(id);
        postingFrequencies.push(frequency);
        postingLengths.push(Math.max(1, chunk.termCount));
      }
    }
  }
  if (postingTerms.length > 0) {
    await transaction.query(
      `INSERT INTO chunk_terms (tenant_id, term, chunk_id, term_frequency, chunk_length)
       SELECT $1, p.term, p.chunk_id, p.term_frequency, p.chunk_length
       FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) AS p(term, chunk_id, term_frequency, chunk_length)`,
      [tenantId, postingTerms, postingChunkIds, postingFrequencies, postingLengths],
    );
    // Each (term, chunk) pair appears once in the postings, so counting them is the exact number of
    // chunks that contain the term.
    await transaction.query(
      `INSERT INTO term_statistics (tenant_id, term, chunk_frequency)
       SELECT $1, term, count(*) FROM unnest($2::text[]) AS term GROUP BY term ORDER BY term
       ON CONFLICT (tenant_id, term) DO UPDATE SET chunk_frequency = term_statistics.chunk_frequency + excluded.chunk_frequency`,
      [tenantId, postingTerms],
    );
  }
  await transaction.query(
    `INSERT INTO corpus_statistics (tenant_id, chunk_count, total_length, version) VALUES ($1, $2, $3, 1)
     ON CONFLICT (tenant_id) DO UPDATE SET chunk_count = corpus_statistics.chunk_count + excluded.chunk_count,
       total_length = corpus_statistics.total_length + excluded.total_length,
       version = corpus_statistics.version + 1`,
    [tenantId, chunkCount, totalLength],
  );
  return { chunkIds: inserted.rows.map((row) => row.id), entityCount: entityNames.length, relationCount: relations.size };
}
