import { ValidationError } from './errors.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Tenant ids are lower-case UUIDs; anything else is refused before it reaches SQL. */
export function isTenantId(value: string): boolean {
  return uuidPattern.test(value);
}

export function assertTenantId(value: string): void {
  if (!isTenantId(value)) {
    throw new ValidationError('Invalid tenant id', [{ path: 'tenantId', message: 'must be a lower-case UUID' }]);
  }
}
