import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const LinkPage = lazyPage(() => import('./LinkPage'), 'LinkPage');
const MfaPage = lazyPage(() => import('./MfaPage'), 'MfaPage');
const FederationAdminPage = lazyPage(() => import('./FederationAdminPage'), 'FederationAdminPage');

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
