import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Tag } from '@codegouvfr/react-dsfr/Tag';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { labelOf } from '@patrimoine/contracts/common';
import { kindLabels, lifecycleLabels, opennessLabels, type FacetKey } from '@patrimoine/contracts/catalog';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { searchCsvUrl, useCatalogSearch } from './api';
import { assetPath, opennessSeverity } from './presentation';
import { PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';

const KEYS = ['q', 'kind', 'owner', 'lifecycle', 'openness', 'tags', 'personalData', 'page'] as const;
const PAGE_SIZE = 20;

const facetTitles: Record<FacetKey, string> = {
  kind: 'Type',
  owner: 'Organisation',
  lifecycle: 'Cycle de vie',
  openness: 'Ouverture',
  personalData: 'Données personnelles',
  tags: 'Mots-clés',
};
const facetLabel = (f: FacetKey, v: string) =>
  f === 'kind'
    ? labelOf(kindLabels, v)
    : f === 'lifecycle'
      ? labelOf(lifecycleLabels, v)
      : f === 'openness'
        ? labelOf(opennessLabels, v)
        : f === 'personalData'
          ? labelOf({ oui: 'Oui', non: 'Non' }, v)
          : v;

/** Catalogue search: results while typing, facets, filters in the URL, CSV export. */
export function SearchPage() {
  const [s, set] = useUrlState(KEYS);
  const { me } = useAuth();
  const [text, setText] = useState(s.q);
  // Results while typing: the URL (and the query) follow the input after a short pause.
  useEffect(() => {
    const h = setTimeout(() => {
      if (text !== s.q) set({ q: text });
    }, 150);
    return () => clearTimeout(h);
  }, [text]);
  useEffect(() => setText(s.q), [s.q]);

  const page = Number(s.page || 1);
  const filters = { q: s.q, kind: s.kind, owner: s.owner, lifecycle: s.lifecycle, openness: s.openness, tags: s.tags, personalData: s.personalData };
  const r = useCatalogSearch({ ...filters, page, pageSize: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil((r.data?.total ?? 0) / PAGE_SIZE));

  const selected = (f: FacetKey) => (s[f] ? s[f].split(',') : []);
  const toggle = (f: FacetKey, v: string) => {
    const cur = selected(f);
    const next = f === 'personalData' ? (cur.includes(v) ? [] : [v]) : cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v];
    set({ [f]: next.join(',') });
  };
  const [filtersOpen, setFiltersOpen] = useState(false);
  const activeFilters = (Object.keys(facetTitles) as FacetKey[]).flatMap((f) => selected(f).map((v) => ({ f, v })));

  return (
    <>
      <PageTitle>Catalogue des actifs</PageTitle>
      <p>Applications, jeux de données, modèles de données, API, codes sources et algorithmes du ministère, décrits une fois et reliés entre eux.</p>
      {!me?.user && <p className="fr-text--sm">Vous voyez les actifs ouverts sans données personnelles. Connectez-vous pour voir tout le catalogue.</p>}
      <div className="fr-search-bar fr-mb-2w" role="search">
        <Input
          label="Rechercher dans le catalogue"
          className="fr-col-12"
          nativeInputProps={{
            type: 'search',
            value: text,
            onChange: (e) => setText(e.target.value),
            placeholder: 'ex. décès, Histovec, immatriculation…',
            autoFocus: true,
            'aria-describedby': 'catalog-search-help',
          }}
        />
      </div>
      <p id="catalog-search-help" className="fr-hint-text">
        Recherche en français : accents, pluriels et petites fautes de frappe dans les titres sont tolérés.
      </p>
      <div className="fr-grid-row fr-grid-row--gutters">
        <aside className="fr-col-12 fr-col-md-3" aria-label="Filtres">
          {/* On a phone the filters fold away behind one button, so that the first result is on the first screen (issue 11). */}
          <button
            type="button"
            className="fr-btn fr-btn--secondary fr-btn--sm fr-btn--icon-left fr-icon-filter-line fr-hidden-md fr-mb-2w"
            aria-expanded={filtersOpen}
            aria-controls="catalog-filters"
            onClick={() => setFiltersOpen(!filtersOpen)}
          >
            {filtersOpen ? 'Masquer les filtres' : activeFilters.length ? `Filtres (${plural(activeFilters.length, 'actif')})` : 'Filtres'}
          </button>
          <div id="catalog-filters" className={filtersOpen ? undefined : 'fr-hidden fr-unhidden-md'}>
            {r.data &&
              (Object.keys(facetTitles) as FacetKey[]).map((f) => {
                const values = Object.entries(r.data.facets[f] ?? {});
                const sel = selected(f);
                for (const v of sel) if (!values.some(([k]) => k === v)) values.push([v, 0]);
                if (values.length === 0) return null;
                return (
                  <Checkbox
                    key={f}
                    legend={facetTitles[f]}
                    small
                    options={values
                      .sort((a, b) => b[1] - a[1])
                      .map(([v, n]) => ({
                        label: `${facetLabel(f, v)} (${r.data.estimated ? '≈ ' : ''}${n})`,
                        nativeInputProps: { checked: sel.includes(v), onChange: () => toggle(f, v), name: `facet-${f}`, value: v },
                      }))}
                  />
                );
              })}
          </div>
        </aside>
        <section className="fr-col-12 fr-col-md-9" aria-live="polite" aria-busy={r.isFetching}>
          <ErrorAlert error={r.error} />
          {activeFilters.length > 0 && (
            <ul className="fr-tags-group">
              {activeFilters.map(({ f, v }) => (
                <li key={`${f}-${v}`}>
                  <Tag
                    dismissible
                    nativeButtonProps={{ onClick: () => toggle(f, v), 'aria-label': `Retirer le filtre ${facetTitles[f]} : ${facetLabel(f, v)}` }}
                  >
                    {`${facetTitles[f]} : ${facetLabel(f, v)}`}
                  </Tag>
                </li>
              ))}
            </ul>
          )}
          <div className="fr-grid-row fr-grid-row--middle fr-mb-2w" style={{ justifyContent: 'space-between' }}>
            <p className="fr-mb-0">
              {r.data
                ? r.data.estimated
                  ? `environ ${r.data.total.toLocaleString('fr-FR')} actifs (estimation sur un échantillon du catalogue ; les résultats affichés sont exacts)`
                  : plural(r.data.total, 'actif')
                : 'Recherche…'}
            </p>
            <a className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left" href={searchCsvUrl(filters)}>
              Exporter en CSV
            </a>
          </div>
          {r.data && r.data.items.length === 0 && <p>Aucun actif ne correspond à cette recherche.</p>}
          <ul className="fr-raw-list">
            {r.data?.items.map((a) => (
              <li key={a.id} className="fr-mb-2w fr-p-2w" style={{ border: '1px solid var(--border-default-grey)' }}>
                <div className="fr-mb-1v" style={{ display: 'flex', gap: '0.5rem' }}>
                  <Badge small noIcon>
                    {labelOf(kindLabels, a.kind)}
                  </Badge>
                  <Badge small severity={opennessSeverity(a.openness)} noIcon>
                    {labelOf(opennessLabels, a.openness)}
                  </Badge>
                  {a.isDemo && (
                    <Badge small severity="new" noIcon>
                      Démo
                    </Badge>
                  )}
                </div>
                <h2 className="fr-h6 fr-mb-1v">
                  <Link to={assetPath(a)}>{a.title}</Link>
                </h2>
                <p className="fr-text--sm fr-mb-0">
                  {a.owner ?? 'Sans propriétaire'} · {labelOf(lifecycleLabels, a.lifecycle)} · complétude {a.completeness} %
                  {a.description ? ` — ${a.description.slice(0, 160)}${a.description.length > 160 ? '…' : ''}` : ''}
                </p>
              </li>
            ))}
          </ul>
          {pages > 1 && (
            <Pagination
              count={pages}
              defaultPage={page}
              getPageLinkProps={(p) => ({ to: `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(s).filter(([, v]) => v)), page: String(p) })}` })}
            />
          )}
        </section>
      </div>
    </>
  );
}
