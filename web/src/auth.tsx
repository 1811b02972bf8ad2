import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type { LoginBody, me, Role } from '@patrimoine/contracts/platform';
import { api, setCsrfToken } from './api/client';

// (role labels: import them from @patrimoine/contracts/platform, which this first-loaded file keeps out of the main script)
export type { Role };

/** The current identity, as `GET /api/auth/me` sends it. */
export type Me = WireOf<typeof me>;

/** Query key of the current identity (sign-in and sign-out replace it). */
export const meKey = ['me'] as const;

interface AuthState {
  me: Me | undefined;
  loading: boolean;
  refresh(): Promise<void>;
  setMe(me: Me): void;
  hasRole(...roles: Role[]): boolean;
}

const Ctx = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: meKey, queryFn: () => api<Me>('/api/auth/me'), staleTime: 60_000 });
  useEffect(() => setCsrfToken(q.data?.csrfToken ?? null), [q.data]);
  const state: AuthState = {
    me: q.data,
    loading: q.isLoading,
    async refresh() {
      await qc.invalidateQueries({ queryKey: meKey });
    },
    setMe(me) {
      setCsrfToken(me.csrfToken);
      qc.setQueryData(meKey, me);
    },
    hasRole(...roles) {
      const r = q.data?.user?.role;
      return !!r && roles.includes(r);
    },
  };
  return <Ctx.Provider value={state}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthState {
  const c = useContext(Ctx);
  if (!c) throw new Error('useAuth outside AuthProvider');
  return c;
}

/** Signs in; the answer becomes the current identity. */
export function useLogin() {
  const { setMe } = useAuth();
  return useMutation({
    mutationFn: (body: LoginBody) => api<Me>('/api/auth/login', { method: 'POST', body }),
    onSuccess: (me) => setMe(me),
  });
}

/** Signs out: the identity becomes anonymous and every cached answer is dropped. */
export function useLogout() {
  const { me, setMe } = useAuth();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ redirectUrl: string }>('/api/auth/proconnect/logout', { method: 'POST' }),
    onSuccess: () => {
      const orgName = me?.orgName ?? "Ministère de l'Intérieur";
      // Every answer fetched with the session goes; the identity itself is replaced, not dropped
      // (its observers keep watching the same query).
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
      setMe({ authenticated: false, user: null, csrfToken: null, orgName });
    },
  });
}
