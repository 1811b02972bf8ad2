import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const SearchPage = lazyPage(() => import('./SearchPage'), 'SearchPage');
const AssetPage = lazyPage(() => import('./asset/AssetPage'), 'AssetPage');
const CreateAssetPage = lazyPage(() => import('./EditPages'), 'CreateAssetPage');
const EditAssetPage = lazyPage(() => import('./EditPages'), 'EditAssetPage');
const DashboardPage = lazyPage(() => import('./DashboardPage'), 'DashboardPage');
const ImportPage = lazyPage(() => import('./ImportPage'), 'ImportPage');
const SynonymsPage = lazyPage(() => import('./SynonymsPage'), 'SynonymsPage');
const AlgorithmExplanationPage = lazyPage(() => import('./AlgorithmExplanationPage'), 'AlgorithmExplanationPage');

const writers = ['admin', 'data_admin', 'editor'] as const;

export const catalogWebModule: WebModule = {
  name: 'catalog',
  nav: {
    text: 'Catalogue',
    to: '/catalogue',
    children: [
      { text: 'Rechercher', to: '/catalogue' },
      { text: 'Tableau de bord', to: '/catalogue/tableau-de-bord', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Décrire un actif', to: '/catalogue/nouveau', roles: [...writers] },
      { text: 'Importer / exporter', to: '/catalogue/import', roles: [...writers] },
      { text: 'Synonymes de la recherche', to: '/catalogue/synonymes', roles: ['admin', 'data_admin'] },
    ],
  },
  home: {
    title: 'Catalogue et cartographie',
    description: 'Trouver, décrire et relier les applications, données, API, codes sources et algorithmes du ministère.',
    to: '/catalogue',
  },
  routes: [
    { path: 'catalogue', element: <SearchPage /> },
    {
      path: 'catalogue/tableau-de-bord',
      element: (
        <RequireRole>
          <DashboardPage />
        </RequireRole>
      ),
    },
    {
      path: 'catalogue/nouveau',
      element: (
        <RequireRole roles={[...writers]}>
          <CreateAssetPage />
        </RequireRole>
      ),
    },
    {
      path: 'catalogue/import',
      element: (
        <RequireRole roles={[...writers]}>
          <ImportPage />
        </RequireRole>
      ),
    },
    // The synonym list of the search: read by any account, edited by the data team (ADR 0106).
    {
      path: 'catalogue/synonymes',
      element: (
        <RequireRole>
          <SynonymsPage />
        </RequireRole>
      ),
    },
    // Public explanation of a published algorithm (article L311-3-1 CRPA): no login.
    { path: 'catalogue/algorithm/:slug/explication', element: <AlgorithmExplanationPage /> },
    { path: 'catalogue/:kind/:slug', element: <AssetPage /> },
    {
      path: 'catalogue/:kind/:slug/modifier',
      element: (
        <RequireRole roles={[...writers]}>
          <EditAssetPage />
        </RequireRole>
      ),
    },
  ],
};
