import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const DefinitionPage = lazyPage(() => import('./DefinitionPages'), 'DefinitionPage');
const DefinitionsPage = lazyPage(() => import('./DefinitionPages'), 'DefinitionsPage');
const RequestPage = lazyPage(() => import('./RequestPage'), 'RequestPage');
const MyRequestsPage = lazyPage(() => import('./ListPages'), 'MyRequestsPage');
const QueuePage = lazyPage(() => import('./ListPages'), 'QueuePage');
const RevealPage = lazyPage(() => import('./ListPages'), 'RevealPage');
const OpenDataPage = lazyPage(() => import('./DefinitionPages'), 'OpenDataPage');
const ManagePage = lazyPage(() => import('./ManagePage'), 'ManagePage');

const signedIn = (el: React.ReactNode) => <RequireRole>{el}</RequireRole>;

/** Access requests (habilitations), compatible with DataPass. */
export const habilitationsWebModule: WebModule = {
  name: 'habilitations',
  nav: {
    text: 'Habilitations',
    to: '/habilitations',
    children: [
      { text: 'Demander un accès', to: '/habilitations' },
      { text: 'Mes demandes', to: '/habilitations/mes-demandes', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Instruction', to: '/habilitations/instruction', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
    ],
  },
  routes: [
    { path: '/habilitations', element: <DefinitionsPage /> },
    { path: '/habilitations/mes-demandes', element: signedIn(<MyRequestsPage />) },
    { path: '/habilitations/instruction', element: signedIn(<QueuePage />) },
    { path: '/habilitations/demandes/:id', element: signedIn(<RequestPage />) },
    { path: '/habilitations/secret/:token', element: <RevealPage /> },
    { path: '/habilitations/donnees-ouvertes', element: <OpenDataPage /> },
    { path: '/habilitations/:id/gestion', element: signedIn(<ManagePage />) },
    { path: '/habilitations/:id', element: <DefinitionPage /> },
  ],
  home: {
    title: 'Habilitations',
    description: 'Demander l’accès aux API et données restreintes, instruire les demandes : l’accès à la passerelle s’ouvre dès la validation.',
    to: '/habilitations',
  },
};
