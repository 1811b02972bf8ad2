import { Fragment, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { SegmentedControl } from '@codegouvfr/react-dsfr/SegmentedControl';
import { personFieldLabels, sexLabels } from '@patrimoine/contracts/deces';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlDraft, useUrlState } from '../../components/useUrlState';
import { searchCsvUrl, useDeathSearch } from './api';
import { DemoBadge } from './DemoBadge';
import { fmtDate, fmtPlace, pct } from './format';
import { PageTitle } from '../../components/Page';

const FIELDS = [
  'lastName',
  'legalName',
  'firstName',
  'sex',
  'birthDate',
  'birthCity',
  'birthDepartment',
  'birthCountry',
  'deathDate',
  'deathCity',
  'deathDepartment',
  'deathAge',
] as const;
const KEYS = ['q', 'mode', 'fuzzy', 'page', 'sort', ...FIELDS] as const;
type Key = (typeof KEYS)[number];
const SIZE = 20;

/** A person of the demo data (seed 2021): the example finds someone on `npm start`. Death date in q, as matchID's UI suggests. */
export const SEARCH_HINT = 'Dans n’importe quel ordre, par exemple : Jean Martin 10/08/1984';
const hints: Partial<Record<(typeof FIELDS)[number], string>> = {
  legalName: 'par exemple le nom d’épouse',
  birthDate: 'JJ/MM/AAAA, AAAA ou intervalle 1930-1940',
  birthDepartment: 'ex. 33, 2A, 971',
  deathDate: 'JJ/MM/AAAA, AAAA ou intervalle',
  deathAge: 'ex. 85 ou 80-90',
};

