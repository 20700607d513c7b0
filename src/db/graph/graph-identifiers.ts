import { ValidationError } from '../../core/errors.js';
import { assertTenantId } from '../../core/tenant-id.js';

// Graph names and labels cannot be bound as parameters: they become SQL identifiers and parts of
// the Cypher text. So they are checked against strict patterns before they go anywhere near SQL.
// AGE needs graph names of at least 3 characters; PostgreSQL identifiers stop at 63 bytes.
const graphNamePattern = /^[a-z_][a-z0-9_]{2,62}$/;
const labelPattern = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const columnPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertGraphName(name: string): void {
  if (!graphNamePattern.test(name)) {
    throw new ValidationError('Invalid graph name', [
      { path: 'graph', message: 'must match ^[a-z_][a-z0-9_]{2,62}$' },
    ]);
  }
}

export function assertLabel(label: string): void {
  if (!labelPattern.test(label)) {
    throw new ValidationError('Invalid graph label', [
      { path: 'label', message: 'must match ^[A-Za-z][A-Za-z0-9_]{0,62}$' },
    ]);
  }
}

export function assertColumnName(name: string): void {
  if (!columnPattern.test(name)) {
    throw new ValidationError('Invalid result column name', [
      { path: 'column', message: 'must match ^[a-z_][a-z0-9_]{0,62}$' },
    ]);
  }
}

/** Each tenant's graph is named from its id only, so no user input can pick another graph. */
export function graphNameForTenant(tenantId: string): string {
  assertTenantId(tenantId);
  return `tenant_${tenantId.replaceAll('-', '')}`;
}
