/**
 * The entities a graph walk starts from, as HippoRAG seeds its personalized PageRank: the
 * question's own entities (exact names, n-grams, a surname for the full name), the entities
 * nearest to the question's vector, and — with less weight — the entities of the top lexical
 * passages, which measured 0.88 → 0.92 recall@10 on HotpotQA (docs: DESIGN.md §3). One round trip.
 *
 * Each seed's weight is divided by log(2 + mention_count): an entity named everywhere ("London",
 * "United States") says little about which passages answer the question, and would otherwise pull
 * the walk towards every passage that names it.
 */
import type { Queryable } from '../../core/database.js';
import type { RankedChunk } from '../../core/search.js';
import { queryEntityNames } from './query-entity-names.js';
import { vectorLiteral } from '../../db/vector-literal.js';

export interface SeedEntity {
  readonly id: number;
  readonly name: string;
  readonly mentionCount: number;
  /** Restart probability before normalisation. */
  readonly weight: number;
  /**
   * How strongly the question itself names the entity (1 for an exact name, less for a surname or
   * a near vector), 0 for an entity that comes only from the top passages. Fusion trusts the graph
   * list by it: a walk seeded by the question's own entities is evidence BM25 does not have.
   */
  readonly questionStrength: number;
}

export interface SeedOptions {
  /** Nearest entities by embedding to consider. */
  readonly vectorNeighbours?: number;
  /** Cosine similarity below which a near entity is not a seed. */
  readonly vectorThreshold?: number;
  /** Weight of a vector seed per unit of similarity (a name match weighs 1). */
  readonly vectorWeight?: number;
  /** Full names a lone surname may stand for; more means the surname is ambiguous. */
  readonly lastWordMatches?: number;
  readonly lastWordWeight?: number;
  /** Top passages of the first-stage retrieval whose entities become seeds. */
  readonly seedChunkCount?: number;
  /** Entities taken per seed passage, most mentioned first. */
  readonly entitiesPerSeedChunk?: number;
  /** Weight of the best seed passage, shared by its entities; the passage at rank r gets weight / r. */
  readonly seedChunkWeight?: number;
}

// Measured on HotpotQA-100 (offline extractor and embedder, top 5 BM25 passages as seeds): BM25
// recall@10 0.895; this list alone 0.825; both fused by RRF 0.925 (all supporting passages in the
// top 10: 0.79 → 0.85). Raising the passages' weight from 0.15 to 1 took this list alone from 0.74
// to 0.84 but moved the fusion only from 0.92 to 0.93; damping 0.3–0.7 changed it by ±0.01.
const defaults = {
  vectorNeighbours: 5,
  vectorThreshold: 0.5,
  vectorWeight: 0.5,
  lastWordMatches: 5,
  lastWordWeight: 0.5,
  seedChunkCount: 5,
  entitiesPerSeedChunk: 10,
  seedChunkWeight: 0.6,
} satisfies Required<SeedOptions>;

interface SeedRow {
  origin: 'name' | 'last-word' | 'vector' | 'chunk';
  rank: number;
  matches: number;
  id: number;
  name: string;
  normalized_name: string;
  mention_count: number;
  similarity: number;
}

/**
 * Whether a name or word lies inside a longer matched name: in "charles babbage", the n-gram
 * "charles" may match an entity of its own and "babbage" may end other full names, but the
 * question meant the longer name. (Space-delimited scripts only.)
 */
function coveredBy(rows: readonly SeedRow[]): (word: string) => boolean {
  const matched = [...new Set(rows.filter((row) => row.origin === 'name').map((row) => row.normalized_name))];
  return (word) => matched.some((longer) => longer !== word && ` ${longer} `.includes(` ${word} `));
}

/**
 * The transaction-local settings of the seed lookup: row-level security drops other tenants'
 * entities after the HNSW scan returns them; iterative scans (pgvector >= 0.8) keep reading the
 * index until enough of this tenant's rows remain. Fold them into the transaction's tenant
 * settings and pass `settingsApplied`, or let the lookup set them (one more round trip).
 */
