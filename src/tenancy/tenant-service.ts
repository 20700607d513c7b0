import { z } from 'zod';
import type { Database } from '../core/database.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { isTenantId } from '../core/tenant-id.js';
import { createTenantGraph, dropTenantGraph } from '../db/graph/tenant-graph.js';
import { secureTenantGraph } from '../db/graph/graph-row-security.js';
import { graphNameForTenant } from '../db/graph/graph-identifiers.js';

export const tenantInputSchema = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and hyphens, 2–63 characters'),
  name: z.string().trim().min(1).max(200),
});
export type TenantInput = z.infer<typeof tenantInputSchema>;

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly graphName: string;
  readonly createdAt: string;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  graph_name: string;
  created_at: Date;
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    graphName: row.graph_name,
    createdAt: row.created_at.toISOString(),
  };
}

const tenantColumns = 'id, slug, name, graph_name, created_at';

/**
 * Platform-level tenant administration. These queries run as the schema owner, outside any
 * tenant scope, because they concern the platform itself; callers must have checked that the
 * caller is a platform admin (or, for reads, a member of the tenant).
 */
export class TenantService {
  constructor(
    private readonly database: Database,
    /** When given, a deleted tenant's stored originals are removed too. */
    private readonly storage?: ObjectStorage,
  ) {}

  /** Creates the tenant row and its graph in one transaction: both exist, or neither. */
  async create(input: TenantInput): Promise<Tenant> {
    try {
      return await this.database.transaction(async (transaction) => {
        const identifier = await transaction.query<{ id: string }>('SELECT gen_random_uuid()::text AS id');
        const id = identifier.rows[0]!.id;
        const graphName = graphNameForTenant(id);
        const inserted = await transaction.query<TenantRow>(
          `INSERT INTO tenants (id, slug, name, graph_name) VALUES ($1, $2, $3, $4) RETURNING ${tenantColumns}`,
          [id, input.slug, input.name, graphName],
        );
        await createTenantGraph(transaction, graphName);
        await secureTenantGraph(transaction, id);
        return toTenant(inserted.rows[0]!);
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('tenant_exists', `A tenant with slug '${input.slug}' already exists`);
      }
      throw error;
    }
  }

  async list(): Promise<Tenant[]> {
    const result = await this.database.query<TenantRow>(`SELECT ${tenantColumns} FROM tenants ORDER BY created_at, id`);
    return result.rows.map(toTenant);
  }

  /** Finds a tenant by id or slug; null when there is none. */
  async find(identifier: string): Promise<Tenant | null> {
    const result = await this.database.query<TenantRow>(
      `SELECT ${tenantColumns} FROM tenants WHERE ${isTenantId(identifier) ? 'id = $1::uuid' : 'slug = $1'}`,
      [identifier],
    );
    const row = result.rows[0];
    return row ? toTenant(row) : null;
  }

  /** Finds a tenant by id or slug; NotFoundError when there is none. */
  async get(identifier: string): Promise<Tenant> {
    const tenant = await this.find(identifier);
    if (!tenant) throw new NotFoundError('tenant', identifier);
    return tenant;
  }

  /**
   * Deletes a tenant and everything it owns: rows go by ON DELETE CASCADE, the graph is dropped
   * in the same transaction.
   */
  async delete(identifier: string): Promise<Tenant> {
    const tenant = await this.get(identifier);
    await this.database.transaction(async (transaction) => {
      await dropTenantGraph(transaction, tenant.graphName);
      await transaction.query('DELETE FROM tenants WHERE id = $1', [tenant.id]);
    });
    await this.storage?.deletePrefix(`tenants/${tenant.id}/`);
    return tenant;
  }
}
