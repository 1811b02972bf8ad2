import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { PageTitle } from '../../components/Page';

export const G = '/gouvernance';
const tabs = [
  { to: `${G}/reseau`, label: 'Réseau des administrateurs' },
  { to: `${G}/revues`, label: 'Revues de la cartographie' },
  { to: `${G}/projets`, label: 'Valeur des projets' },
];

/** Frame of the governance pages: title and the three sub-pages. */
export function GovernanceFrame({ title, children }: { title: string; children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <div className="fr-container fr-my-4w">
      <nav className="fr-mb-3w" aria-label="Gouvernance des données">
        <ul className="fr-btns-group fr-btns-group--inline-sm">
          {tabs.map((t) => (
            <li key={t.to}>
              <Link
                className={`fr-btn fr-btn--sm ${pathname.startsWith(t.to) ? '' : 'fr-btn--tertiary'}`}
                to={t.to}
                aria-current={pathname.startsWith(t.to) ? 'page' : undefined}
              >
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <PageTitle>{title}</PageTitle>
      {children}
    </div>
  );
}

export function CsvLink({ href, label = 'Exporter en CSV' }: { href: string; label?: string }) {
  return (
    <a className="fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-download-line" href={href} download>
      {label}
    </a>
  );
}

/** `YYYY-MM-DD` or an ISO timestamp as `JJ/MM/AAAA`. */
export const frDay = (s: string | null | undefined) =>
  s ? new Date(s.length === 10 ? `${s}T12:00:00Z` : s).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }) : '—';
export const todayIso = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' });
