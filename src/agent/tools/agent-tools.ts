import { z } from 'zod';
import type { Database, Queryable } from '../../core/database.js';
import { NotFoundError } from '../../core/errors.js';
import { searchFiltersSchema, searchModes, type SearchHit, type SearchResponse } from '../../core/search.js';
import { withTenant } from '../../db/tenant-scope.js';
import { normalizeEntityName } from '../../ingest/extraction/normalize-entity-name.js';
import type { SearchService } from '../../retrieval/search-service.js';

/**
 * The agent's tools. All of them read; none can write (they run in read-only tenant transactions,
 * so even a bug could not change data). Every input is validated with its zod schema, whether it
 * comes from our own graph or from a language model's tool call.
 */
export const searchToolInput = z.object({
  query: z.string().trim().min(1).max(1_000),
  mode: z.enum(searchModes).default('mix'),
  k: z.number().int().min(1).max(30).default(8),
  filters: searchFiltersSchema.default({}),
});
export const graphNeighborsToolInput = z.object({
  entity: z.string().trim().min(1).max(200),
  limit: z.number().int().min(1).max(50).default(10),
});
export const getChunkToolInput = z.object({ chunkId: z.number().int().positive() });
export const getDocumentToolInput = z.object({
  documentId: z.uuid(),
  maxCharacters: z.number().int().min(100).max(20_000).default(4_000),
});
export const entityToolInput = z.object({
  name: z.string().trim().min(1).max(200),
  limit: z.number().int().min(1).max(20).default(5),
});

/** A passage as the agent holds it: enough to cite (document, page, section path) and to quote. */
export interface Passage {
  readonly chunkId: number;
  readonly documentId: string;
  readonly documentTitle: string;
  readonly fileName: string;
  readonly sourceKey: string | null;
  readonly pages: readonly number[];
  readonly sectionPath: readonly string[];
  readonly text: string;
  readonly score: number;
  readonly explanation?: SearchHit['explanation'];
}

export interface EntityRecord {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly mentionCount: number;
  /** Passages naming the entity, most mentions first. */
  readonly chunkIds: readonly number[];
}

export interface NeighborEdge {
  readonly source: string;
  readonly target: string;
  readonly weight: number;
  readonly description: string;
  readonly targetType: string;
  readonly chunkIds: readonly number[];
}

export interface DocumentView {
  readonly documentId: string;
  readonly title: string;
  readonly fileName: string;
  readonly sourceKey: string | null;
  readonly text: string;
  readonly truncated: boolean;
}

export interface AgentToolsDependencies {
  readonly database: Database;
  readonly search: SearchService;
  readonly statementTimeoutMs?: number;
}

export function hitToPassage(hit: SearchHit): Passage {
  return {
    chunkId: hit.chunkId,
    documentId: hit.documentId,
    documentTitle: hit.documentTitle,
    fileName: hit.fileName,
    sourceKey: hit.sourceKey,
    pages: hit.pages,
    sectionPath: hit.sectionPath,
    text: hit.text,
    score: hit.score,
    explanation: hit.explanation,
  };
}

interface PassageRow {
  id: number;
  document_id: string;
  title: string;
  file_name: string;
  source_key: string | null;
  pages: number[];
  section_path: string[];
  text: string;
}

const passageColumns = `c.id, c.document_id, d.title, d.file_name, d.source_key, c.pages, c.section_path, c.text`;

function rowToPassage(row: PassageRow, score = 0): Passage {
  return {
    chunkId: row.id,
    documentId: row.document_id,
    documentTitle: row.title,
    fileName: row.file_name,
    sourceKey: row.source_key,
    pages: row.pages,
    sectionPath: row.section_path,
    text: row.text,
    score,
  };
}

export class AgentTools {
  constructor(private readonly dependencies: AgentToolsDependencies) {}

  async search(tenantId: string, input: z.input<typeof searchToolInput>, signal?: AbortSignal): Promise<SearchResponse> {
    signal?.throwIfAborted();
    const request = searchToolInput.parse(input);
    return this.dependencies.search.search(tenantId, { ...request, k: request.k }, signal);
  }

  async getChunk(tenantId: string, input: z.input<typeof getChunkToolInput>, signal?: AbortSignal): Promise<Passage> {
    const { chunkId } = getChunkToolInput.parse(input);
    const [passage] = await this.getChunks(tenantId, [chunkId], signal);
    if (!passage) throw new NotFoundError('chunk', String(chunkId));
    return passage;
  }

