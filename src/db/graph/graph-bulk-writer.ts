import type { Queryable } from '../../core/database.js';
import { assertGraphName } from './graph-identifiers.js';
import { entityLabel, relationLabel } from './tenant-graph.js';

/**
 * Bulk writes to a tenant graph through AGE's label tables. Creating edges with Cypher
 * `MATCH … CREATE` ran at about 1,300 edges/s on this machine; one INSERT … SELECT over arrays
 * writes thousands per statement. Vertices and edges carry the relational ids they mirror
 * (`entity_id`, `relation_id`), so Cypher queries can join back to provenance.
 * Call inside a transaction that has run useGraphSearchPath.
 */

/**
 * SQL turning a bigint expression into a graphid. Casting through text fails on 32-bit builds of
 * AGE (PGlite's WASM: graphid_in parses with a 32-bit strtol), so the id is rebuilt from its parts:
 * the label id in the top 16 bits and the entry id in the low 48.
 */
function asGraphid(expression: string): string {
  return `ag_catalog._graphid((${expression} >> 48)::int, ${expression} & 281474976710655)`;
}

export interface EntityRowInput {
  readonly normalizedName: string;
  readonly name: string;
  readonly type: string;
  readonly mentionCount: number;
  readonly description: string;
  /** pgvector text form, or null; only stored when the entity has no vector yet. */
  readonly embedding: string | null;
}

export interface EntityRowOutput {
  readonly id: number;
  readonly normalized_name: string;
  readonly graph_vertex_id: number;
}

/**
 * Upserts entities by normalised name together with their graph vertices, writing each row once:
 * a new entity's id is drawn from its sequence first, so its vertex (which carries `entity_id`) and
 * the entity row (which carries `graph_vertex_id`) are both inserted complete. Inserting the entity
 * and then updating it with its vertex id rewrote the row — and, the pages being full, its HNSW
 * index entry — a second time. Existing entities get their counts and description updated.
 * Call with the tenant's index lock held (no concurrent writer inserts the same name) and the
 * graph search path set.
 */
export async function upsertEntitiesWithVertices(
  transaction: Queryable,
  graph: string,
  tenantId: string,
  entities: readonly EntityRowInput[],
): Promise<EntityRowOutput[]> {
  assertGraphName(graph);
  if (entities.length === 0) return [];
  const rows = entities.map((entity) => ({
    normalized_name: entity.normalizedName,
    name: entity.name,
    type: entity.type,
    mention_count: entity.mentionCount,
    description: entity.description,
    embedding: entity.embedding,
  }));
  const result = await transaction.query<EntityRowOutput>(
    `WITH incoming AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(normalized_name text, name text, type text, mention_count int,
            description text, embedding text)
     ), existing AS (
       UPDATE entities SET
         mention_count = entities.mention_count + i.mention_count,
         type = CASE WHEN entities.type = 'other' THEN i.type ELSE entities.type END,
         description = CASE WHEN i.description <> '' THEN i.description ELSE entities.description END,
         embedding = coalesce(entities.embedding, i.embedding::vector),
         updated_at = now()
       FROM incoming i
       WHERE entities.tenant_id = $1 AND entities.normalized_name = i.normalized_name
       RETURNING entities.id, entities.normalized_name, entities.graph_vertex_id
     ), fresh AS MATERIALIZED (
       SELECT nextval(pg_get_serial_sequence('entities', 'id')) AS id, i.*
       FROM incoming i
       WHERE NOT EXISTS (SELECT 1 FROM entities x WHERE x.tenant_id = $1 AND x.normalized_name = i.normalized_name)
     ), vertices AS (
       INSERT INTO "${graph}"."${entityLabel}" (properties)
       SELECT ag_catalog.agtype_build_map('entity_id', id, 'name', name, 'type', type) FROM fresh
       RETURNING id, properties
     ), inserted AS (
       INSERT INTO entities (id, tenant_id, name, normalized_name, type, mention_count, description, embedding,
                             graph_vertex_id)
       OVERRIDING SYSTEM VALUE
       SELECT f.id, $1, f.name, f.normalized_name, f.type, f.mention_count, f.description, f.embedding::vector,
              v.id::text::bigint
       FROM fresh f
       JOIN vertices v
         ON (ag_catalog.agtype_access_operator(v.properties, '"entity_id"'::ag_catalog.agtype))::text::bigint = f.id
       RETURNING id, normalized_name, graph_vertex_id
     )
     SELECT id, normalized_name, graph_vertex_id FROM existing
     UNION ALL
     SELECT id, normalized_name, graph_vertex_id FROM inserted`,
    [tenantId, JSON.stringify(rows)],
  );
  return result.rows;
}

