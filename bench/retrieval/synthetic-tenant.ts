/**
 * A synthetic tenant of any size, written in bulk straight into the index tables — minutes for
 * 100k chunks instead of hours through the pipeline. It keeps the invariants the pipeline keeps
 * (src/ingest/document-index-writer.ts), so every retrieval list has real work:
 *
 * - documents (indexed, `chunksPerDocument` chunks each) and chunks whose text is made of words of
 *   a pseudo-word vocabulary; chunk.term_count = Σ term_frequency over the chunk's postings;
 * - chunk_terms: the analysed term of each word (the same analyser as ingestion), with
 *   chunk_length = max(1, term_count); term_statistics.chunk_frequency = postings per term;
 *   corpus_statistics = (number of chunks, Σ term_count);
 * - clustered embeddings: each chunk belongs to one of `clusters` topics; its vector is the topic's
 *   random centroid plus noise, and it draws a few topical words of its topic besides Zipf-distributed
 *   common words (rank r drawn with probability ∝ 1/r), so lexical and vector neighbours agree;
 * - entities (per topic), entity_mentions (a few per chunk, mention_count summed into the entity),
 *   relations between entities mentioned in the same chunk (weight = co-mentions, chunk_count =
 *   chunks, with relation_mentions), AGE vertices and edges, and the communities the real builder
 *   computes from them.
 *
 * The HNSW indexes are dropped for the load and rebuilt with their own definitions afterwards:
 * building an index once is far faster than inserting 100k vectors into one.
 */
import type { Database, Queryable } from '../../src/core/database.js';
import type { Embedder } from '../../src/core/models.js';
import { insertEntityVertices, upsertRelationEdges } from '../../src/db/graph/graph-bulk-writer.js';
import { useGraphSearchPath } from '../../src/db/graph/tenant-graph.js';
import { withTenant } from '../../src/db/tenant-scope.js';
import { analyzeText } from '../../src/ingest/analysis/analyze-text.js';
import { embedInBatches } from '../../src/ingest/embed-in-batches.js';
import { normalizeEntityName } from '../../src/ingest/extraction/normalize-entity-name.js';
import { rebuildCommunities } from '../../src/retrieval/communities/community-builder.js';
import type { TenantService } from '../../src/tenancy/tenant-service.js';

export interface SyntheticTenantOptions {
  readonly slug: string;
  readonly chunks: number;
  readonly chunksPerDocument: number;
  readonly clusters: number;
  /** Zipf-distributed words shared by all topics. */
  readonly commonWords: number;
  readonly topicalWordsPerCluster: number;
  /** Word draws per chunk: common, then topical. */
  readonly commonDrawsPerChunk: number;
  readonly topicalDrawsPerChunk: number;
  readonly entitiesPerCluster: number;
  readonly mentionsPerChunk: number;
  /** Noise amplitude around a topic centroid (centroid components are uniform in [-1, 1]). */
  readonly noise: number;
  readonly seed: number;
}

export const defaultSyntheticTenantOptions: SyntheticTenantOptions = {
  slug: 'synthetic',
  chunks: 100_000,
  chunksPerDocument: 10,
  clusters: 200,
  commonWords: 30_000,
  topicalWordsPerCluster: 40,
  commonDrawsPerChunk: 60,
  topicalDrawsPerChunk: 10,
  entitiesPerCluster: 100,
  mentionsPerChunk: 3,
  noise: 0.6,
  seed: 42,
};

export interface SyntheticVocabulary {
  /** Common words, most frequent first (index 0 = Zipf rank 1). */
  readonly common: readonly string[];
  /** Topical words of cluster c: topical[c]. */
  readonly topical: readonly (readonly string[])[];
  /** Entity names of cluster c. */
  readonly entities: readonly (readonly string[])[];
}

export interface SyntheticTenant {
  readonly tenantId: string;
  readonly vocabulary: SyntheticVocabulary;
  readonly counts: Record<string, number>;
  readonly seconds: Record<string, number>;
}