export const seedSearchSettings: Readonly<Record<string, string>> = { 'hnsw.iterative_scan': 'relaxed_order' };

/** The rows of a seed lookup, before they are weighed: what the question names, what the passages name. */
export interface SeedRows {
  readonly rows: readonly SeedRow[];
}

interface SeedQueryInput {
  readonly query: string;
  readonly queryVector: readonly number[];
  readonly seedChunks: readonly RankedChunk[];
}

interface SeedQueryParts {
  /** The question's own entities: names, last words, nearest by vector. */
  readonly question: boolean;
  /** The entities of the top passages (needs the first-stage ranking). */
  readonly chunks: boolean;
  readonly settingsApplied?: boolean;
}

async function querySeedRows(
  transaction: Queryable,
  input: SeedQueryInput,
  settings: Required<SeedOptions>,
  parts: SeedQueryParts,
): Promise<SeedRow[]> {
  const parameters: unknown[] = [];
  const parameter = (value: unknown): string => `$${parameters.push(value)}`;
  const statements: string[] = [];
  if (parts.question) {
    const { names, lastWords } = queryEntityNames(input.query);
    statements.push(
      `SELECT 'name' AS origin, 1 AS rank, 1 AS matches, e.id, e.name, e.normalized_name, e.mention_count,
              1::float8 AS similarity
       FROM entities e WHERE e.normalized_name = ANY(${parameter(names)}::text[])`,
      `SELECT 'last-word', l.rank, l.matches, l.id, l.name, l.normalized_name, l.mention_count, 1
       FROM (SELECT e.id, e.name, e.normalized_name, e.mention_count,
                    row_number() OVER word_group AS rank, count(*) OVER word_group AS matches
             FROM entities e
             WHERE e.last_word = ANY(${parameter(lastWords)}::text[])
             WINDOW word_group AS (PARTITION BY e.last_word ORDER BY e.mention_count DESC, e.id
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) l
       WHERE l.rank <= ${parameter(settings.lastWordMatches)}`,
    );
  }
  const seedChunkIds = input.seedChunks.slice(0, settings.seedChunkCount).map((chunk) => chunk.chunkId);
  if (parts.chunks && seedChunkIds.length > 0) {
    statements.push(
      `SELECT 'chunk' AS origin, s.rank, count(*) OVER (PARTITION BY s.rank) AS matches, e.id, e.name,
              e.normalized_name, e.mention_count, 1::float8 AS similarity
       FROM unnest(${parameter(seedChunkIds)}::bigint[]) WITH ORDINALITY AS s(chunk_id, rank)
       CROSS JOIN LATERAL (SELECT m.entity_id FROM entity_mentions m WHERE m.chunk_id = s.chunk_id
                           ORDER BY m.mention_count DESC, m.entity_id
                           LIMIT ${parameter(settings.entitiesPerSeedChunk)}) m
       JOIN entities e ON e.id = m.entity_id`,
    );
  }
  if (parts.question && input.queryVector.length > 0 && settings.vectorNeighbours > 0) {
    if (!parts.settingsApplied) {
      await transaction.query("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)");
    }
    const vector = parameter(vectorLiteral(input.queryVector));
    statements.push(
      `(SELECT 'vector' AS origin, 1 AS rank, 1 AS matches, e.id, e.name, e.normalized_name, e.mention_count,
               1 - (e.embedding <=> ${vector}::vector) AS similarity
        FROM entities e WHERE e.embedding IS NOT NULL
        ORDER BY e.embedding <=> ${vector}::vector LIMIT ${parameter(settings.vectorNeighbours)})`,
    );
  }
  if (statements.length === 0) return [];
  return (await transaction.query<SeedRow>(statements.join('\nUNION ALL\n'), parameters)).rows;
}

