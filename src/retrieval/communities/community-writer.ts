/**
 * Replaces the current tenant's communities with a new set in four statements, whatever the count:
 * delete the old ones (members go with them by cascade), reserve ids, insert the communities of
 * both levels, insert their members. Ids are reserved from the identity's sequence first because
 * members and level-1 parents must point at rows of the same bulk insert, and the order of an
 * INSERT … RETURNING is not guaranteed to follow the input order.
 */
import type { Queryable } from '../../core/database.js';
import { vectorLiteral } from '../../db/vector-literal.js';

export interface CommunityRecord {
  readonly level: number;
  /** Index into the same list of the community this one subdivides. */
  readonly parentIndex: number | undefined;
  readonly title: string;
  readonly summary: string;
  /** Entity ids, most central first (stored as rank 1, 2, …). */
  readonly members: readonly number[];
  readonly chunkCount: number;
  readonly weight: number;
  readonly embedding: readonly number[] | null;
}

const currentTenant = "NULLIF(current_setting('app.tenant_id', true), '')::uuid";

export async function writeCommunities(
  transaction: Queryable,
  records: readonly CommunityRecord[],
): Promise<void> {
  // The explicit tenant condition matches row-level security; it is repeated so that a caller
  // running as the tables' owner (where RLS does not bind) still deletes only this tenant's rows.
  await transaction.query(`DELETE FROM communities WHERE tenant_id = ${currentTenant}`);
  if (records.length === 0) return;

  const reserved = await transaction.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence('communities', 'id')) AS id FROM generate_series(1, $1)`,
    [records.length],
  );
  const ids = reserved.rows.map((row) => row.id);
  const idAt = (index: number): number => {
    const id = ids[index];
    if (id === undefined) throw new Error('fewer community ids reserved than requested');
    return id;
  };

  await transaction.query(
    `INSERT INTO communities (id, tenant_id, level, parent_id, title, summary, entity_count, chunk_count, weight, embedding)
     OVERRIDING SYSTEM VALUE
     SELECT c.id, ${currentTenant}, c.level, c.parent_id, c.title, c.summary, c.entity_count, c.chunk_count, c.weight,
            c.embedding::vector
     FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::int[], $8::float8[], $9::text[])
          AS c(id, level, parent_id, title, summary, entity_count, chunk_count, weight, embedding)`,
    [
      records.map((_, index) => idAt(index)),
      records.map((record) => record.level),
      records.map((record) => (record.parentIndex === undefined ? null : idAt(record.parentIndex))),
      records.map((record) => record.title),
      records.map((record) => record.summary),
      records.map((record) => record.members.length),
      records.map((record) => record.chunkCount),
      records.map((record) => record.weight),
      records.map((record) => (record.embedding === null ? null : vectorLiteral(record.embedding))),
    ],
  );

  const communityIds: number[] = [];
  const entityIds: number[] = [];
  const ranks: number[] = [];
  records.forEach((record, index) => {
    record.members.forEach((entityId, position) => {
      communityIds.push(idAt(index));
      entityIds.push(entityId);
      ranks.push(position + 1);
    });
  });
  await transaction.query(
    `INSERT INTO community_members (tenant_id, community_id, entity_id, rank)
     SELECT ${currentTenant}, m.community_id, m.entity_id, m.rank
     FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS m(community_id, entity_id, rank)`,
    [communityIds, entityIds, ranks],
  );
}