  async getChunks(tenantId: string, chunkIds: readonly number[], signal?: AbortSignal): Promise<Passage[]> {
    if (chunkIds.length === 0) return [];
    const rows = await this.read(tenantId, signal, (transaction) =>
      transaction.query<PassageRow>(
        `SELECT ${passageColumns} FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.id = ANY($1::bigint[])`,
        [chunkIds],
      ),
    );
    const byId = new Map(rows.rows.map((row) => [row.id, rowToPassage(row)]));
    return chunkIds.flatMap((id) => {
      const passage = byId.get(id);
      return passage ? [passage] : [];
    });
  }

  async getDocument(
    tenantId: string,
    input: z.input<typeof getDocumentToolInput>,
    signal?: AbortSignal,
  ): Promise<DocumentView> {
    const { documentId, maxCharacters } = getDocumentToolInput.parse(input);
    const rows = await this.read(tenantId, signal, (transaction) =>
      transaction.query<{ title: string; file_name: string; source_key: string | null; text: string | null }>(
        `SELECT d.title, d.file_name, d.source_key,
                (SELECT string_agg(c.text, E'\\n\\n' ORDER BY c.chunk_index) FROM chunks c WHERE c.document_id = d.id) AS text
         FROM documents d WHERE d.id = $1`,
        [documentId],
      ),
    );
    const row = rows.rows[0];
    if (!row) throw new NotFoundError('document', documentId);
    const text = row.text ?? '';
    return {
      documentId,
      title: row.title,
      fileName: row.file_name,
      sourceKey: row.source_key,
      text: text.slice(0, maxCharacters),
      truncated: text.length > maxCharacters,
    };
  }

  /** Entities whose name matches exactly (after normalisation), then by prefix, most mentioned first. */
  async entity(tenantId: string, input: z.input<typeof entityToolInput>, signal?: AbortSignal): Promise<EntityRecord[]> {
    const { name, limit } = entityToolInput.parse(input);
    return this.entitiesByName(tenantId, [normalizeEntityName(name)], limit, signal, true);
  }

  /** Exact lookups of several normalised names at once (bridge entities of a passage). */
  async entitiesByName(
    tenantId: string,
    normalizedNames: readonly string[],
    limit: number,
    signal?: AbortSignal,
    prefix = false,
  ): Promise<EntityRecord[]> {
    const names = [...new Set(normalizedNames.filter((name) => name.length > 0))];
    if (names.length === 0) return [];
    const result = await this.read(tenantId, signal, (transaction) =>
      transaction.query<{
        id: number;
        name: string;
        type: string;
        description: string;
        mention_count: number;
        chunk_ids: number[] | null;
      }>(
        `SELECT e.id, e.name, e.type, e.description, e.mention_count,
                (SELECT array_agg(m.chunk_id ORDER BY m.mention_count DESC, m.chunk_id)
                 FROM (SELECT chunk_id, mention_count FROM entity_mentions WHERE entity_id = e.id
                       ORDER BY mention_count DESC, chunk_id LIMIT 10) m) AS chunk_ids
         FROM entities e
         WHERE e.normalized_name = ANY($1::text[])
            OR ($3::text IS NOT NULL AND e.normalized_name LIKE $3::text)
         ORDER BY (e.normalized_name = ANY($1::text[])) DESC, e.mention_count DESC, e.id
         LIMIT $2`,
        [names, limit, prefix ? `${names[0]!.replace(/[\\%_]/g, (character) => `\\${character}`)} %` : null],
      ),
    );
    return result.rows.map((row) => ({
      id: row.id,
      name: row.name,
      type: row.type,
      description: row.description,
      mentionCount: row.mention_count,
      chunkIds: row.chunk_ids ?? [],
    }));
  }

  /** The entity's strongest relations (both directions of the undirected edge table) with their passages. */
  async graphNeighbors(
    tenantId: string,
    input: z.input<typeof graphNeighborsToolInput>,
    signal?: AbortSignal,
  ): Promise<{ entity: EntityRecord | null; edges: NeighborEdge[] }> {
    const { entity: name, limit } = graphNeighborsToolInput.parse(input);
    const [entity] = await this.entitiesByName(tenantId, [normalizeEntityName(name)], 1, signal);
    if (!entity) return { entity: null, edges: [] };
    const result = await this.read(tenantId, signal, (transaction) =>
      transaction.query<{
        name: string;
        type: string;
        weight: number;
        description: string;
        chunk_ids: number[] | null;
      }>(
        `WITH edge AS (
           (SELECT id, target_entity_id AS neighbour_id, weight, description FROM relations
            WHERE source_entity_id = $1 ORDER BY weight DESC LIMIT $2)
           UNION ALL
           (SELECT id, source_entity_id, weight, description FROM relations
            WHERE target_entity_id = $1 ORDER BY weight DESC LIMIT $2))
         SELECT n.name, n.type, edge.weight, edge.description,
                (SELECT array_agg(rm.chunk_id ORDER BY rm.weight DESC)
                 FROM (SELECT chunk_id, weight FROM relation_mentions WHERE relation_id = edge.id
                       ORDER BY weight DESC LIMIT 5) rm) AS chunk_ids
         FROM edge JOIN entities n ON n.id = edge.neighbour_id
         ORDER BY edge.weight DESC, n.id LIMIT $2`,
        [entity.id, limit],
      ),
    );
    return {
      entity,
      edges: result.rows.map((row) => ({
        source: entity.name,
        target: row.name,
        weight: row.weight,
        description: row.description,
        targetType: row.type,
        chunkIds: row.chunk_ids ?? [],
      })),
    };
  }

