import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useParams } from 'react-router';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { actionStatusLabels, actionStatuses, type ActionStatus } from '@patrimoine/contracts/roadmap';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAuth } from '../../auth';
import { actionStatusSeverity } from './format';
import { useCatalogAssetSearch, useRoadmapSummary, useRoadmaps, type AssetHit, type RoadmapSummary } from './api';
import { PageTitle } from '../../components/Page';
import { theme } from '../../components/theme';

/** Address of a roadmap's pages in the web app. */
import { base } from './paths';

export { base };

/** The roadmap of the URL (`:slug`), with its sections and contributors for the filters. */
export function useRoadmap() {
  const { slug = '' } = useParams();
  const q = useRoadmapSummary(slug);
  return { slug, roadmap: q.data, error: q.error, loading: q.isLoading };
}

/** Title, roadmap switcher and the module's tabs (links, so each view has its own URL). */
export function RoadmapFrame({ title, children }: { title: string; children: ReactNode }) {
  const { slug, roadmap, error } = useRoadmap();
  const { hasRole } = useAuth();
  const list = useRoadmaps();
  const tabs = [
    { to: base(slug), label: 'Actions', end: true },
    { to: `${base(slug)}/ouvertures`, label: 'Ouvertures' },
    { to: `${base(slug)}/tableau-de-bord`, label: 'Tableau de bord' },
    { to: `${base(slug)}/comite`, label: 'Comité' },
    ...(hasRole('admin', 'data_admin') ? [{ to: `${base(slug)}/mise-a-jour`, label: 'Mise à jour en masse' }] : []),
  ];
  return (
    <>
      <p className="fr-text--sm fr-mb-1w">
        {roadmap?.title ?? 'Feuille de route'}
        {list.data && list.data.items.length > 1 && (
          <>
            {' — '}autres feuilles de route :{' '}
            {list.data.items
              .filter((r) => r.slug !== slug)
              .map((r) => (
                <NavLink key={r.slug} to={base(r.slug)} className="fr-link fr-link--sm fr-mr-1w">
                  {r.title}
                </NavLink>
              ))}
          </>
        )}
      </p>
      <PageTitle>{title}</PageTitle>
      <nav className="fr-mb-3w" aria-label="Vues de la feuille de route">
        <ul className="fr-tags-group">
          {tabs.map((t) => (
            <li key={t.to}>
              <NavLink
                to={t.to}
                end={t.end}
                className={({ isActive }) => `fr-tag${isActive ? ' fr-tag--dismiss-none' : ''}`}
                style={({ isActive }) => (isActive ? { background: theme.blue, color: theme.inverted } : undefined)}
              >
                {t.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorAlert error={error} />
      {children}
    </>
  );
}

export function StatusBadge({ status, overdue }: { status: ActionStatus; overdue?: boolean }) {
  return (
    <span style={{ display: 'inline-flex', gap: '.25rem', flexWrap: 'wrap' }}>
      <Badge as="span" small severity={actionStatusSeverity[status]} noIcon>
        {actionStatusLabels[status]}
      </Badge>
      {overdue && (
        <Badge as="span" small severity="error">
          En retard
        </Badge>
      )}
    </span>
  );
}

export function CsvLink({ href, label = 'Exporter en CSV' }: { href: string; label?: string }) {
  return (
    <a className="fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-download-line" href={href} download>
      {label}
    </a>
  );
}

/** Searches the catalogue (when the catalog module is installed) and picks an asset. */
export function AssetPicker({ label, onPick, disabled }: { label: string; onPick(a: AssetHit): void; disabled?: boolean }) {
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);
  const r = useCatalogAssetSearch(debounced);
  return (
    <div>
      <Input
        label={label}
        hintText="Au moins 2 caractères (titre de l’actif du catalogue)"
        nativeInputProps={{ value: q, onChange: (e) => setQ(e.target.value), disabled, type: 'search' }}
      />
      {r.error ? <p className="fr-error-text">Catalogue indisponible.</p> : null}
      {r.data && (
        <ul className="fr-raw-list">
          {r.data.items.length === 0 && <li>Aucun actif trouvé.</li>}
          {r.data.items.map((a) => (
            <li key={a.id} className="fr-mb-1w">
              <Button size="small" priority="secondary" type="button" onClick={() => onPick(a)} disabled={disabled}>
                Lier « {a.title} »
              </Button>{' '}
              <span className="fr-text--xs">
                ({a.kind}, {a.openness})
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Options of the filters shared by the actions list and the dashboard. */
export function StatusOptions() {
  return (
    <>
      {actionStatuses.map((s) => (
        <option key={s} value={s}>
          {actionStatusLabels[s]}
        </option>
      ))}
    </>
  );
}

export function SectionOptions({ roadmap }: { roadmap: RoadmapSummary | undefined }) {
  return (
    <>
      {Object.entries(roadmap?.parts ?? {}).map(([k, t]) => (
        <option key={`p${k}`} value={k}>
          {k}. {t}
        </option>
      ))}
      {roadmap?.sections.map((s) => (
        <option key={s.code} value={s.code}>
          {s.code} {s.title}
        </option>
      ))}
    </>
  );
}

export function ContributorOptions({ roadmap }: { roadmap: RoadmapSummary | undefined }) {
  return (
    <>
      {roadmap?.contributors.map((c) => (
        <option key={c.code} value={c.code}>
          {c.code === c.name ? c.name : `${c.code} — ${c.name}`}
        </option>
      ))}
    </>
  );
}
