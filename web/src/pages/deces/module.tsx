import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const SearchPage = lazyPage(() => import('./SearchPage'), 'SearchPage');
const RecordPage = lazyPage(() => import('./RecordPage'), 'RecordPage');
const BulkPage = lazyPage(() => import('./BulkPage'), 'BulkPage');
const StatsPage = lazyPage(() => import('./StatsPage'), 'StatsPage');
const ReviewPage = lazyPage(() => import('./ReviewPage'), 'ReviewPage');
const AdminPage = lazyPage(() => import('./AdminPage'), 'AdminPage');

/** The deaths-records pages: search, record, bulk matching, statistics, corrections review. */
export const decesWebModule: WebModule = {
  name: 'deces',
  nav: {
    text: 'Décès',
    to: '/deces',
    children: [
      { text: 'Rechercher', to: '/deces' },
      { text: 'Appariement en masse', to: '/deces/appariement', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
      { text: 'Statistiques', to: '/deces/statistiques' },
      { text: 'Corrections à relire', to: '/deces/corrections', roles: ['admin', 'reviewer'] },
      { text: 'Fichiers Insee', to: '/deces/fichiers', roles: ['admin'] },
    ],
  },
  routes: [
    { path: 'deces', element: <SearchPage /> },
    { path: 'deces/personne/:id', element: <RecordPage /> },
    {
      path: 'deces/appariement',
      element: (
        <RequireRole>
          <BulkPage />
        </RequireRole>
      ),
    },
    { path: 'deces/statistiques', element: <StatsPage /> },
    {
      path: 'deces/fichiers',
      element: (
        <RequireRole roles={['admin']}>
          <AdminPage />
        </RequireRole>
      ),
    },
    {
      path: 'deces/corrections',
      element: (
        <RequireRole roles={['admin', 'reviewer']}>
          <ReviewPage />
        </RequireRole>
      ),
    },
  ],
  home: {
    title: 'Personnes décédées',
    description: 'Rechercher dans le fichier des décès de l’Insee, apparier un fichier, proposer des corrections.',
    to: '/deces',
  },
};
