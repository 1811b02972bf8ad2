import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OrganisationSelect } from '../../components/OrganisationSelect';
import { PageError, PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';
import { theme } from '../../components/theme';
import { useUrlState } from '../../components/useUrlState';
import { publicationUrls, usePublishedDatasets, useUsage, type UsageReport } from './api';

const nf = (n: number) => n.toLocaleString('fr-FR');

/** One of the page's tables (DSFR table, a caption, a header row). */
function UsageTable({ caption, headers, rows }: { caption: string; headers: string[]; rows: { key: string; cells: string[] }[] }) {
  return (
    <div className="fr-table fr-table--sm">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              {r.cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Downloads and API calls per day, side by side, in the DSFR palette (light and dark themes); the table below has the same figures. */
function DailyChart({ r }: { r: UsageReport }) {
  const max = Math.max(1, ...r.days.map((d) => Math.max(d.downloads, d.apiCalls)));
  const w = 12;
  return (
    <figure className="fr-my-2w" aria-labelledby="usage-chart-caption">
      <svg
        role="img"
        aria-label={`Téléchargements et appels d’API par jour du ${r.from} au ${r.to}`}
        viewBox={`0 0 ${r.days.length * w} 100`}
        style={{ width: '100%', height: '10rem' }}
      >
        <line x1={0} x2={r.days.length * w} y1={100} y2={100} style={{ stroke: theme.grid }} />
        {r.days.map((d, i) => {
          const h1 = (d.downloads / max) * 95;
          const h2 = (d.apiCalls / max) * 95;
          return (
            <g key={d.day}>
              <rect x={i * w + 1} y={100 - h1} width={5} height={h1} style={{ fill: theme.blue }}>
                <title>{`${d.day} : ${plural(d.downloads, 'téléchargement')}`}</title>
              </rect>
              <rect x={i * w + 6} y={100 - h2} width={5} height={h2} style={{ fill: theme.purple }}>
                <title>{`${d.day} : ${plural(d.apiCalls, 'appel')} d’API`}</title>
              </rect>
            </g>
          );
        })}
      </svg>
      <figcaption id="usage-chart-caption" className="fr-text--sm" style={{ color: theme.mention }}>
        <span aria-hidden="true" style={{ display: 'inline-block', width: '0.8rem', height: '0.8rem', background: theme.blue }} /> Téléchargements{' '}
        <span aria-hidden="true" style={{ display: 'inline-block', width: '0.8rem', height: '0.8rem', background: theme.purple }} /> Appels des API liées
      </figcaption>
    </figure>
  );
}

/** Usage indicators (A64): downloads of the published files and calls of the linked APIs, for a dataset, an organisation or the ministry; CSV. */
export function UsagePage() {
  const { me } = useAuth();
  const isAdmin = me?.user?.role === 'admin';
  const [f, setF] = useUrlState(['from', 'to', 'organisation', 'dataset'] as const);
  const filters = Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as Partial<typeof f>;
  const q = useUsage(filters);
  const datasets = usePublishedDatasets();
  const r = q.data;
  const month = (r?.to ?? new Date().toISOString()).slice(0, 7);
  const scopeLabel = r
    ? r.scope.datasetTitle
      ? `le jeu de données « ${r.scope.datasetTitle} »`
      : r.scope.organisation
        ? `l’organisation ${r.scope.organisation}`
        : 'le ministère'
    : '';
  if (q.error && !r) return <PageError error={q.error} />;
  return (
    <>
      <PageTitle>Indicateurs d’usage des données ouvertes</PageTitle>
      <p>
        Téléchargements des fichiers publiés et appels des API de la passerelle liées aux jeux de données dans le catalogue (action A64 de la feuille de route).
      </p>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-2">
          <Input label="Du" nativeInputProps={{ type: 'date', value: f.from, onChange: (e) => setF({ from: e.target.value }) }} />
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <Input label="Au" nativeInputProps={{ type: 'date', value: f.to, onChange: (e) => setF({ to: e.target.value }) }} />
        </div>
        {isAdmin && (
          <div className="fr-col-12 fr-col-md-4">
            <OrganisationSelect
              label="Organisation (vide : tout le ministère)"
              value={f.organisation}
              onChange={(organisation) => setF({ organisation, dataset: null })}
            />
          </div>
        )}
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Jeu de données" nativeSelectProps={{ value: f.dataset, onChange: (e) => setF({ dataset: e.target.value }) }}>
            <option value="">Tous</option>
            {(datasets.data?.items ?? []).map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.title}
              </option>
            ))}
          </Select>
        </div>
      </div>
      {q.error && <ErrorAlert error={q.error} />}
      {r && (
        <>
          <p>
            {`Pour ${scopeLabel}, du ${r.from} au ${r.to} : ${plural(r.total, 'téléchargement')} et ${plural(r.apiCalls, 'appel')} d’API.`}{' '}
            <a href={publicationUrls.usage({ ...filters, format: 'csv' })} download>
              Téléchargements par ressource (CSV)
            </a>
            {' · '}
            <a href={publicationUrls.monthly({ month, ...(filters.organisation ? { organisation: filters.organisation } : {}), format: 'csv' })} download>
              {`Fichier mensuel ${month} (CSV)`}
            </a>
          </p>
          <DailyChart r={r} />
          <UsageTable
            caption="Usage par jeu de données"
            headers={['Organisation', 'Jeu de données', 'Téléchargements', 'Appels d’API', 'API liées']}
            rows={r.datasets.map((x) => ({
              key: x.dataset,
              cells: [x.organisation ?? '—', x.datasetTitle, nf(x.downloads), nf(x.apiCalls), x.apis.map((a) => a.name).join(', ') || '—'],
            }))}
          />
          {!r.scope.organisation && (
            <UsageTable
              caption="Usage par organisation"
              headers={['Organisation', 'Téléchargements', 'Appels d’API']}
              rows={r.organisations.map((o) => ({ key: o.organisation ?? '—', cells: [o.organisation ?? '—', nf(o.downloads), nf(o.apiCalls)] }))}
            />
          )}
          <UsageTable
            caption="Téléchargements par ressource"
            headers={['Organisation', 'Jeu de données', 'Ressource', 'Téléchargements']}
            rows={r.resources.map((x) => ({ key: x.resourceId, cells: [x.organisation ?? '—', x.datasetTitle, x.resource, nf(x.downloads)] }))}
          />
          <UsageTable
            caption="Usage par jour"
            headers={['Jour', 'Téléchargements', 'Appels d’API']}
            rows={r.days.filter((d) => d.downloads > 0 || d.apiCalls > 0).map((d) => ({ key: d.day, cells: [d.day, nf(d.downloads), nf(d.apiCalls)] }))}
          />
        </>
      )}
    </>
  );
}