/** Simple (one field) and advanced search of the deaths file, shareable through the URL. */
export function SearchPage() {
  const [s, set] = useUrlState(KEYS);
  const advanced = s.mode === 'avancee';
  // The typed query survives the late echo of the previous search (`useUrlDraft`).
  const [draft, setDraft, submitted] = useUrlDraft<Key>(s);
  const [open, setOpen] = useState<string | null>(null);

  const params: Record<string, string> = {};
  if (advanced) for (const f of FIELDS) if (s[f]) params[f] = s[f];
  if (!advanced && s.q) params.q = s.q;
  if (s.fuzzy === 'false') params.fuzzy = 'false';
  if (s.sort) params.sort = s.sort;
  const hasQuery = Object.keys(params).some((k) => k !== 'fuzzy' && k !== 'sort');
  const r = useDeathSearch({ ...params, page: Number(s.page || 1), size: SIZE }, { enabled: hasQuery });
  const err = r.error instanceof ApiError ? r.error : null;
  const pages = Math.min(50, Math.max(1, Math.ceil((r.data?.response.total ?? 0) / SIZE)));

  function submit(e: FormEvent) {
    e.preventDefault();
    const patch: Partial<Record<Key, string | null>> = advanced
      ? { ...Object.fromEntries(FIELDS.map((f) => [f, draft[f]])), q: null }
      : { q: draft.q, ...Object.fromEntries(FIELDS.map((f) => [f, null])) };
    submitted(patch);
    set(patch);
  }
  const input = (f: (typeof FIELDS)[number]) =>
    f === 'sex' ? (
      <Select
        label={personFieldLabels.sex}
        nativeSelectProps={{ value: draft.sex, onChange: (e) => setDraft({ ...draft, sex: e.target.value }) }}
        state={err?.fieldMessage('sex') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('sex')}
      >
        <option value="">Indifférent</option>
        <option value="F">{sexLabels.F}</option>
        <option value="M">{sexLabels.M}</option>
      </Select>
    ) : (
      <Input
        label={personFieldLabels[f]}
        hintText={hints[f]}
        state={err?.fieldMessage(f) ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage(f)}
        nativeInputProps={{ name: f, value: draft[f], onChange: (e) => setDraft({ ...draft, [f]: e.target.value }) }}
      />
    );

  return (
    <>
      <PageTitle>Recherche de personnes décédées</PageTitle>
      <p>
        Le fichier des personnes décédées de l’Insee, interrogeable par nom, prénoms, dates et lieux, avec une recherche tolérante aux fautes. Chaque résultat
        porte un score et ses raisons.
      </p>
      <SegmentedControl
        legend="Type de recherche"
        hideLegend
        className="fr-mb-2w"
        segments={[
          { label: 'Recherche simple', nativeInputProps: { checked: !advanced, onChange: () => set({ mode: null }) } },
          { label: 'Recherche avancée', nativeInputProps: { checked: advanced, onChange: () => set({ mode: 'avancee' }) } },
        ]}
      />
      <form onSubmit={submit} aria-label="Rechercher un décès" className="fr-mb-3w">
        {advanced ? (
          <div className="fr-grid-row fr-grid-row--gutters">
            {FIELDS.map((f) => (
              <div key={f} className="fr-col-12 fr-col-md-4">
                {input(f)}
              </div>
            ))}
          </div>
        ) : (
          <Input
            label="Nom, prénoms, dates (JJ/MM/AAAA)"
            hintText={SEARCH_HINT}
            state={err?.fieldMessage('q') ? 'error' : 'default'}
            stateRelatedMessage={err?.fieldMessage('q')}
            nativeInputProps={{ type: 'search', name: 'q', value: draft.q, onChange: (e) => setDraft({ ...draft, q: e.target.value }) }}
          />
        )}
        <div className="fr-grid-row fr-grid-row--middle fr-mt-2w">
          <Checkbox
            small
            className="fr-mr-4w fr-mb-0"
            options={[
              {
                label: 'Recherche exacte (sans tolérance aux fautes)',
                nativeInputProps: { checked: s.fuzzy === 'false', onChange: (e) => set({ fuzzy: e.target.checked ? 'false' : null }) },
              },
            ]}
          />
          <Button type="submit" iconId="fr-icon-search-line">
            Rechercher
          </Button>
        </div>
      </form>
      {err && !err.errors.length ? <ErrorAlert error={err} /> : err ? <ErrorAlert error={err} title="Requête invalide" /> : null}
      {hasQuery && r.data && (
        <>
          <div className="fr-grid-row fr-grid-row--middle fr-mb-2w">
            <p className="fr-mb-0 fr-mr-4w" role="status">
              {r.data.response.total === 0 ? 'Aucun décès ne correspond.' : `${r.data.response.total} résultat(s)`} — {r.data.response.delay} ms
            </p>
            <Select label="Trier par" className="fr-mr-4w fr-mb-0" nativeSelectProps={{ value: s.sort, onChange: (e) => set({ sort: e.target.value }) }}>
              <option value="">Pertinence</option>
              <option value="birth.date:asc">Date de naissance croissante</option>
              <option value="death.date:desc">Date de décès décroissante</option>
              <option value="name.last:asc">Nom</option>
            </Select>
            <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href={searchCsvUrl(params)}>
              Exporter en CSV
            </a>
          </div>
          {r.data.response.persons.length > 0 && (
            <div className="fr-table">
              <table>
                <caption>Résultats de la recherche</caption>
                <thead>
                  <tr>
                    <th scope="col">Score</th>
                    <th scope="col">Nom</th>
                    <th scope="col">Prénoms</th>
                    <th scope="col">Naissance</th>
                    <th scope="col">Décès</th>
                    <th scope="col">Raisons</th>
                  </tr>
                </thead>
                <tbody>
                  {r.data.response.persons.map((p) => (
                    <Fragment key={p.id}>
                      <tr>
                        <td>
                          <strong>{pct(p.score)}</strong>
                        </td>
                        <td>
                          <Link to={`/deces/personne/${p.id}`}>{p.name.last}</Link>
                          <DemoBadge source={p.source} className="fr-ml-1w" />
                        </td>
                        <td>{p.name.first.join(' ')}</td>
                        <td>
                          {fmtDate(p.birth.date)}
                          <br />
                          <span className="fr-text--sm">{fmtPlace(p.birth.location)}</span>
                        </td>
                        <td>
                          {fmtDate(p.death.date)}
                          {p.death.age !== null ? ` (${p.death.age} ans)` : ''}
                          <br />
                          <span className="fr-text--sm">{fmtPlace(p.death.location)}</span>
                        </td>
                        <td>
                          {p.reasons.length > 0 && (
                            <Button size="small" priority="tertiary" aria-expanded={open === p.id} onClick={() => setOpen(open === p.id ? null : p.id)}>
                              {open === p.id ? 'Masquer' : 'Pourquoi ce score ?'}
                            </Button>
                          )}
                        </td>
                      </tr>
                      {open === p.id && (
                        <tr>
                          <td colSpan={6}>
                            <ul className="fr-text--sm fr-mb-0">
                              {p.reasons.map((x) => (
                                <li key={x}>{x}</li>
                              ))}
                            </ul>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 && (
            <Pagination
              count={pages}
              defaultPage={Number(s.page || 1)}
              getPageLinkProps={(p) => ({ to: `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(s).filter(([, v]) => v)), page: String(p) })}` })}
            />
          )}
        </>
      )}
    </>
  );
}