export interface RelationRowInput {
  readonly sourceId: number;
  readonly targetId: number;
  readonly sourceVertexId: number;
  readonly targetVertexId: number;
  readonly weight: number;
  readonly chunkCount: number;
  readonly description: string;
}

export interface RelationRowOutput {
  readonly id: number;
  readonly source_entity_id: number;
  readonly target_entity_id: number;
}

/**
 * Upserts relations by entity pair together with their graph edges, each row written once (see
 * upsertEntitiesWithVertices); an existing relation adds to its weight and chunk count, and its
 * edge's properties follow. Same preconditions as upsertEntitiesWithVertices.
 */
export async function upsertRelationsWithEdges(
  transaction: Queryable,
  graph: string,
  tenantId: string,
  relations: readonly RelationRowInput[],
): Promise<RelationRowOutput[]> {
  assertGraphName(graph);
  if (relations.length === 0) return [];
  const result = await transaction.query<RelationRowOutput>(
    `WITH incoming AS (
       SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::float8[], $7::int[], $8::text[])
         AS r(source_id, target_id, source_vertex, target_vertex, weight, chunk_count, description)
     ), existing AS (
       UPDATE relations SET
         weight = relations.weight + i.weight,
         chunk_count = relations.chunk_count + i.chunk_count,
         description = CASE WHEN relations.description = '' THEN i.description ELSE relations.description END,
         updated_at = now()
       FROM incoming i
       WHERE relations.tenant_id = $1 AND relations.source_entity_id = i.source_id
         AND relations.target_entity_id = i.target_id
       RETURNING relations.id, relations.source_entity_id, relations.target_entity_id, relations.weight,
                 relations.chunk_count, relations.graph_edge_id
     ), refreshed AS (
       UPDATE "${graph}"."${relationLabel}" AS edge
       SET properties = ag_catalog.agtype_build_map('relation_id', e.id, 'weight', e.weight, 'chunk_count', e.chunk_count)
       FROM existing e
       WHERE e.graph_edge_id IS NOT NULL AND edge.id = ${asGraphid('e.graph_edge_id')}
     ), fresh AS MATERIALIZED (
       SELECT nextval(pg_get_serial_sequence('relations', 'id')) AS id, i.*
       FROM incoming i
       WHERE NOT EXISTS (
         SELECT 1 FROM relations x
         WHERE x.tenant_id = $1 AND x.source_entity_id = i.source_id AND x.target_entity_id = i.target_id)
     ), edges AS (
       INSERT INTO "${graph}"."${relationLabel}" (start_id, end_id, properties)
       SELECT ${asGraphid('source_vertex')}, ${asGraphid('target_vertex')},
              ag_catalog.agtype_build_map('relation_id', id, 'weight', weight, 'chunk_count', chunk_count)
       FROM fresh
       RETURNING id, properties
     ), inserted AS (
       INSERT INTO relations (id, tenant_id, source_entity_id, target_entity_id, weight, chunk_count, description,
                              graph_edge_id)
       OVERRIDING SYSTEM VALUE
       SELECT f.id, $1, f.source_id, f.target_id, f.weight, f.chunk_count, f.description, e.id::text::bigint
       FROM fresh f
       JOIN edges e
         ON (ag_catalog.agtype_access_operator(e.properties, '"relation_id"'::ag_catalog.agtype))::text::bigint = f.id
       RETURNING id, source_entity_id, target_entity_id
     )
     SELECT id, source_entity_id, target_entity_id FROM existing
     UNION ALL
     SELECT id, source_entity_id, target_entity_id FROM inserted`,
    [
      tenantId,
      relations.map((relation) => relation.sourceId),
      relations.map((relation) => relation.targetId),
      relations.map((relation) => relation.sourceVertexId),
      relations.map((relation) => relation.targetVertexId),
      relations.map((relation) => relation.weight),
      relations.map((relation) => relation.chunkCount),
      relations.map((relation) => relation.description),
    ],
  );
  return result.rows;
}

