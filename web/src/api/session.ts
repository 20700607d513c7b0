import type { Role } from './types.js';

/**
 * Who is signed in, kept in sessionStorage: it survives reloads of the tab and is gone when the tab
 * closes, so a key is never left behind on a shared computer.
 */
export interface Session {
  /** The API's base URL; empty for the origin that served the page. */
  readonly apiUrl: string;
  readonly key: string;
  readonly role: Role;
  /** The key's own tenant; null for platform admin keys. */
  readonly keyTenantId: string | null;
  /** The tenant an admin key acts on (X-Rhizome-Tenant); the key's own tenant otherwise. */
  readonly tenant: string | null;
}

const storageKey = 'rhizome.session';

/** The API base URL the bundle was built for (VITE_RHIZOME_API_URL); empty means this origin. */
export const defaultApiUrl: string = (import.meta.env.VITE_RHIZOME_API_URL as string | undefined) ?? '';

export function loadSession(storage: Storage = sessionStorage): Session | null {
  try {
    const raw = storage.getItem(storageKey);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.key !== 'string' || typeof value.role !== 'string') return null;
    return {
      apiUrl: typeof value.apiUrl === 'string' ? value.apiUrl : defaultApiUrl,
      key: value.key,
      role: value.role,
      keyTenantId: value.keyTenantId ?? null,
      tenant: value.tenant ?? null,
    };
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null, storage: Storage = sessionStorage): void {
  if (session) storage.setItem(storageKey, JSON.stringify(session));
  else storage.removeItem(storageKey);
}
