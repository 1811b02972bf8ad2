import type { WebModule } from '../../modules';
import { RequireRole } from '../../components/RequireRole';
import { lazyPage } from '../../components/lazyPage';

const QuestionsPage = lazyPage(() => import('./QuestionPages'), 'QuestionsPage');
const QuestionEditPage = lazyPage(() => import('./QuestionPages'), 'QuestionEditPage');
const QuestionPage = lazyPage(() => import('./QuestionPages'), 'QuestionPage');
const DashboardsPage = lazyPage(() => import('./DashboardPages'), 'DashboardsPage');
const DashboardPage = lazyPage(() => import('./DashboardPages'), 'DashboardPage');
const DashboardEditPage = lazyPage(() => import('./DashboardPages'), 'DashboardEditPage');
const EmbedPage = lazyPage(() => import('./DashboardPages'), 'EmbedPage');

/** Explore (issue 18): questions without SQL (or with, for the data team), charts, maps, dashboards, embeds. */
export const exploreWebModule: WebModule = {
  name: 'explore',
  nav: {
    text: 'Exploration',
    to: '/exploration/tableaux',
    children: [
      { text: 'Tableaux de bord', to: '/exploration/tableaux' },
      { text: 'Questions', to: '/exploration/questions', roles: ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] },
    ],
  },
  home: {
    title: 'Explorer les données publiées',
    description:
      'Poser des questions aux données sans écrire de SQL, en faire des graphiques et des cartes, les réunir en tableaux de bord publics ou restreints.',
    to: '/exploration/tableaux',
  },
  routes: [
    { path: 'exploration/tableaux', element: <DashboardsPage /> },
    { path: 'exploration/tableaux/:id', element: <DashboardPage /> },
    ...(
      [
        ['exploration/questions', <QuestionsPage key="q" />],
        ['exploration/questions/nouvelle', <QuestionEditPage key="qn" />],
        ['exploration/questions/:id', <QuestionPage key="qv" />],
        ['exploration/questions/:id/modifier', <QuestionEditPage key="qe" />],
        ['exploration/tableaux/nouveau', <DashboardEditPage key="dn" />],
        ['exploration/tableaux/:id/modifier', <DashboardEditPage key="de" />],
      ] as const
    ).map(([path, el]) => ({ path, element: <RequireRole>{el}</RequireRole> })),
  ],
  bareRoutes: [{ path: 'integration/tableaux/:token', element: <EmbedPage /> }],
};
