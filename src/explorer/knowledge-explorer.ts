import { z } from 'zod';
import type { Database, Queryable } from '../core/database.js';
import { NotFoundError } from '../core/errors.js';
import { withTenant } from '../db/tenant-scope.js';
import { normalizeEntityName } from '../ingest/extraction/normalize-entity-name.js';

/**
 * Read-only views of a tenant's index for people exploring it (the web UI's graph explorer and
 * document view): entities found by name, an entity's neighbourhood with its relations and the
 * passages that mention it, a document's chunks and entities, and usage counts. Reads the
 * relational tables (the source of truth the AGE graph mirrors), always inside the tenant's scope.
 */

export const entitySearchSchema = z.object({
  query: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const neighbourhoodSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(40),
});

/** What an answer used: the passages it rests on and the entities its tools named. */
export const subgraphSchema = z
  .object({
    chunkIds: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).max(200).default([]),
    names: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
    limit: z.number().int().min(1).max(200).default(40),
  })
  .refine((value) => value.chunkIds.length > 0 || value.names.length > 0, {
    message: 'Give chunkIds, names or both',
    path: ['chunkIds'],
  });

export const chunkPageSchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export interface EntitySummary {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly mentionCount: number;
  /** The level-0 community the entity belongs to, when communities have been computed. */
  readonly communityId: number | null;
}

export interface RelationView {
  readonly id: number;
  readonly source: number;
  readonly target: number;
  readonly weight: number;
  readonly chunkCount: number;
  readonly description: string;
}

export interface PassageView {
  readonly chunkId: number;
  readonly documentId: string;
  readonly documentTitle: string;
  readonly fileName: string;
  readonly chunkIndex: number;
  readonly pages: number[];
  readonly sectionPath: string[];
  readonly text: string;
}

export interface ChunkView {
  readonly id: number;
  readonly chunkIndex: number;
  readonly text: string;
  readonly pages: number[];
  readonly sectionPath: string[];
  readonly tokenCount: number;
}

interface EntityRow {
  id: number;
  name: string;
  type: string;
  description: string;
  mention_count: number;
  community_id: number | null;
}

const entityColumns = `e.id, e.name, e.type, e.description, e.mention_count,
  (SELECT m.community_id FROM community_members m JOIN communities c ON c.id = m.community_id
    WHERE m.entity_id = e.id AND c.level = 0 LIMIT 1) AS community_id`;

function toEntity(row: EntityRow): EntitySummary {
  return {
    id: Number(row.id),
    name: row.name,
    type: row.type,
    description: row.description,
    mentionCount: row.mention_count,
    communityId: row.community_id === null ? null : Number(row.community_id),
  };
}

interface RelationRow {
  id: number;
  source_entity_id: number;
  target_entity_id: number;
  weight: number;
  chunk_count: number;
  description: string;
}

function toRelationView(row: RelationRow): RelationView {
  return {
    id: Number(row.id),
    source: Number(row.source_entity_id),
    target: Number(row.target_entity_id),
    weight: row.weight,
    chunkCount: row.chunk_count,
    description: row.description,
  };
}

async function relationsAmong(transaction: Queryable, ids: readonly number[]): Promise<RelationView[]> {
  if (ids.length === 0) return [];
  const result = await transaction.query<RelationRow>(
    `SELECT id, source_entity_id, target_entity_id, weight, chunk_count, description FROM relations
     WHERE source_entity_id = ANY($1::bigint[]) AND target_entity_id = ANY($1::bigint[])
     ORDER BY weight DESC LIMIT 2000`,
    [ids],
  );
  return result.rows.map(toRelationView);
}

export class KnowledgeExplorer {
  constructor(private readonly database: Database) {}

