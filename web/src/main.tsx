import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { AuthProvider } from './auth';
import { Layout } from './components/Layout';
import { RequireRole } from './components/RequireRole';
import { HomePage } from './pages/home/HomePage';
import { NotFoundPage } from './pages/home/NotFoundPage';
import { webModules } from './modules';
import { lazyPage, preloadRoute } from './components/lazyPage';

const LoginPage = lazyPage(() => import('./pages/auth/LoginPage'), 'LoginPage');
const AccessibilityPage = lazyPage(() => import('./pages/legal/LegalPages'), 'AccessibilityPage');
const LegalNoticePage = lazyPage(() => import('./pages/legal/LegalPages'), 'LegalNoticePage');
const PersonalDataPage = lazyPage(() => import('./pages/legal/LegalPages'), 'PersonalDataPage');
const SiteMapPage = lazyPage(() => import('./pages/legal/LegalPages'), 'SiteMapPage');
const AccountPage = lazyPage(() => import('./pages/account/AccountPage'), 'AccountPage');
const JobsPage = lazyPage(() => import('./pages/account/JobsPage'), 'JobsPage');
const UsersPage = lazyPage(() => import('./pages/admin/UsersPage'), 'UsersPage');
const AuditPage = lazyPage(() => import('./pages/admin/AuditPage'), 'AuditPage');
const OrganisationsPage = lazyPage(() => import('./pages/admin/OrganisationsPage'), 'OrganisationsPage');

startReactDsfr({ defaultColorScheme: 'system', Link });

declare module '@codegouvfr/react-dsfr/spa' {
  interface RegisterLink {
    Link: typeof Link;
  }
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: (n, err) => n < 2 && !(err && 'status' in err && (err as { status: number }).status < 500), refetchOnWindowFocus: false },
  },
});

/** The platform's own pages (the modules' come from `webModules`). */
const platformRoutes: { path: string; element: ReactNode }[] = [
  { path: 'connexion', element: <LoginPage /> },
  { path: 'accessibilite', element: <AccessibilityPage /> },
  { path: 'mentions-legales', element: <LegalNoticePage /> },
  { path: 'donnees-personnelles', element: <PersonalDataPage /> },
  { path: 'plan-du-site', element: <SiteMapPage /> },
  {
    path: 'compte',
    element: (
      <RequireRole>
        <AccountPage />
      </RequireRole>
    ),
  },
  {
    path: 'taches',
    element: (
      <RequireRole>
        <JobsPage />
      </RequireRole>
    ),
  },
  {
    path: 'admin/utilisateurs',
    element: (
      <RequireRole roles={['admin']}>
        <UsersPage />
      </RequireRole>
    ),
  },
  {
    path: 'admin/audit',
    element: (
      <RequireRole roles={['admin']}>
        <AuditPage />
      </RequireRole>
    ),
  },
  {
    path: 'admin/organisations',
    element: (
      <RequireRole roles={['admin']}>
        <OrganisationsPage />
      </RequireRole>
    ),
  },
];

// The page the address opens is fetched now, beside the session check, not after it.
preloadRoute(window.location.pathname, [...platformRoutes, ...webModules.flatMap((m) => [...m.routes, ...(m.bareRoutes ?? [])])]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthProvider>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<HomePage />} />
              {platformRoutes.map((r) => (
                <Route key={`platform:${r.path}`} path={r.path} element={r.element} />
              ))}
              {webModules.flatMap((m) => m.routes.map((r) => <Route key={`${m.name}:${r.path}`} path={r.path} element={r.element} />))}
              <Route path="*" element={<NotFoundPage />} />
            </Route>
            {webModules.flatMap((m) =>
              (m.bareRoutes ?? []).map((r) => (
                <Route
                  key={`${m.name}:bare:${r.path}`}
                  path={r.path}
                  element={
                    <main id="contenu" className="fr-container fr-py-2w">
                      {r.element}
                    </main>
                  }
                />
              )),
            )}
          </Routes>
        </AuthProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
