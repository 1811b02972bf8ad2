import { Navigate } from 'react-router';
import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { base } from './paths';
import { useRoadmaps } from './api';
import { lazyPage } from '../../components/lazyPage';
import { PageError } from '../../components/Page';

const ActionsPage = lazyPage(() => import('./ActionsPage'), 'ActionsPage');
const ActionPage = lazyPage(() => import('./ActionPage'), 'ActionPage');
const OpeningsPage = lazyPage(() => import('./OpeningsPage'), 'OpeningsPage');
const DashboardPage = lazyPage(() => import('./DashboardPage'), 'DashboardPage');
const CommitteePage = lazyPage(() => import('./CommitteePage'), 'CommitteePage');
const BulkPage = lazyPage(() => import('./BulkPage'), 'BulkPage');
const PublicPage = lazyPage(() => import('./PublicPage'), 'PublicPage');

/** `/feuille-de-route`: the roadmap covering the current year (else the latest with actions). */
function RoadmapIndex() {
  const r = useRoadmaps();
  if (r.error) return <PageError error={r.error} />;
  if (!r.data) return <p>Chargement…</p>;
  const year = new Date().getFullYear();
  const withActions = r.data.items.filter((x) => x.actions > 0);
  const pick = withActions.find((x) => x.startYear <= year && year <= x.endYear) ?? withActions[0] ?? r.data.items[0];
  if (!pick) return <p>Aucune feuille de route.</p>;
  return <Navigate to={base(pick.slug)} replace />;
}

const editors = ['admin', 'data_admin'] as const;

export const roadmapWebModule: WebModule = {
  name: 'roadmap',
  nav: {
    text: 'Feuille de route',
    to: '/feuille-de-route',
    children: [
      { text: 'Actions', to: '/feuille-de-route', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Tableau de bord', to: '/feuille-de-route/dac-2021-2023/tableau-de-bord', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Comité de gouvernance', to: '/feuille-de-route/dac-2021-2023/comite', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Transparence (public)', to: '/transparence/feuille-de-route' },
    ],
  },
  home: {
    title: 'Pilotage de la feuille de route',
    description: 'Suivre les actions et les ouvertures annoncées de la feuille de route, les retards, les tableaux de bord et préparer le comité trimestriel.',
    to: '/feuille-de-route',
  },
  routes: [
    {
      path: 'feuille-de-route',
      element: (
        <RequireRole>
          <RoadmapIndex />
        </RequireRole>
      ),
    },
    {
      path: 'feuille-de-route/:slug',
      element: (
        <RequireRole>
          <ActionsPage />
        </RequireRole>
      ),
    },
    {
      path: 'feuille-de-route/:slug/actions/:code',
      element: (
        <RequireRole>
          <ActionPage />
        </RequireRole>
      ),
    },
    {
      path: 'feuille-de-route/:slug/ouvertures',
      element: (
        <RequireRole>
          <OpeningsPage />
        </RequireRole>
      ),
    },
    {
      path: 'feuille-de-route/:slug/tableau-de-bord',
      element: (
        <RequireRole>
          <DashboardPage />
        </RequireRole>
      ),
    },
    {
      path: 'feuille-de-route/:slug/comite',
      element: (
        <RequireRole>
          <CommitteePage />
        </RequireRole>
      ),
    },
    {
      path: 'feuille-de-route/:slug/mise-a-jour',
      element: (
        <RequireRole roles={[...editors]}>
          <BulkPage />
        </RequireRole>
      ),
    },
    { path: 'transparence/feuille-de-route', element: <PublicPage /> },
  ],
};
