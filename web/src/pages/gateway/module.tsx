import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const PortalPage = lazyPage(() => import('./PortalPage'), 'PortalPage');
const ApiPage = lazyPage(() => import('./ApiPage'), 'ApiPage');
const AppsPage = lazyPage(() => import('./AppsPage'), 'AppsPage');
const ProducerPage = lazyPage(() => import('./ProducerPage'), 'ProducerPage');
const FranceConnectGuidePage = lazyPage(() => import('./FranceConnectGuidePage'), 'FranceConnectGuidePage');

/** The developer portal of the API gateway. */
export const gatewayWebModule: WebModule = {
  name: 'gateway',
  nav: {
    text: 'Portail des API',
    to: '/api-portail',
    children: [
      { text: 'Catalogue des API', to: '/api-portail' },
      { text: 'Mes applications', to: '/api-portail/applications', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Espace producteur', to: '/api-portail/producteur', roles: ['admin', 'data_admin'] },
    ],
  },
  routes: [
    { path: '/api-portail', element: <PortalPage /> },
    {
      path: '/api-portail/applications',
      element: (
        <RequireRole>
          <AppsPage />
        </RequireRole>
      ),
    },
    {
      path: '/api-portail/producteur',
      element: (
        <RequireRole>
          <ProducerPage />
        </RequireRole>
      ),
    },
    { path: '/api-portail/:slug/franceconnect', element: <FranceConnectGuidePage /> },
    { path: '/api-portail/:slug', element: <ApiPage /> },
  ],
  home: {
    title: 'Portail des API',
    description: 'Les API du ministère : documentation, essai en ligne, clés et jetons OAuth2, limites et disponibilité.',
    to: '/api-portail',
  },
};