  /** Entities whose name contains the query (case-insensitive), most mentioned first. */
  async searchEntities(
    tenantId: string,
    input: z.input<typeof entitySearchSchema>,
  ): Promise<EntitySummary[]> {
    const { query, limit } = entitySearchSchema.parse(input);
    const pattern = query
      ? `%${query.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`
      : null;
    return withTenant(
      this.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<EntityRow>(
            `SELECT ${entityColumns} FROM entities e
             WHERE $1::text IS NULL OR e.normalized_name LIKE $1 OR lower(e.name) LIKE $1
             ORDER BY (lower(e.name) = lower($3::text)) DESC, e.mention_count DESC, e.id LIMIT $2`,
            [pattern, limit, query ?? ''],
          )
        ).rows.map(toEntity),
      { readOnly: true },
    );
  }

  /** One entity with its strongest relations (and the entities at their other ends) and its passages. */
  async entity(
    tenantId: string,
    entityId: number,
  ): Promise<{
    entity: EntitySummary;
    relations: (RelationView & { other: EntitySummary })[];
    passages: PassageView[];
  }> {
    return withTenant(
      this.database,
      tenantId,
      async (transaction) => {
        const entityRow = (
          await transaction.query<EntityRow>(`SELECT ${entityColumns} FROM entities e WHERE e.id = $1`, [
            entityId,
          ])
        ).rows[0];
        if (!entityRow) throw new NotFoundError('entity', String(entityId));
        const relationRows = (
          await transaction.query<
            EntityRow & {
              relation_id: number;
              weight: number;
              chunk_count: number;
              relation_description: string;
              source_entity_id: number;
              target_entity_id: number;
            }
          >(
            `SELECT r.id AS relation_id, r.weight, r.chunk_count, r.description AS relation_description,
                    r.source_entity_id, r.target_entity_id, ${entityColumns}
             FROM relations r
             JOIN entities e ON e.id = CASE WHEN r.source_entity_id = $1 THEN r.target_entity_id ELSE r.source_entity_id END
             WHERE r.source_entity_id = $1 OR r.target_entity_id = $1
             ORDER BY r.weight DESC, r.id LIMIT 50`,
            [entityId],
          )
        ).rows;
        const passageRows = (
          await transaction.query<{
            chunk_id: number;
            document_id: string;
            title: string;
            file_name: string;
            chunk_index: number;
            pages: number[];
            section_path: string[];
            text: string;
          }>(
            `SELECT c.id AS chunk_id, c.document_id, d.title, d.file_name, c.chunk_index, c.pages, c.section_path, c.text
             FROM entity_mentions m JOIN chunks c ON c.id = m.chunk_id JOIN documents d ON d.id = c.document_id
             WHERE m.entity_id = $1
             ORDER BY m.mention_count DESC, c.id LIMIT 20`,
            [entityId],
          )
        ).rows;
        return {
          entity: toEntity(entityRow),
          relations: relationRows.map((row) => ({
            id: Number(row.relation_id),
            source: Number(row.source_entity_id),
            target: Number(row.target_entity_id),
            weight: row.weight,
            chunkCount: row.chunk_count,
            description: row.relation_description,
            other: toEntity(row),
          })),
          passages: passageRows.map((row) => ({
            chunkId: Number(row.chunk_id),
            documentId: row.document_id,
            documentTitle: row.title,
            fileName: row.file_name,
            chunkIndex: row.chunk_index,
            pages: row.pages,
            sectionPath: row.section_path,
            text: row.text,
          })),
        };
      },
      { readOnly: true },
    );
  }

  /** The entity, its strongest neighbours, and every relation among them (for drawing). */
  async neighbourhood(
    tenantId: string,
    entityId: number,
    input: z.input<typeof neighbourhoodSchema>,
  ): Promise<{ nodes: EntitySummary[]; edges: RelationView[] }> {
    const { limit } = neighbourhoodSchema.parse(input);
    return withTenant(
      this.database,
      tenantId,
      async (transaction) => {
        const rows = (
          await transaction.query<EntityRow>(
            `WITH neighbours AS (
               SELECT CASE WHEN r.source_entity_id = $1 THEN r.target_entity_id ELSE r.source_entity_id END AS id, r.weight
               FROM relations r WHERE r.source_entity_id = $1 OR r.target_entity_id = $1
               ORDER BY r.weight DESC, r.id LIMIT $2
             )
             SELECT ${entityColumns} FROM entities e
             WHERE e.id = $1 OR e.id IN (SELECT id FROM neighbours)`,
            [entityId, limit],
          )
        ).rows;
        if (!rows.some((row) => Number(row.id) === entityId))
          throw new NotFoundError('entity', String(entityId));
        const nodes = rows.map(toEntity);
        return {
          nodes,
          edges: await relationsAmong(
            transaction,
            nodes.map((node) => node.id),
          ),
        };
      },
      { readOnly: true },
    );
  }

  /**
   * The part of the graph an answer used: the entities named by its tools and those mentioned in
   * the passages it rests on (named first, then most mentioned there), and the relations among
   * them that those passages evidence. Without passages, every relation among the named entities.
   */
  async subgraph(
    tenantId: string,
    input: z.input<typeof subgraphSchema>,
  ): Promise<{ nodes: EntitySummary[]; edges: RelationView[] }> {
    const { chunkIds, names, limit } = subgraphSchema.parse(input);
    const normalized = [...new Set(names.map(normalizeEntityName).filter((name) => name.length > 0))];
    return withTenant(
      this.database,
      tenantId,
      async (transaction) => {
        const rows = (
          await transaction.query<EntityRow>(
            `WITH used AS (
               SELECT e.id, 1 AS named, 0::bigint AS mentions FROM entities e
               WHERE e.normalized_name = ANY($2::text[])
               UNION ALL
               SELECT m.entity_id, 0, sum(m.mention_count) FROM entity_mentions m
               WHERE m.chunk_id = ANY($1::bigint[]) GROUP BY m.entity_id
             ), ranked AS (
               SELECT id, max(named) AS named, sum(mentions) AS mentions FROM used GROUP BY id
               ORDER BY max(named) DESC, sum(mentions) DESC, id LIMIT $3
             )
             SELECT ${entityColumns} FROM ranked JOIN entities e ON e.id = ranked.id
             ORDER BY ranked.named DESC, ranked.mentions DESC, e.id`,
            [chunkIds, normalized, limit],
          )
        ).rows;
        const nodes = rows.map(toEntity);
        const ids = nodes.map((node) => node.id);
        if (chunkIds.length === 0) return { nodes, edges: await relationsAmong(transaction, ids) };
        const edges = (
          await transaction.query<RelationRow>(
            `SELECT r.id, r.source_entity_id, r.target_entity_id, r.weight, r.chunk_count, r.description
             FROM relations r
             WHERE r.source_entity_id = ANY($1::bigint[]) AND r.target_entity_id = ANY($1::bigint[])
               AND EXISTS (SELECT 1 FROM relation_mentions rm
                           WHERE rm.relation_id = r.id AND rm.chunk_id = ANY($2::bigint[]))
             ORDER BY r.weight DESC, r.id LIMIT 500`,
            [ids, chunkIds],
          )
        ).rows;
        return {
          nodes,
          edges: edges.map(toRelationView),
        };
      },
      { readOnly: true },
    );
  }

  async documentChunks(
    tenantId: string,
    documentId: string,
    input: z.input<typeof chunkPageSchema>,
  ): Promise<{ chunks: ChunkView[]; total: number }> {
    const { offset, limit } = chunkPageSchema.parse(input);
    return withTenant(
      this.database,
      tenantId,
      async (transaction) => {
        const document = (
          await transaction.query<{ chunk_count: number }>(
            'SELECT chunk_count FROM documents WHERE id = $1',
            [documentId],
          )
        ).rows[0];
        if (!document) throw new NotFoundError('document', documentId);
        const rows = (
          await transaction.query<{
            id: number;
            chunk_index: number;
            text: string;
            pages: number[];
            section_path: string[];
            token_count: number;
          }>(
            `SELECT id, chunk_index, text, pages, section_path, token_count FROM chunks
             WHERE document_id = $1 ORDER BY chunk_index OFFSET $2 LIMIT $3`,
            [documentId, offset, limit],
          )
        ).rows;
        return {
          total: document.chunk_count,
          chunks: rows.map((row) => ({
            id: Number(row.id),
            chunkIndex: row.chunk_index,
            text: row.text,
            pages: row.pages,
            sectionPath: row.section_path,
            tokenCount: row.token_count,
          })),
        };
      },
      { readOnly: true },
    );
  }

  /** Entities mentioned in a document, most mentioned there first. */
  async documentEntities(
    tenantId: string,
    documentId: string,
  ): Promise<(EntitySummary & { mentionsInDocument: number })[]> {
    return withTenant(
      this.database,
      tenantId,
      async (transaction) => {
        const exists = await transaction.query('SELECT 1 FROM documents WHERE id = $1', [documentId]);
        if (exists.rowCount === 0) throw new NotFoundError('document', documentId);
        const rows = (
          await transaction.query<EntityRow & { mentions_in_document: number }>(
            `SELECT ${entityColumns}, sum(m.mention_count)::int AS mentions_in_document
             FROM entity_mentions m JOIN entities e ON e.id = m.entity_id
             WHERE m.document_id = $1
             GROUP BY e.id ORDER BY mentions_in_document DESC, e.id LIMIT 200`,
            [documentId],
          )
        ).rows;
        return rows.map((row) => ({ ...toEntity(row), mentionsInDocument: row.mentions_in_document }));
      },
      { readOnly: true },
    );
  }

  /** What the tenant holds: documents by status, chunks, entities, relations, communities, bytes. */
  async usage(tenantId: string): Promise<{
    documents: { total: number; byStatus: Record<string, number>; bytes: number };
    chunks: number;
    entities: number;
    relations: number;
    communities: number;
    questions: { total: number; failed: number; last30Days: number };
    tokens: { prompt: number; completion: number };
  }> {
    return withTenant(
      this.database,
      tenantId,
      async (transaction) => {
        const statuses = (
          await transaction.query<{ status: string; count: number; bytes: number }>(
            'SELECT status, count(*)::int AS count, coalesce(sum(byte_size), 0)::bigint AS bytes FROM documents GROUP BY status',
          )
        ).rows;
        const counts = (
          await transaction.query<{
            chunks: number;
            entities: number;
            relations: number;
            communities: number;
          }>(
            `SELECT (SELECT count(*) FROM chunks)::int AS chunks, (SELECT count(*) FROM entities)::int AS entities,
                    (SELECT count(*) FROM relations)::int AS relations, (SELECT count(*) FROM communities)::int AS communities`,
          )
        ).rows[0]!;
        // Questions answered by the agent and the model tokens they used (the agent's run log).
        const runs = (
          await transaction.query<{
            total: number;
            failed: number;
            recent: number;
            prompt: number;
            completion: number;
          }>(
            `SELECT count(*)::int AS total,
                    (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
                    (count(*) FILTER (WHERE created_at > now() - interval '30 days'))::int AS recent,
                    coalesce(sum((answer->'usage'->>'promptTokens')::bigint), 0)::bigint AS prompt,
                    coalesce(sum((answer->'usage'->>'completionTokens')::bigint), 0)::bigint AS completion
             FROM agent_runs`,
          )
        ).rows[0]!;
        return {
          questions: { total: runs.total, failed: runs.failed, last30Days: runs.recent },
          tokens: { prompt: Number(runs.prompt), completion: Number(runs.completion) },
          documents: {
            total: statuses.reduce((sum, row) => sum + row.count, 0),
            byStatus: Object.fromEntries(statuses.map((row) => [row.status, row.count])),
            bytes: statuses.reduce((sum, row) => sum + Number(row.bytes), 0),
          },
          ...counts,
        };
      },
      { readOnly: true },
    );
  }
}
