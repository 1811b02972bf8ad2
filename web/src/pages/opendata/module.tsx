import type { WebModule } from '../../modules';
import { lazyPage } from '../../components/lazyPage';

const SchemaPage = lazyPage(() => import('./SchemasPage'), 'SchemaPage');
const SchemasPage = lazyPage(() => import('./SchemasPage'), 'SchemasPage');
const ValidatePage = lazyPage(() => import('./ValidatePage'), 'ValidatePage');

/** Open data: the schema catalogue and « Valider un fichier » (both public, like validata.fr). */
export const opendataWebModule: WebModule = {
  name: 'opendata',
  nav: {
    text: 'Données ouvertes',
    to: '/donnees-ouvertes/valider',
    children: [
      { text: 'Valider un fichier', to: '/donnees-ouvertes/valider' },
      { text: 'Schémas', to: '/donnees-ouvertes/schemas' },
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
  ],
};