export interface VertexInput {
  readonly entityId: number;
  readonly name: string;
  readonly type: string;
}

/** Creates one vertex per entity and records each vertex id on its entity row. */
export async function insertEntityVertices(
  transaction: Queryable,
  graph: string,
  vertices: readonly VertexInput[],
): Promise<void> {
  assertGraphName(graph);
  if (vertices.length === 0) return;
  await transaction.query(
    `WITH source AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS s(entity_id, name, type)
     ), inserted AS (
       INSERT INTO "${graph}"."${entityLabel}" (properties)
       SELECT ag_catalog.agtype_build_map('entity_id', entity_id, 'name', name, 'type', type) FROM source
       RETURNING id, properties
     )
     UPDATE entities SET graph_vertex_id = inserted.id::text::bigint
     FROM inserted
     WHERE entities.id = (ag_catalog.agtype_access_operator(inserted.properties, '"entity_id"'::ag_catalog.agtype))::text::bigint`,
    [vertices.map((vertex) => vertex.entityId), vertices.map((vertex) => vertex.name), vertices.map((vertex) => vertex.type)],
  );
}

/**
 * Creates the edge of every listed relation that has none yet, from the source entity's vertex to
 * the target's, and refreshes the weight of those that have one.
 */
export async function upsertRelationEdges(
  transaction: Queryable,
  graph: string,
  relationIds: readonly number[],
): Promise<void> {
  assertGraphName(graph);
  if (relationIds.length === 0) return;
  await transaction.query(
    `WITH pending AS (
       SELECT r.id, r.weight, r.chunk_count, source.graph_vertex_id AS start_vertex, target.graph_vertex_id AS end_vertex
       FROM relations r
       JOIN entities source ON source.id = r.source_entity_id
       JOIN entities target ON target.id = r.target_entity_id
       WHERE r.id = ANY($1::bigint[]) AND r.graph_edge_id IS NULL
     ), inserted AS (
       INSERT INTO "${graph}"."${relationLabel}" (start_id, end_id, properties)
       SELECT ${asGraphid('start_vertex')}, ${asGraphid('end_vertex')},
              ag_catalog.agtype_build_map('relation_id', id, 'weight', weight, 'chunk_count', chunk_count)
       FROM pending
       RETURNING id, properties
     )
     UPDATE relations SET graph_edge_id = inserted.id::text::bigint
     FROM inserted
     WHERE relations.id = (ag_catalog.agtype_access_operator(inserted.properties, '"relation_id"'::ag_catalog.agtype))::text::bigint`,
    [relationIds],
  );
  await transaction.query(
    `UPDATE "${graph}"."${relationLabel}" AS edge
     SET properties = ag_catalog.agtype_build_map('relation_id', r.id, 'weight', r.weight, 'chunk_count', r.chunk_count)
     FROM relations r
     WHERE r.id = ANY($1::bigint[]) AND r.graph_edge_id IS NOT NULL
       AND edge.id = ${asGraphid('r.graph_edge_id')}`,
    [relationIds],
  );
}

export async function deleteEdges(transaction: Queryable, graph: string, edgeIds: readonly number[]): Promise<void> {
  assertGraphName(graph);
  if (edgeIds.length === 0) return;
  await transaction.query(
    `DELETE FROM "${graph}"."${relationLabel}"
     WHERE id IN (SELECT ${asGraphid('edge_id')} FROM unnest($1::bigint[]) AS edge_id)`,
    [edgeIds],
  );
}

export async function deleteVertices(transaction: Queryable, graph: string, vertexIds: readonly number[]): Promise<void> {
  assertGraphName(graph);
  if (vertexIds.length === 0) return;
  // Edges first: AGE does not cascade from a vertex to its edges when label tables are written directly.
  await transaction.query(
    `WITH doomed AS (SELECT ${asGraphid('vertex_id')} AS id FROM unnest($1::bigint[]) AS vertex_id)
     DELETE FROM "${graph}"."${relationLabel}" WHERE start_id IN (SELECT id FROM doomed) OR end_id IN (SELECT id FROM doomed)`,
    [vertexIds],
  );
  await transaction.query(
    `DELETE FROM "${graph}"."${entityLabel}"
     WHERE id IN (SELECT ${asGraphid('vertex_id')} FROM unnest($1::bigint[]) AS vertex_id)`,
    [vertexIds],
  );
}