/** Deterministic PRNG (mulberry32): the same seed gives the same vocabulary and queries. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const consonants = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'tr', 'kl', 'st'];
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];

/**
 * Pronounceable pseudo-words, kept only when the analyser maps each to its own single term (so
 * word ↔ term is one-to-one and the postings written in SQL are exactly what ingestion would write).
 */
export function syntheticVocabulary(options: SyntheticTenantOptions): SyntheticVocabulary {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const usedTerms = new Set<string>();
  const usedWords = new Set<string>();
  const word = (): string => {
    for (;;) {
      const syllables = 2 + Math.floor(random() * 2);
      let candidate = '';
      for (let index = 0; index < syllables; index += 1) candidate += pick(consonants) + pick(vowels);
      if (random() < 0.5) candidate += pick(['n', 'r', 's', 'l', 'x']);
      if (usedWords.has(candidate)) continue;
      const terms = analyzeText(candidate);
      if (terms.length !== 1 || usedTerms.has(terms[0]!.term)) continue;
      usedWords.add(candidate);
      usedTerms.add(terms[0]!.term);
      return candidate;
    }
  };
  const common = Array.from({ length: options.commonWords }, word);
  const topical = Array.from({ length: options.clusters }, () => Array.from({ length: options.topicalWordsPerCluster }, word));
  const names = new Set<string>();
  const entities = Array.from({ length: options.clusters }, () =>
    Array.from({ length: options.entitiesPerCluster }, () => {
      for (;;) {
        const capital = (text: string) => text[0]!.toUpperCase() + text.slice(1);
        const name = `${capital(word())} ${capital(word())}`;
        if (!names.has(normalizeEntityName(name))) {
          names.add(normalizeEntityName(name));
          return name;
        }
      }
    }),
  );
  return { common, topical, entities };
}

async function timed<T>(seconds: Record<string, number>, step: string, log: (message: string) => void, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  seconds[step] = (performance.now() - started) / 1000;
  log(`${step}: ${seconds[step].toFixed(1)} s`);
  return result;
}

async function count(transaction: Queryable, sql: string, parameters: readonly unknown[]): Promise<number> {
  const result = await transaction.query<{ count: number }>(sql, parameters);
  return Number(result.rows[0]?.count ?? 0);
}

