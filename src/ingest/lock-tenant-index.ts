import type { Queryable } from '../core/database.js';

/**
 * Serialises changes to one tenant's index (writing a document, removing one) until the end of
 * the transaction. Both touch shared rows — term and corpus statistics, entities, relations — and
 * PostgreSQL does not lock the rows of an UPDATE … FROM in a fixed order, so two concurrent changes
 * could deadlock. The expensive work (parsing, embedding, extraction) happens before the lock,
 * so only the short bulk write waits; different tenants never wait for each other.
 */
export async function lockTenantIndex(transaction: Queryable, tenantId: string): Promise<void> {
  await transaction.query("SELECT pg_advisory_xact_lock(hashtext('rhizome:index'), hashtext($1))", [tenantId]);
}
