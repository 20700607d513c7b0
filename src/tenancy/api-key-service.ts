import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Database } from '../core/database.js';
import { AuthenticationError, NotFoundError, ValidationError } from '../core/errors.js';
import type { Principal, Role } from '../core/principal.js';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from './api-key-secret.js';

export const apiKeyInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  role: z.enum(['admin', 'owner', 'editor', 'reader']),
  tenantId: z.uuid().nullable().default(null),
});
export type ApiKeyInput = z.infer<typeof apiKeyInputSchema>;

export interface ApiKeySummary {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tenantId: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeySummary {
  /** The full key. Returned once, at creation; only its hash is stored. */
  readonly key: string;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  tenant_id: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const keyColumns = 'id, name, role, tenant_id, created_at, revoked_at';

function toSummary(row: ApiKeyRow): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tenantId: row.tenant_id,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
  };
}

export interface ApiKeyServiceOptions {
  /**
   * Seconds a verified key is trusted without reading its row again (0: every request reads it).
   * A revocation through this instance takes effect at once; one through another instance of
   * the service (another replica) within this many seconds.
   */
  readonly verifiedKeySeconds?: number;
  /** Verified keys remembered at most (least recently used go first). */
  readonly maxVerifiedKeys?: number;
}

interface VerifiedKey {
  readonly principal: Principal;
  readonly secretHash: Buffer;
}

/** Creates, lists, revokes and checks API keys. Platform-level: runs outside tenant scope. */
export class ApiKeyService {
  /** Keys checked against the database recently, by key id; the secret is compared every time. */
  private readonly verified: LRUCache<string, VerifiedKey> | null;
  /** Counts revocations: a check that read its row before one may not remember the key. */
  private revocations = 0;

  constructor(
    private readonly database: Database,
    options: ApiKeyServiceOptions = {},
  ) {
    const seconds = options.verifiedKeySeconds ?? 0;
    this.verified =
      seconds > 0 ? new LRUCache({ max: options.maxVerifiedKeys ?? 10_000, ttl: seconds * 1000, ttlAutopurge: false }) : null;
  }

  async create(input: ApiKeyInput): Promise<CreatedApiKey> {
    if ((input.role === 'admin') !== (input.tenantId === null)) {
      throw new ValidationError('Admin keys belong to no tenant; every other key needs a tenant', [
        { path: 'tenantId', message: input.role === 'admin' ? 'must be null for admin keys' : 'is required' },
      ]);
    }
    if (input.tenantId !== null) {
      const tenant = await this.database.query('SELECT 1 FROM tenants WHERE id = $1', [input.tenantId]);
      if (tenant.rowCount === 0) throw new NotFoundError('tenant', input.tenantId);
    }
    const generated = generateApiKey();
    const result = await this.database.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, tenant_id, role, name, secret_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${keyColumns}`,
      [generated.id, input.tenantId, input.role, input.name, generated.secretHash],
    );
    return { ...toSummary(result.rows[0]!), key: generated.key };
  }

  /** Stores a key chosen by the operator (RHIZOME_BOOTSTRAP_ADMIN_KEY); idempotent. */
  async ensureAdminKey(key: string, name: string): Promise<void> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new ValidationError('The bootstrap admin key is malformed');
    await this.database.query(
      `INSERT INTO api_keys (id, tenant_id, role, name, secret_hash) VALUES ($1, NULL, 'admin', $2, $3)
       ON CONFLICT (id) DO NOTHING`,
      [parsed.id, name, hashSecret(parsed.secret)],
    );
  }

  async hasActiveAdminKey(): Promise<boolean> {
    const result = await this.database.query(
      "SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1",
    );
    return result.rowCount > 0;
  }

  /** Lists keys, of one tenant or (tenantId null) the platform admins' keys. */
  async list(filter: { tenantId: string | null } | 'all'): Promise<ApiKeySummary[]> {
    const result =
      filter === 'all'
        ? await this.database.query<ApiKeyRow>(`SELECT ${keyColumns} FROM api_keys ORDER BY created_at, id`)
        : await this.database.query<ApiKeyRow>(
            `SELECT ${keyColumns} FROM api_keys WHERE tenant_id IS NOT DISTINCT FROM $1 ORDER BY created_at, id`,
            [filter.tenantId],
          );
    return result.rows.map(toSummary);
  }

  async get(id: string): Promise<ApiKeySummary> {
    const result = await this.database.query<ApiKeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE id = $1`, [id]);
    const row = result.rows[0];
    if (!row) throw new NotFoundError('api_key', id);
    return toSummary(row);
  }

  /** Revokes a key; revoking twice keeps the first revocation time. */
  async revoke(id: string): Promise<ApiKeySummary> {
    const result = await this.database.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${keyColumns}`,
      [id],
    );
    const row = result.rows[0];
    if (!row) throw new NotFoundError('api_key', id);
    this.revocations += 1;
    this.verified?.delete(id);
    return toSummary(row);
  }

  /** Forgets every verified key: the next request of each reads its row (e.g. after a tenant is deleted). */
  forgetVerifiedKeys(): void {
    this.revocations += 1;
    this.verified?.clear();
  }

  /** Checks a presented key. Every failure looks the same to the caller. */
  async authenticate(presented: string): Promise<Principal> {
    const invalid = new AuthenticationError('invalid_credentials', 'The API key is invalid or revoked');
    const parsed = parseApiKey(presented);
    if (!parsed) throw invalid;
    // A recently verified key skips the database read, never the secret comparison.
    const remembered = this.verified?.get(parsed.id);
    if (remembered && secretMatches(parsed.secret, remembered.secretHash)) return remembered.principal;
    const revocationsBefore = this.revocations;
    const result = await this.database.query<{
      role: Role;
      tenant_id: string | null;
      secret_hash: Buffer;
      revoked_at: Date | null;
    }>('SELECT role, tenant_id, secret_hash, revoked_at FROM api_keys WHERE id = $1', [parsed.id]);
    const row = result.rows[0];
    if (!row || row.revoked_at !== null || !secretMatches(parsed.secret, row.secret_hash)) throw invalid;
    const principal: Principal = { keyId: parsed.id, role: row.role, tenantId: row.tenant_id };
    if (this.revocations === revocationsBefore) this.verified?.set(parsed.id, { principal, secretHash: row.secret_hash });
    return principal;
  }
}
