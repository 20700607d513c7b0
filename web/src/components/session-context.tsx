import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import { callApi, type RequestOptions } from '../api/client.js';
import { loadSession, saveSession, type Session } from '../api/session.js';

interface SessionContextValue {
  readonly session: Session | null;
  setSession(session: Session | null): void;
  /** Switch the tenant an admin key acts on. */
  setTenant(tenant: string | null): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [session, setState] = useState<Session | null>(() => loadSession());
  const queryClient = useQueryClient();
  const setSession = useCallback(
    (next: Session | null) => {
      saveSession(next);
      setState(next);
      if (!next) queryClient.clear();
    },
    [queryClient],
  );
  const setTenant = useCallback((tenant: string | null) => {
    setState((current) => {
      if (!current) return current;
      const next = { ...current, tenant };
      saveSession(next);
      return next;
    });
  }, []);
  const value = useMemo(() => ({ session, setSession, setTenant }), [session, setSession, setTenant]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in session (pages behind sign-in only) and a bound API caller. */
export function useApi(): {
  session: Session;
  call: <T>(path: string, options?: RequestOptions) => Promise<T>;
  /** Prefix for query keys, so tenants never share cached data. */
  scope: readonly [string, string];
} {
  const { session } = useSession();
  if (!session) throw new Error('useApi needs a session');
  const call = useCallback(
    <T,>(path: string, options?: RequestOptions) => callApi<T>(session, path, options),
    [session],
  );
  return { session, call, scope: [session.key.slice(0, 16), session.tenant ?? ''] as const };
}
