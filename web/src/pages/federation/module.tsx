import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { LinkPage } from './LinkPage';
import { MfaPage } from './MfaPage';
import { FederationAdminPage } from './FederationAdminPage';

/** ProConnect sign-in pages and their administration (the login button is on the login page). */
export const federationWebModule: WebModule = {
  name: 'federation',
  routes: [
    { path: 'connexion/proconnect/lier', element: <LinkPage /> },
    { path: 'connexion/proconnect/mfa', element: <MfaPage /> },
    {
      path: 'admin/proconnect',
      element: (
        <RequireRole roles={['admin']}>
          <FederationAdminPage />
        </RequireRole>
      ),
    },
  ],
};