/**
 * The question's own seed rows (names, last words, nearest entities), which need no first-stage
 * ranking: found while BM25 runs, and shared by the graph and community lists.
 */
export async function findQuestionSeedRows(
  transaction: Queryable,
  input: { query: string; queryVector: readonly number[] },
  options: SeedOptions & { readonly settingsApplied?: boolean } = {},
): Promise<SeedRows> {
  return findSeedRows(transaction, { ...input, seedChunks: [] }, options, { chunks: false });
}

/** The entities of the top passages of the first-stage ranking, as seed rows. */
export async function findPassageSeedRows(
  transaction: Queryable,
  seedChunks: readonly RankedChunk[],
  options: SeedOptions = {},
): Promise<SeedRows> {
  return findSeedRows(transaction, { query: '', queryVector: [], seedChunks }, options, { question: false });
}

/** Question and passage seed rows in one statement. */
export async function findSeedRows(
  transaction: Queryable,
  input: SeedQueryInput,
  options: SeedOptions & { readonly settingsApplied?: boolean } = {},
  parts: { readonly question?: boolean; readonly chunks?: boolean } = {},
): Promise<SeedRows> {
  const rows = await querySeedRows(transaction, input, { ...defaults, ...options }, {
    question: parts.question ?? true,
    chunks: parts.chunks ?? true,
    ...(options.settingsApplied ? { settingsApplied: true } : {}),
  });
  return { rows };
}

/** The seeds of a walk, weighed from the rows of one or more lookups. */
export function seedsFromRows(rows: readonly SeedRows[], options: SeedOptions = {}): SeedEntity[] {
  return weighSeeds(
    rows.flatMap((part) => part.rows),
    { ...defaults, ...options },
  );
}

export async function findSeedEntities(
  transaction: Queryable,
  input: SeedQueryInput,
  options: SeedOptions & { readonly settingsApplied?: boolean } = {},
): Promise<SeedEntity[]> {
  return seedsFromRows([await findSeedRows(transaction, input, options)], options);
}

function weighSeeds(rows: readonly SeedRow[], settings: Required<SeedOptions>): SeedEntity[] {
  // One mention in the question counts once, however many ways it matched; passages add to it.
  const fromQuery = new Map<number, number>();
  const fromChunks = new Map<number, number>();
  const entities = new Map<number, { name: string; mentionCount: number }>();
  const covered = coveredBy(rows);
  for (const row of rows) {
    let strength: number;
    if (row.origin === 'name') {
      if (covered(row.normalized_name)) continue;
      strength = 1;
    } else if (row.origin === 'last-word') {
      if (covered(row.normalized_name.slice(row.normalized_name.lastIndexOf(' ') + 1))) continue;
      strength = settings.lastWordWeight / Math.min(row.matches, settings.lastWordMatches);
    } else if (row.origin === 'vector') {
      if (!(row.similarity >= settings.vectorThreshold)) continue;
      strength = settings.vectorWeight * row.similarity;
    } else {
      // A passage brings a fixed budget shared by its entities: a passage naming many entities
      // must not outweigh the question, which names few.
      fromChunks.set(
        row.id,
        (fromChunks.get(row.id) ?? 0) + settings.seedChunkWeight / row.rank / row.matches,
      );
      entities.set(row.id, { name: row.name, mentionCount: row.mention_count });
      continue;
    }
    fromQuery.set(row.id, Math.max(fromQuery.get(row.id) ?? 0, strength));
    entities.set(row.id, { name: row.name, mentionCount: row.mention_count });
  }
  const seeds: SeedEntity[] = [];
  for (const [id, entity] of entities) {
    const questionStrength = fromQuery.get(id) ?? 0;
    const strength = questionStrength + (fromChunks.get(id) ?? 0);
    if (!(strength > 0)) continue;
    seeds.push({ id, ...entity, weight: strength / Math.log(2 + Math.max(0, entity.mentionCount)), questionStrength });
  }
  return seeds.sort((left, right) => right.weight - left.weight || left.id - right.id);
}
