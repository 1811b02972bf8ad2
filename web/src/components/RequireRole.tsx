import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useAuth, type Role } from '../auth';

/** Client-side guard for pages (the server enforces the same rules on every route). */
export function RequireRole({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <p>Chargement…</p>;
  if (!me?.user) return <Navigate to={`/connexion?retour=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (roles && !roles.includes(me.user.role)) {
    return <Alert severity="error" title="Accès refusé" description="Votre rôle ne permet pas d’accéder à cette page." />;
  }
  return <>{children}</>;
}