  /**
   * The graph hop of a two-hop question: the entities named in the given passages (other than the
   * question's own), each followed to its "home" passage — the passage of the document titled with
   * the entity's name when there is one, else the passage that names it most. One round trip.
   */
  async bridgePassages(
    tenantId: string,
    chunkIds: readonly number[],
    /** Entities named in this text (the question, normalised) are not bridges: the question already has them. */
    excludeText: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<BridgePassage[]> {
    if (chunkIds.length === 0) return [];
    const result = await this.read(tenantId, signal, (transaction) =>
      transaction.query<PassageRow & { entity: string; from_chunk: number; titled: boolean }>(
        `WITH mentioned AS (
           SELECT DISTINCT ON (e.id) e.id, e.name, e.normalized_name, e.mention_count, m.chunk_id AS from_chunk,
                  array_position($1::bigint[], m.chunk_id) AS from_rank
           FROM entity_mentions m JOIN entities e ON e.id = m.entity_id
           WHERE m.chunk_id = ANY($1::bigint[]) AND strpos($2::text, e.normalized_name) = 0
             AND length(e.normalized_name) >= 3
           ORDER BY e.id, array_position($1::bigint[], m.chunk_id)
         ),
         home AS (
           SELECT DISTINCT ON (mentioned.id) mentioned.id, mentioned.name AS entity, mentioned.from_chunk,
                  mentioned.from_rank, em.chunk_id, lower(d.title) = mentioned.normalized_name AS titled,
                  mentioned.mention_count
           FROM mentioned
           JOIN entity_mentions em ON em.entity_id = mentioned.id AND em.chunk_id <> ALL($1::bigint[])
           JOIN documents d ON d.id = em.document_id
           ORDER BY mentioned.id, (lower(d.title) = mentioned.normalized_name) DESC, em.mention_count DESC, em.chunk_id
         )
         SELECT home.entity, home.from_chunk, home.titled, ${passageColumns}
         FROM home JOIN chunks c ON c.id = home.chunk_id JOIN documents d ON d.id = c.document_id
         ORDER BY home.titled DESC, home.from_rank, home.mention_count, c.id
         LIMIT $3`,
        [chunkIds, excludeText, limit],
      ),
    );
    return result.rows.map((row) => ({ fromChunkId: row.from_chunk, entity: row.entity, passage: rowToPassage(row) }));
  }

  /** BM25's inverse document frequency of each term in the tenant's corpus (what a term is worth as evidence). */
  async termWeights(tenantId: string, terms: readonly string[], signal?: AbortSignal): Promise<Map<string, number>> {
    if (terms.length === 0) return new Map();
    const result = await this.read(tenantId, signal, (transaction) =>
      transaction.query<{ term: string | null; chunk_frequency: number | null; chunk_count: number | null }>(
        `SELECT t.term, t.chunk_frequency, (SELECT chunk_count FROM corpus_statistics WHERE tenant_id = $2) AS chunk_count
         FROM unnest($1::text[]) AS q(term) LEFT JOIN term_statistics t ON t.term = q.term AND t.tenant_id = $2`,
        [terms, tenantId],
      ),
    );
    const total = Number(result.rows[0]?.chunk_count ?? 0);
    const weights = new Map<string, number>();
    for (const row of result.rows) {
      if (row.term === null || row.chunk_frequency === null) continue;
      const frequency = Number(row.chunk_frequency);
      weights.set(row.term, Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5)));
    }
    return weights;
  }

  private async read<T>(tenantId: string, signal: AbortSignal | undefined, work: (transaction: Queryable) => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    const result = await withTenant(this.dependencies.database, tenantId, work, {
      readOnly: true,
      signal,
      ...(this.dependencies.statementTimeoutMs ? { statementTimeoutMs: this.dependencies.statementTimeoutMs } : {}),
    });
    signal?.throwIfAborted();
    return result;
  }
}

export interface BridgePassage {
  /** The passage the bridge entity was found in. */
  readonly fromChunkId: number;
  readonly entity: string;
  readonly passage: Passage;
}
