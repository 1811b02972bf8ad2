import type { WebModule } from '../../modules';
import { SchemaPage, SchemasPage } from './SchemasPage';
import { ValidatePage } from './ValidatePage';

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
