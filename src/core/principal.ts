/**
 * Who is calling. `admin` keys administer the whole platform and belong to no tenant; every other
 * key belongs to exactly one tenant and carries one of the tenant roles, strongest first.
 */
export const tenantRoles = ['owner', 'editor', 'reader'] as const;
export type TenantRole = (typeof tenantRoles)[number];
export type Role = 'admin' | TenantRole;

export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  /** The key's tenant; null for platform admins. */
  readonly tenantId: string | null;
}

const strength: Record<Role, number> = { admin: 4, owner: 3, editor: 2, reader: 1 };

/** True when `role` grants at least what `required` grants. */
export function roleSatisfies(role: Role, required: Role): boolean {
  return strength[role] >= strength[required];
}
