import { Navigate } from 'react-router';
import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const NetworkPage = lazyPage(() => import('./NetworkPage'), 'NetworkPage');
const CampaignPage = lazyPage(() => import('./ReviewPages'), 'CampaignPage');
const CampaignsPage = lazyPage(() => import('./ReviewPages'), 'CampaignsPage');
const ProjectPage = lazyPage(() => import('./ProjectPages'), 'ProjectPage');
const ProjectsPage = lazyPage(() => import('./ProjectPages'), 'ProjectsPage');
const PublicNetworkPage = lazyPage(() => import('./PublicPage'), 'PublicNetworkPage');

const all = ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] as const;

export const governanceWebModule: WebModule = {
  name: 'governance',
  nav: {
    text: 'Gouvernance',
    to: '/gouvernance',
    roles: [...all],
    children: [
      { text: 'Réseau des administrateurs', to: '/gouvernance/reseau', roles: [...all] },
      { text: 'Revues de la cartographie', to: '/gouvernance/revues', roles: [...all] },
      { text: 'Valeur des projets', to: '/gouvernance/projets', roles: [...all] },
    ],
  },
  home: {
    title: 'Gouvernance des données',
    description: 'Le réseau des administrateurs des données et leurs lettres de mission, les revues de la cartographie, la valeur des projets de données.',
    to: '/gouvernance/reseau',
  },
  routes: [
    { path: 'gouvernance', element: <Navigate to="/gouvernance/reseau" replace /> },
    ...(
      [
        ['gouvernance/reseau', <NetworkPage key="n" />],
        ['gouvernance/revues', <CampaignsPage key="c" />],
        ['gouvernance/revues/:id', <CampaignPage key="c1" />],
        ['gouvernance/projets', <ProjectsPage key="p" />],
        ['gouvernance/projets/:id', <ProjectPage key="p1" />],
      ] as const
    ).map(([path, el]) => ({ path, element: <RequireRole>{el}</RequireRole> })),
    { path: 'transparence/gouvernance', element: <PublicNetworkPage /> },
  ],
};
