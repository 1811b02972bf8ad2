import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './api/client';

export type Role = 'admin' | 'data_admin' | 'editor' | 'reviewer' | 'reader';

export interface Me {
  authenticated: boolean;
  user: {
    id: string;
    login: string;
    displayName: string;
    role: Role;
    organisationId: string | null;
    organisationCode: string | null;
    mustChangePassword: boolean;
  } | null;
  csrfToken: string | null;
  orgName: string;
}

interface AuthState {
  me: Me | undefined;
  loading: boolean;
  refresh(): Promise<void>;
  setMe(me: Me): void;
  hasRole(...roles: Role[]): boolean;
}

const Ctx = createContext<AuthState | null>(null);

export const roleLabels: Record<Role, string> = {
  admin: 'Administrateur ministériel',
  data_admin: 'Administrateur des données (direction)',
  editor: 'Responsable d’application ou d’API',
  reviewer: 'Relecteur',
  reader: 'Agent (lecture)',
};

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/api/auth/me'), staleTime: 60_000 });
  useEffect(() => setCsrfToken(q.data?.csrfToken ?? null), [q.data]);
  const state: AuthState = {
    me: q.data,
    loading: q.isLoading,
    async refresh() {
      await qc.invalidateQueries({ queryKey: ['me'] });
    },
    setMe(me) {
      setCsrfToken(me.csrfToken);
      qc.setQueryData(['me'], me);
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
