import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useAuth, type Role } from '../auth';
import { MfaNotice } from '../pages/federation/MfaPage';
import { PageTitle } from './Page';

/** Client-side guard for pages (the server enforces the same rules on every route). */
export function RequireRole({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <p>Chargement…</p>;
  if (!me?.user) return <Navigate to={`/connexion?retour=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (roles && !roles.includes(me.user.role)) {
    // A ProConnect session below the acr the account's role needs: say so and offer an MFA sign-in.
    if (me.assurance?.elevationRequired)
      return (
        <>
          <PageTitle>Double authentification requise</PageTitle>
          <MfaNotice retour={location.pathname + location.search} />
        </>
      );
    return (
      <>
        <PageTitle>Accès refusé</PageTitle>
        <Alert
          severity="error"
          title="Votre rôle ne permet pas d’accéder à cette page"
          description="Demandez à l’administrateur ministériel des données le rôle qui convient."
        />
      </>
    );
  }
  return <>{children}</>;
}
