import type { WebModule } from '../../modules';
import { lazyPage } from '../../components/lazyPage';
import { RequireRole } from '../../components/RequireRole';

const SchemaPage = lazyPage(() => import('./SchemasPage'), 'SchemaPage');
const SchemasPage = lazyPage(() => import('./SchemasPage'), 'SchemasPage');
const ValidatePage = lazyPage(() => import('./ValidatePage'), 'ValidatePage');
const DatasetPage = lazyPage(() => import('./DatasetPages'), 'DatasetPage');
const PublishedDatasetsPage = lazyPage(() => import('./DatasetPages'), 'PublishedDatasetsPage');
const VersionPage = lazyPage(() => import('./VersionPage'), 'VersionPage');
const UsagePage = lazyPage(() => import('./UsagePage'), 'UsagePage');

/** Open data: published datasets (public pages, editor tools), « Valider un fichier », the schema catalogue, downloads. */
export const opendataWebModule: WebModule = {
  name: 'opendata',
  nav: {
    text: 'Données ouvertes',
    to: '/donnees-ouvertes/jeux',
    children: [
      { text: 'Jeux de données publiés', to: '/donnees-ouvertes/jeux' },
      { text: 'Valider un fichier', to: '/donnees-ouvertes/valider' },
      { text: 'Schémas', to: '/donnees-ouvertes/schemas' },
      { text: 'Indicateurs d’usage', to: '/donnees-ouvertes/telechargements', roles: ['admin', 'data_admin', 'editor'] },
    ],
  },
  home: {
    title: 'Valider un fichier de données ouvertes',
    description: 'Vérifier un CSV, XLSX ou ODS contre un schéma de schema.data.gouv.fr ou du ministère, et repérer les données personnelles avant publication.',
    to: '/donnees-ouvertes/valider',
  },
  routes: [
    { path: 'donnees-ouvertes/valider', element: <ValidatePage /> },
    { path: 'donnees-ouvertes/schemas', element: <SchemasPage /> },
    { path: 'donnees-ouvertes/schemas/:id', element: <SchemaPage /> },
    { path: 'donnees-ouvertes/jeux', element: <PublishedDatasetsPage /> },
    { path: 'donnees-ouvertes/jeux/:slug', element: <DatasetPage /> },
    { path: 'donnees-ouvertes/versions/:id', element: <VersionPage /> },
    {
      path: 'donnees-ouvertes/telechargements',
      element: (
        <RequireRole roles={['admin', 'data_admin', 'editor']}>
          <UsagePage />
        </RequireRole>
      ),
    },
  ],
};
