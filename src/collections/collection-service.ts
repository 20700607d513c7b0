import { z } from 'zod';
import type { Database } from '../core/database.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { withTenant } from '../db/tenant-scope.js';

export const collectionInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2_000).default(''),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type CollectionInput = z.infer<typeof collectionInputSchema>;

export interface Collection {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
}

interface CollectionRow {
  id: string;
  name: string;
  description: string;
  metadata: Record<string, unknown>;
  created_at: Date;
}

const columns = 'id, name, description, metadata, created_at';

function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Collections group a tenant's documents. Every query runs in a tenant scope, so the queries
 * carry no tenant filter of their own: row-level security supplies it.
 */
export class CollectionService {
  constructor(private readonly database: Database) {}

  async create(tenantId: string, input: CollectionInput): Promise<Collection> {
    try {
      return await withTenant(this.database, tenantId, async (transaction) => {
        const result = await transaction.query<CollectionRow>(
          `INSERT INTO collections (tenant_id, name, description, metadata) VALUES ($1, $2, $3, $4)
           RETURNING ${columns}`,
          [tenantId, input.name, input.description, JSON.stringify(input.metadata)],
        );
        return toCollection(result.rows[0]!);
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('collection_exists', `A collection named '${input.name}' already exists`);
      }
      throw error;
    }
  }

  async list(tenantId: string): Promise<Collection[]> {
    return withTenant(
      this.database,
      tenantId,
      async (transaction) =>
        (await transaction.query<CollectionRow>(`SELECT ${columns} FROM collections ORDER BY name`)).rows.map(
          toCollection,
        ),
      { readOnly: true },
    );
  }

  /** Finds a collection by id or name. */
  async get(tenantId: string, identifier: string): Promise<Collection> {
    const row = await withTenant(
      this.database,
      tenantId,
      async (transaction) =>
        (
          await transaction.query<CollectionRow>(
            `SELECT ${columns} FROM collections WHERE ${uuidPattern.test(identifier) ? 'id = $1::uuid' : 'name = $1'}`,
            [identifier],
          )
        ).rows[0],
      { readOnly: true },
    );
    if (!row) throw new NotFoundError('collection', identifier);
    return toCollection(row);
  }

  /**
   * The collection with this id or name; a name seen for the first time creates it. An unknown id
   * stays unknown (404): ids are never invented by callers.
   */
  async findOrCreate(tenantId: string, identifier: string): Promise<Collection> {
    try {
      return await this.get(tenantId, identifier);
    } catch (error) {
      if (!(error instanceof NotFoundError) || uuidPattern.test(identifier)) throw error;
    }
    const input = collectionInputSchema.parse({ name: identifier });
    try {
      return await this.create(tenantId, input);
    } catch (error) {
      // Another upload created it meanwhile.
      if (error instanceof ConflictError) return this.get(tenantId, identifier);
      throw error;
    }
  }

  async delete(tenantId: string, identifier: string): Promise<void> {
    const collection = await this.get(tenantId, identifier);
    await withTenant(this.database, tenantId, (transaction) =>
      transaction.query('DELETE FROM collections WHERE id = $1', [collection.id]),
    );
  }
}
