import type { Queryable } from '../core/database.js';
import { insertEntityVertices, upsertRelationEdges } from '../db/graph/graph-bulk-writer.js';
import { vectorLiteral } from '../db/vector-literal.js';
import type { PreparedDocument } from './prepared-document.js';

interface RelationAggregate {
  sourceId: number;
  targetId: number;
  weight: number;
  chunkWeights: Map<number, number>;
  description: string;
}

/**
 * Writes a prepared document into the indexes in bulk statements: chunks with vectors, postings,
 * term and corpus statistics, entities (merged by normalised name), mentions, relations (merged by
 * entity pair) and their graph vertices and edges. Concurrent writers merge instead of
 * duplicating: entities and relations are upserted on their unique keys, in sorted order, so two
 * documents naming the same pair at once wait for each other rather than deadlock or duplicate.
 * Call inside the tenant's transaction with the graph search path set, after removing any
 * previous index of the document.
 */
export async function writeDocumentIndex(
  transaction: Queryable,
  tenantId: string,
  documentId: string,
  graph: string,
  prepared: PreparedDocument,
): Promise<{ chunkIds: number[]; entityCount: number; relationCount: number }> {
  const chunkRows = prepared.chunks.map((chunk) => ({
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
  }));
  const inserted = await transaction.query<{ id: number; chunk_index: number }>(
    `INSERT INTO chunks (tenant_id, document_id, chunk_index, text, content, section_path, pages, start_offset,
                         end_offset, token_count, language, term_count, embedding, embedding_model)
     SELECT $1, $2, c.chunk_index, c.text, c.content, c.section_path, c.pages, c.start_offset, c.end_offset,
            c.token_count, c.language, c.term_count, c.embedding::vector, $4
     FROM jsonb_to_recordset($3::jsonb) AS c(chunk_index int, text text, content text, section_path text[],
          pages int[], start_offset int, end_offset int, token_count int, language text, term_count int, embedding text)
     RETURNING id, chunk_index`,
    [tenantId, documentId, JSON.stringify(chunkRows), prepared.embeddingModel],
  );
  const chunkIdByIndex = new Map(inserted.rows.map((row) => [row.chunk_index, row.id]));
  const chunkId = (index: number): number => {
    const id = chunkIdByIndex.get(index);
    if (id === undefined) throw new Error(`chunk ${index} was not inserted`);
    return id;
  };

  // Entities: aggregate per normalised name over the document, upsert in name order.
  const entityTotals = new Map<string, { name: string; type: string; count: number; description: string }>();
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
  const entityNames = [...entityTotals.keys()].sort();
  const entityIdByName = new Map<string, number>();
  if (entityNames.length > 0) {
    const entityRows = entityNames.map((normalizedName) => {
      const total = entityTotals.get(normalizedName)!;
      const embedding = prepared.entityEmbeddings.get(normalizedName);
      return {
        normalized_name: normalizedName,
        name: total.name,
        type: total.type,
        mention_count: total.count,
        description: prepared.entityDescriptions.get(normalizedName) ?? total.description,
        embedding: embedding ? vectorLiteral(embedding) : null,
      };
    });
    const upserted = await transaction.query<{
      id: number;
      normalized_name: string;
      name: string;
      type: string;
      graph_vertex_id: number | null;
    }>(
      `INSERT INTO entities (tenant_id, name, normalized_name, type, mention_count, description, embedding)
       SELECT $1, e.name, e.normalized_name, e.type, e.mention_count, e.description, e.embedding::vector
       FROM jsonb_to_recordset($2::jsonb) AS e(normalized_name text, name text, type text, mention_count int,
            description text, embedding text)
       ORDER BY e.normalized_name
       ON CONFLICT (tenant_id, normalized_name) DO UPDATE SET
         mention_count = entities.mention_count + excluded.mention_count,
         type = CASE WHEN entities.type = 'other' THEN excluded.type ELSE entities.type END,
         description = CASE WHEN excluded.description <> '' THEN excluded.description ELSE entities.description END,
         embedding = coalesce(entities.embedding, excluded.embedding),
         updated_at = now()
       RETURNING id, normalized_name, name, type, graph_vertex_id`,
      [tenantId, JSON.stringify(entityRows)],
    );
    for (const row of upserted.rows) entityIdByName.set(row.normalized_name, row.id);
    await insertEntityVertices(
      transaction,
      graph,
      upserted.rows
        .filter((row) => row.graph_vertex_id === null)
        .map((row) => ({ entityId: row.id, name: row.name, type: row.type })),
    );

    const mentionEntityIds: number[] = [];
    const mentionChunkIds: number[] = [];
    const mentionCounts: number[] = [];
    for (const chunk of prepared.chunks) {
      const perEntity = new Map<number, number>();
      for (const mention of chunk.entities) {
        const entityId = entityIdByName.get(mention.normalizedName)!;
        perEntity.set(entityId, (perEntity.get(entityId) ?? 0) + mention.count);
      }
      for (const [entityId, count] of perEntity) {
        mentionEntityIds.push(entityId);
        mentionChunkIds.push(chunkId(chunk.index));
        mentionCounts.push(count);
      }
    }
    await transaction.query(
      `INSERT INTO entity_mentions (tenant_id, entity_id, chunk_id, document_id, mention_count)
       SELECT $1, m.entity_id, m.chunk_id, $2, m.mention_count
       FROM unnest($3::bigint[], $4::bigint[], $5::int[]) AS m(entity_id, chunk_id, mention_count)`,
      [tenantId, documentId, mentionEntityIds, mentionChunkIds, mentionCounts],
    );
  }

  // Relations: canonical pair (smaller entity id first), aggregated over the document.
  const relations = new Map<string, RelationAggregate>();
  for (const chunk of prepared.chunks) {
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
      const id = chunkId(chunk.index);
      aggregate.chunkWeights.set(id, (aggregate.chunkWeights.get(id) ?? 0) + relation.weight);
      if (!aggregate.description && relation.description) aggregate.description = relation.description;
    }
  }
  const sortedRelations = [...relations.values()].sort(
    (left, right) => left.sourceId - right.sourceId || left.targetId - right.targetId,
  );
  if (sortedRelations.length > 0) {
    const upserted = await transaction.query<{ id: number; source_entity_id: number; target_entity_id: number }>(
      `INSERT INTO relations (tenant_id, source_entity_id, target_entity_id, weight, chunk_count, description)
       SELECT $1, r.source_id, r.target_id, r.weight, r.chunk_count, r.description
       FROM unnest($2::bigint[], $3::bigint[], $4::float8[], $5::int[], $6::text[])
            AS r(source_id, target_id, weight, chunk_count, description)
       ORDER BY r.source_id, r.target_id
       ON CONFLICT (tenant_id, source_entity_id, target_entity_id) DO UPDATE SET
         weight = relations.weight + excluded.weight,
         chunk_count = relations.chunk_count + excluded.chunk_count,
         description = CASE WHEN relations.description = '' THEN excluded.description ELSE relations.description END,
         updated_at = now()
       RETURNING id, source_entity_id, target_entity_id`,
      [
        tenantId,
        sortedRelations.map((relation) => relation.sourceId),
        sortedRelations.map((relation) => relation.targetId),
        sortedRelations.map((relation) => relation.weight),
        sortedRelations.map((relation) => relation.chunkWeights.size),
        sortedRelations.map((relation) => relation.description),
      ],
    );
    const relationIdByPair = new Map(
      upserted.rows.map((row) => [`${row.source_entity_id}:${row.target_entity_id}`, row.id]),
    );
    const mentionRelationIds: number[] = [];
    const mentionChunkIds: number[] = [];
    const mentionWeights: number[] = [];
    for (const relation of sortedRelations) {
      const relationId = relationIdByPair.get(`${relation.sourceId}:${relation.targetId}`)!;
      for (const [id, weight] of relation.chunkWeights) {
        mentionRelationIds.push(relationId);
        mentionChunkIds.push(id);
        mentionWeights.push(weight);
      }
    }
    await transaction.query(
      `INSERT INTO relation_mentions (tenant_id, relation_id, chunk_id, document_id, weight)
       SELECT $1, m.relation_id, m.chunk_id, $2, m.weight
       FROM unnest($3::bigint[], $4::bigint[], $5::float8[]) AS m(relation_id, chunk_id, weight)`,
      [tenantId, documentId, mentionRelationIds, mentionChunkIds, mentionWeights],
    );
    await upsertRelationEdges(transaction, graph, [...relationIdByPair.values()]);
  }

  // Postings and statistics last: the statistics rows are the most contended, so hold them briefly.
  const postingTerms: string[] = [];
  const postingChunkIds: number[] = [];
  const postingFrequencies: number[] = [];
  const postingLengths: number[] = [];
  let totalLength = 0;
  for (const chunk of prepared.chunks) {
    const id = chunkId(chunk.index);
    totalLength += chunk.termCount;
    for (const [term, frequency] of chunk.terms) {
      postingTerms.push(term);
      postingChunkIds.push(id);
      postingFrequencies.push(frequency);
      postingLengths.push(Math.max(1, chunk.termCount));
    }
  }
  if (postingTerms.length > 0) {
    await transaction.query(
      `INSERT INTO chunk_terms (tenant_id, term, chunk_id, term_frequency, chunk_length)
       SELECT $1, p.term, p.chunk_id, p.term_frequency, p.chunk_length
       FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) AS p(term, chunk_id, term_frequency, chunk_length)`,
      [tenantId, postingTerms, postingChunkIds, postingFrequencies, postingLengths],
    );
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
    [tenantId, prepared.chunks.length, totalLength],
  );
  return { chunkIds: inserted.rows.map((row) => row.id), entityCount: entityNames.length, relationCount: relations.size };
}
