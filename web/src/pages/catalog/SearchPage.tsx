import { useState } from 'react';
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
import { useUrlState, useUrlText } from '../../components/useUrlState';
import { searchCsvUrl, useCatalogSearch, type SearchResult } from './api';
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

type Interp = NonNullable<SearchResult['interpretation']>;
const quoted = (xs: string[]) => xs.map((x) => `« ${x} »`).join(', ');

/** What the search did with the query: relaxed matching, corrections, synonyms (ADR 0106). */
function Interpretation({ i }: { i: Interp }) {
  const lines: string[] = [];
  if (i.relaxed)
    lines.push(
      `Aucun actif ne contient tous les mots : voici ceux qui en contiennent au moins ${i.minMatched} sur ${i.terms.length}, ceux qui en contiennent le plus d’abord.`,
    );
  for (const c of i.corrections) lines.push(`« ${c.word} » est aussi cherché comme « ${c.correction} ».`);
  for (const x of i.synonyms) lines.push(`« ${x.expression} » est aussi cherché comme ${quoted(x.alternatives)} (synonymes).`);
  if (lines.length === 0) return null;
  return (
    <div className="fr-callout fr-mb-2w" data-testid="search-interpretation">
      {lines.map((l) => (
        <p key={l} className="fr-callout__text fr-text--sm fr-mb-1v">
          {l}
        </p>
      ))}
    </div>
  );
}

/** The empty state: what to try instead (corrections, the same query without filters, assets with a similar title). */
function NoResult({
  q,
  suggestions,
  onQuery,
  onClearFilters,
}: {
  q: string;
  suggestions: SearchResult['suggestions'];
  onQuery: (q: string) => void;
  onClearFilters: () => void;
}) {
  return (
    <div data-testid="search-empty">
      <p className="fr-text--lg fr-mb-1w">{q ? `Aucun actif ne correspond à « ${q} ».` : 'Aucun actif ne correspond à ces filtres.'}</p>
      {suggestions?.withoutFilters ? (
        <p>
          {suggestions.withoutFilters >= 1000 ? 'Au moins 1 000 actifs' : plural(suggestions.withoutFilters, 'actif')} sans les filtres choisis.{' '}
          <button type="button" className="fr-link" onClick={onClearFilters}>
            Retirer les filtres
          </button>
        </p>
      ) : null}
      {suggestions?.queries.length ? (
        <p>
          Essayez :{' '}
          {suggestions.queries.map((x, i) => (
            <span key={x}>
              {i > 0 && ', '}
              <button type="button" className="fr-link" onClick={() => onQuery(x)}>
                {x}
              </button>
            </span>
          ))}
        </p>
      ) : null}
      {suggestions?.related.length ? (
        <>
          <p className="fr-mb-1v">Actifs au titre proche :</p>
          <ul>
            {suggestions.related.map((a) => (
              <li key={`${a.kind}:${a.slug}`}>
                <Link to={assetPath(a)}>{a.title}</Link> ({labelOf(kindLabels, a.kind)})
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p className="fr-text--sm">Vérifiez l’orthographe, essayez un mot plus général ou moins de mots, ou retirez des filtres.</p>
    </div>
  );
}

/** Catalogue search: results while typing, facets, filters in the URL, CSV export. */
export function SearchPage() {
  const [s, set] = useUrlState(KEYS);
  const { me } = useAuth();
  // Results while typing: the URL (and the query) follow the input after a short pause.
  const [text, setText] = useUrlText(s.q, (q) => set({ q }), 150);

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
        Un ou plusieurs mots ; fautes de frappe, accents, pluriels et synonymes sont tolérés.
      </p>
      {/* The whole rule on request: on a phone it would push the first result below the fold. */}
      <details className="fr-mb-2w fr-text--sm" data-testid="catalog-search-rules">
        <summary>Comment la recherche classe les actifs</summary>
        <p className="fr-text--sm fr-mt-1w fr-mb-0">
          Les actifs qui contiennent tous les mots viennent d’abord, ceux où ils sont dans le titre avant ceux où ils sont dans les mots-clés, puis dans la
          description. Si aucun actif ne les contient tous, ceux qui en contiennent le plus sont proposés. Accents, majuscules, pluriels, fautes de frappe et
          synonymes (« carte grise », « certificat d’immatriculation ») sont pris en compte ; le dernier mot peut être incomplet.
        </p>
      </details>
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
          {r.data?.interpretation && <Interpretation i={r.data.interpretation} />}
          {r.data && r.data.items.length === 0 && (
            <NoResult
              q={s.q}
              suggestions={r.data.suggestions}
              onQuery={(q) => {
                setText(q);
                set({ q, page: '' });
              }}
              onClearFilters={() => set(Object.fromEntries((Object.keys(facetTitles) as FacetKey[]).map((f) => [f, ''])))}
            />
          )}
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
