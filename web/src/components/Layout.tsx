import { Header } from '@codegouvfr/react-dsfr/Header';
import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { headerFooterDisplayItem, Display } from '@codegouvfr/react-dsfr/Display';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { Suspense } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth, useLogout } from '../auth';
import { webModules } from '../modules';
import { PageFrame } from './Page';

function brandTop(orgName: string) {
  // « Ministère de l'Intérieur » → « Ministère / de l'Intérieur », as on the ministry's sites.
  const i = orgName.indexOf(' ');
  return i > 0 ? (
    <>
      {orgName.slice(0, i)}
      <br />
      {orgName.slice(i + 1)}
    </>
  ) : (
    orgName
  );
}

export function Layout() {
  const { me, hasRole } = useAuth();
  const signOut = useLogout();
  const location = useLocation();
  const navigate = useNavigate();
  const orgName = me?.orgName ?? "Ministère de l'Intérieur";
  const path = location.pathname;

  const allowed = (roles?: string[]) => !roles || (me?.user && roles.includes(me.user.role));
  const navigation = [
    { text: 'Accueil', linkProps: { to: '/' }, isActive: path === '/' },
    ...webModules
      .filter((m) => m.nav && allowed(m.nav.roles))
      .map((m) =>
        m.nav!.children
          ? {
              text: m.nav!.text,
              isActive: path.startsWith(m.nav!.to),
              menuLinks: m.nav!.children.filter((c) => allowed(c.roles)).map((c) => ({ text: c.text, linkProps: { to: c.to }, isActive: path === c.to })),
            }
          : { text: m.nav!.text, linkProps: { to: m.nav!.to }, isActive: path.startsWith(m.nav!.to) },
      ),
    ...(hasRole('admin')
      ? [
          {
            text: 'Administration',
            isActive: path.startsWith('/admin'),
            menuLinks: [
              { text: 'Utilisateurs et rôles', linkProps: { to: '/admin/utilisateurs' }, isActive: path === '/admin/utilisateurs' },
              { text: 'Organisations', linkProps: { to: '/admin/organisations' }, isActive: path === '/admin/organisations' },
              { text: "Journal d'audit", linkProps: { to: '/admin/audit' }, isActive: path === '/admin/audit' },
              { text: 'Connexion ProConnect', linkProps: { to: '/admin/proconnect' }, isActive: path === '/admin/proconnect' },
            ],
          },
        ]
      : []),
  ];

  // A ProConnect session ends at the provider too: the browser goes there, then comes back to the login page.
  const logout = () =>
    signOut.mutate(undefined, { onSuccess: (r) => (/^https?:/.test(r.redirectUrl) ? window.location.assign(r.redirectUrl) : navigate(r.redirectUrl)) });

  const quickAccessItems = me?.user
    ? [
        { iconId: 'fr-icon-account-circle-line' as const, linkProps: { to: '/compte' }, text: me.user.displayName },
        { iconId: 'fr-icon-logout-box-r-line' as const, buttonProps: { onClick: logout, disabled: signOut.isPending }, text: 'Se déconnecter' },
      ]
    : [{ iconId: 'fr-icon-lock-line' as const, linkProps: { to: `/connexion?retour=${encodeURIComponent(path)}` }, text: 'Se connecter' }];

  return (
    <>
      <SkipLinks
        links={[
          { label: 'Contenu', anchor: '#contenu' },
          { label: 'Menu', anchor: '#fr-header-main-navigation' },
          { label: 'Pied de page', anchor: '#fr-footer' },
        ]}
      />
      <Header
        brandTop={brandTop(orgName)}
        serviceTitle="Patrimoine"
        serviceTagline="Données, API, algorithmes et codes sources du ministère"
        homeLinkProps={{ to: '/', title: 'Accueil — Patrimoine' }}
        quickAccessItems={quickAccessItems}
        navigation={navigation}
      />
      <main id="contenu" role="main" tabIndex={-1} className="fr-container fr-py-4w" style={{ minHeight: '60vh' }}>
        <PageFrame>
          <Suspense fallback={<p>Chargement…</p>}>
            <Outlet />
          </Suspense>
        </PageFrame>
      </main>
      <Footer
        brandTop={brandTop(orgName)}
        homeLinkProps={{ to: '/', title: 'Accueil — Patrimoine' }}
        accessibility="partially compliant"
        contentDescription="Patrimoine recense les applications, jeux de données, API, codes sources et algorithmes du ministère, et pilote sa feuille de route Données, Algorithmes, Codes sources."
        accessibilityLinkProps={{ to: '/accessibilite' }}
        termsLinkProps={{ to: '/mentions-legales' }}
        websiteMapLinkProps={{ to: '/plan-du-site' }}
        bottomItems={[
          { text: 'Données personnelles', linkProps: { to: '/donnees-personnelles' } },
          headerFooterDisplayItem,
          { text: 'Documentation de l’API', linkProps: { to: '/api/docs', reloadDocument: true } as never },
        ]}
      />
      <Display />
    </>
  );
}
