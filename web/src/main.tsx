import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { AuthProvider } from './auth';
import { Layout } from './components/Layout';
import { RequireRole } from './components/RequireRole';
import { HomePage } from './pages/home/HomePage';
import { LoginPage } from './pages/auth/LoginPage';
import { AccessibilityPage, LegalNoticePage, PersonalDataPage, SiteMapPage } from './pages/legal/LegalPages';
import { AccountPage } from './pages/account/AccountPage';
import { JobsPage } from './pages/account/JobsPage';
import { UsersPage } from './pages/admin/UsersPage';
import { AuditPage } from './pages/admin/AuditPage';
import { OrganisationsPage } from './pages/admin/OrganisationsPage';
import { NotFoundPage } from './pages/home/NotFoundPage';
import { webModules } from './modules';

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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthProvider>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<HomePage />} />
              <Route path="connexion" element={<LoginPage />} />
              <Route path="accessibilite" element={<AccessibilityPage />} />
              <Route path="mentions-legales" element={<LegalNoticePage />} />
              <Route path="donnees-personnelles" element={<PersonalDataPage />} />
              <Route path="plan-du-site" element={<SiteMapPage />} />
              <Route
                path="compte"
                element={
                  <RequireRole>
                    <AccountPage />
                  </RequireRole>
                }
              />
              <Route
                path="taches"
                element={
                  <RequireRole>
                    <JobsPage />
                  </RequireRole>
                }
              />
              <Route
                path="admin/utilisateurs"
                element={
                  <RequireRole roles={['admin']}>
                    <UsersPage />
                  </RequireRole>
                }
              />
              <Route
                path="admin/audit"
                element={
                  <RequireRole roles={['admin']}>
                    <AuditPage />
                  </RequireRole>
                }
              />
              <Route
                path="admin/organisations"
                element={
                  <RequireRole roles={['admin']}>
                    <OrganisationsPage />
                  </RequireRole>
                }
              />
              {webModules.flatMap((m) => m.routes.map((r) => <Route key={`${m.name}:${r.path}`} path={r.path} element={r.element} />))}
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </AuthProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