export async function generateSyntheticTenant(
  dependencies: { readonly database: Database; readonly tenants: TenantService; readonly embedder: Embedder },
  options: SyntheticTenantOptions,
  log: (message: string) => void,
): Promise<SyntheticTenant> {
  const { database, tenants, embedder } = dependencies;
  const seconds: Record<string, number> = {};
  const vocabulary = syntheticVocabulary(options);
  const tenant = await tenants.create({ slug: options.slug, name: `Synthetic ${options.chunks} chunks` });
  const tenantId = tenant.id;
  const documents = Math.ceil(options.chunks / options.chunksPerDocument);
  const dimensions = embedder.dimensions;

  // Vocabulary rows: id 1..commonWords are common words by Zipf rank; topical words follow, cluster by cluster.
  const words = [...vocabulary.common, ...vocabulary.topical.flat()];
  const terms = words.map((word) => analyzeText(word)[0]!.term);
  const entityNames = vocabulary.entities.flat();

  await database.transaction(async (transaction) => {
    await transaction.query(
      `SELECT set_config('statement_timeout', '0', true), set_config('maintenance_work_mem', '1GB', true),
              set_config('work_mem', '256MB', true), setseed($1)`,
      [((options.seed % 1000) / 1000) * 2 - 1],
    );
    const hnsw = await transaction.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
       WHERE schemaname = 'public' AND tablename IN ('chunks', 'entities') AND indexdef ILIKE '%USING hnsw%'`,
    );
    for (const index of hnsw.rows) await transaction.query(`DROP INDEX ${index.indexname}`);

    await timed(seconds, 'vocabulary and draws', log, async () => {
      await transaction.query(
        `CREATE TEMP TABLE bench_vocabulary ON COMMIT DROP AS
         SELECT id::int, word, term FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS v(word, term, id)`,
        [words, terms],
      );
      await transaction.query('ALTER TABLE bench_vocabulary ADD PRIMARY KEY (id)');
      // Word draws per chunk ordinal: Zipf common words (rank ⌊V^u⌋ has probability ∝ 1/rank), then topical words.
      await transaction.query(
        `CREATE TEMP TABLE bench_posting ON COMMIT DROP AS
         SELECT ordinal, word_id, count(*)::int AS tf FROM (
           SELECT n AS ordinal, least($2::int, floor(power($2::float8, random()))::int) AS word_id
           FROM generate_series(0, $1 - 1) n, generate_series(1, $3) j
           UNION ALL
           SELECT n, $2 + (n % $5) * $6 + 1 + floor(random() * $6)::int
           FROM generate_series(0, $1 - 1) n, generate_series(1, $4) j
         ) draws GROUP BY ordinal, word_id`,
        [options.chunks, options.commonWords, options.commonDrawsPerChunk, options.topicalDrawsPerChunk, options.clusters, options.topicalWordsPerCluster],
      );
      await transaction.query(
        `CREATE TEMP TABLE bench_chunk ON COMMIT DROP AS
         SELECT p.ordinal, sum(p.tf)::int AS term_count,
                string_agg(repeat(v.word || ' ', p.tf), '' ORDER BY md5(p.ordinal::text || v.word)) AS text
         FROM bench_posting p JOIN bench_vocabulary v ON v.id = p.word_id
         GROUP BY p.ordinal`,
      );
      await transaction.query('ALTER TABLE bench_chunk ADD PRIMARY KEY (ordinal)');
      await transaction.query(
        `CREATE TEMP TABLE bench_centroid ON COMMIT DROP AS
         SELECT cluster, array_agg((random() * 2 - 1)::real ORDER BY d) AS v
         FROM generate_series(0, $1 - 1) cluster, generate_series(1, $2) d GROUP BY cluster`,
        [options.clusters, dimensions],
      );
    });

    await timed(seconds, 'documents and chunks', log, async () => {
      await transaction.query(
        `CREATE TEMP TABLE bench_document ON COMMIT DROP AS
         SELECT n AS ordinal, gen_random_uuid() AS id FROM generate_series(0, $1 - 1) n`,
        [documents],
      );
      await transaction.query(
        `INSERT INTO documents (id, tenant_id, title, file_name, media_type, format, byte_size, content_hash, status,
                                source_key, language, chunk_count, embedding_model, indexed_at)
         SELECT d.id, $1, 'Synthetic document ' || d.ordinal, 'synthetic-' || d.ordinal || '.md', 'text/markdown', 'markdown',
                0, md5('synthetic-' || d.ordinal), 'indexed', 'synthetic/' || d.ordinal, 'en',
                least($3, $2 - d.ordinal * $3), $4, now()
         FROM bench_document d`,
        [tenantId, options.chunks, options.chunksPerDocument, embedder.model],
      );
      await transaction.query(
        `INSERT INTO chunks (tenant_id, document_id, chunk_index, text, content, section_path, pages, start_offset,
                             end_offset, token_count, language, term_count, embedding, embedding_model)
         SELECT $1, d.id, c.ordinal % $2, c.text, c.text, '{}', '{}', 0, length(c.text), c.term_count, 'en', c.term_count,
                (SELECT array_agg(ce.v[i] + (random() * 2 - 1) * $3 ORDER BY i) FROM generate_series(1, $4) i)::vector,
                $5
         FROM bench_chunk c
         JOIN bench_document d ON d.ordinal = c.ordinal / $2
         JOIN bench_centroid ce ON ce.cluster = c.ordinal % $6`,
        [tenantId, options.chunksPerDocument, options.noise, dimensions, embedder.model, options.clusters],
      );
      await transaction.query(
        `CREATE TEMP TABLE bench_chunk_id ON COMMIT DROP AS
         SELECT c.id, d.ordinal * $2 + c.chunk_index AS ordinal
         FROM chunks c JOIN bench_document d ON d.id = c.document_id WHERE c.tenant_id = $1`,
        [tenantId, options.chunksPerDocument],
      );
      await transaction.query('ALTER TABLE bench_chunk_id ADD PRIMARY KEY (ordinal)');
    });

    await timed(seconds, 'postings and statistics', log, async () => {
      await transaction.query(
        `INSERT INTO chunk_terms (tenant_id, term, chunk_id, term_frequency, chunk_length)
         SELECT $1, v.term, ci.id, p.tf, greatest(1, c.term_count)
         FROM bench_posting p
         JOIN bench_vocabulary v ON v.id = p.word_id
         JOIN bench_chunk_id ci ON ci.ordinal = p.ordinal
         JOIN bench_chunk c ON c.ordinal = p.ordinal`,
        [tenantId],
      );
      await transaction.query(
        `INSERT INTO term_statistics (tenant_id, term, chunk_frequency)
         SELECT $1, term, count(*) FROM chunk_terms WHERE tenant_id = $1 GROUP BY term`,
        [tenantId],
      );
      await transaction.query(
        `INSERT INTO corpus_statistics (tenant_id, chunk_count, total_length, version)
         SELECT $1, count(*), coalesce(sum(term_count), 0), 1 FROM chunks WHERE tenant_id = $1`,
        [tenantId],
      );
    });

    await timed(seconds, 'entities, mentions and relations', log, async () => {
      // Entity k (1-based) belongs to cluster (k - 1) / entitiesPerCluster, in the vocabulary's order.
      await transaction.query(
        `INSERT INTO entities (tenant_id, name, normalized_name, type, description, mention_count, embedding)
         SELECT $1, e.name, e.normalized_name, (ARRAY['person', 'organization', 'place', 'other'])[1 + (e.k % 4)::int], '', 0,
                (SELECT array_agg(ce.v[i] + (random() * 2 - 1) * $4 ORDER BY i) FROM generate_series(1, $5) i)::vector
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(name, normalized_name, k)
         JOIN bench_centroid ce ON ce.cluster = ((e.k - 1) / $6::int)::int
         ORDER BY e.k`,
        [tenantId, entityNames, entityNames.map(normalizeEntityName), options.noise, dimensions, options.entitiesPerCluster],
      );
      await transaction.query(
        `CREATE TEMP TABLE bench_entity ON COMMIT DROP AS
         SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS position FROM entities WHERE tenant_id = $1`,
        [tenantId],
      );
      await transaction.query('ALTER TABLE bench_entity ADD PRIMARY KEY (position)');
      // Each chunk mentions a few entities of its cluster, the first ones of the cluster more often.
      // OFFSET 0 keeps the draws a subquery: flattened, the planner may join before the cross join
      // with j, and every chunk would get the same entity $1 times.
      await transaction.query(
        `CREATE TEMP TABLE bench_mention ON COMMIT DROP AS
         SELECT d.chunk_id, e.id AS entity_id, count(*)::int AS mention_count
         FROM (SELECT ci.id AS chunk_id,
                      (ci.ordinal % $2) * $3 + least($3, floor(power(($3 + 1)::float8, random()))::int) - 1 AS position
               FROM bench_chunk_id ci CROSS JOIN generate_series(1, $1) j
               OFFSET 0) d
         JOIN bench_entity e ON e.position = d.position
         GROUP BY d.chunk_id, e.id`,
        [options.mentionsPerChunk, options.clusters, options.entitiesPerCluster],
      );
      await transaction.query(
        `INSERT INTO entity_mentions (tenant_id, entity_id, chunk_id, document_id, mention_count)
         SELECT $1, m.entity_id, m.chunk_id, c.document_id, m.mention_count
         FROM bench_mention m JOIN chunks c ON c.id = m.chunk_id`,
        [tenantId],
      );
      await transaction.query(
        `UPDATE entities e SET mention_count = s.total
         FROM (SELECT entity_id, sum(mention_count)::int AS total FROM bench_mention GROUP BY entity_id) s
         WHERE e.id = s.entity_id`,
      );
      // Relations: entities mentioned in the same chunk, stored once per pair (smaller id first).
      await transaction.query(
        `CREATE TEMP TABLE bench_pair ON COMMIT DROP AS
         SELECT a.entity_id AS source_id, b.entity_id AS target_id, a.chunk_id,
                least(a.mention_count, b.mention_count)::float8 AS weight
         FROM bench_mention a JOIN bench_mention b ON b.chunk_id = a.chunk_id AND a.entity_id < b.entity_id`,
      );
      await transaction.query(
        `INSERT INTO relations (tenant_id, source_entity_id, target_entity_id, weight, chunk_count, description)
         SELECT $1, source_id, target_id, sum(weight), count(*), ''
         FROM bench_pair GROUP BY source_id, target_id ORDER BY source_id, target_id`,
        [tenantId],
      );
      await transaction.query(
        `INSERT INTO relation_mentions (tenant_id, relation_id, chunk_id, document_id, weight)
         SELECT $1, r.id, p.chunk_id, c.document_id, p.weight
         FROM bench_pair p
         JOIN relations r ON r.tenant_id = $1 AND r.source_entity_id = p.source_id AND r.target_entity_id = p.target_id
         JOIN chunks c ON c.id = p.chunk_id`,
        [tenantId],
      );
    });

    await timed(seconds, 'graph vertices and edges (AGE)', log, async () => {
      await useGraphSearchPath(transaction);
      const entities = await transaction.query<{ id: number; name: string; type: string }>(
        'SELECT id, name, type FROM entities WHERE tenant_id = $1 ORDER BY id',
        [tenantId],
      );
      await insertEntityVertices(
        transaction,
        tenant.graphName,
        entities.rows.map((row) => ({ entityId: row.id, name: row.name, type: row.type })),
      );
      const relations = await transaction.query<{ id: number }>('SELECT id FROM relations WHERE tenant_id = $1 ORDER BY id', [tenantId]);
      await upsertRelationEdges(transaction, tenant.graphName, relations.rows.map((row) => row.id));
      await transaction.query(`SELECT set_config('search_path', '"$user", public', true)`);
    });

    await timed(seconds, 'HNSW indexes', log, async () => {
      for (const index of hnsw.rows) await transaction.query(index.indexdef);
    });
  });

  await timed(seconds, 'communities', log, async () => {
    await withTenant(database, tenantId, async (transaction) => {
      await transaction.query("SELECT set_config('statement_timeout', '0', true)");
      await rebuildCommunities(transaction, { embed: (texts) => embedInBatches(embedder, texts) });
      await transaction.query('UPDATE corpus_statistics SET version = version + 1 WHERE tenant_id = $1', [tenantId]);
    });
  });

  await timed(seconds, 'analyze', log, async () => {
    await database.query('ANALYZE');
  });

  const counted = await database.transaction(async (transaction) => {
    const tables = ['documents', 'chunks', 'chunk_terms', 'term_statistics', 'entities', 'entity_mentions', 'relations', 'relation_mentions', 'communities'];
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = await count(transaction, `SELECT count(*)::int AS count FROM ${table} WHERE tenant_id = $1`, [tenantId]);
    return counts;
  });
  return { tenantId, vocabulary, counts: counted, seconds };
}

/**
 * Benchmark questions: a few topical words of one cluster, one or two common words of middling
 * frequency, and for half of them the name of an entity of that cluster (which the graph seeds from).
 */
export function syntheticQueries(vocabulary: SyntheticVocabulary, count_: number, seed: number): string[] {
  const random = seededRandom(seed + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const queries = new Set<string>();
  while (queries.size < count_) {
    const cluster = Math.floor(random() * vocabulary.topical.length);
    const topical = vocabulary.topical[cluster]!;
    const words = [pick(topical), pick(topical), vocabulary.common[20 + Math.floor(random() * 3_000)]!];
    if (random() < 0.5) words.push(vocabulary.common[20 + Math.floor(random() * 3_000)]!);
    const entity = random() < 0.5 ? pick(vocabulary.entities[cluster]!) : undefined;
    queries.add(entity ? `what links ${entity} to ${words.join(' ')}` : words.join(' '));
  }
  return [...queries];
}
