import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { DEMO_BADGE_LABEL, isDemoSource } from '@patrimoine/contracts/deces';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { BarChart } from './BarChart';
import { useDecesAgg, useDecesVersion } from './api';
import { PageTitle } from '../../components/Page';
const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

/** Deaths by month (for a year, or by year) and by département, from `/agg`. */
export function StatsPage() {
  const [s, set] = useUrlState(['annee'] as const);
  const version = useDecesVersion();
  const years = useDecesAgg({ aggs: 'deathYear' });
  const year = s.annee;
  const monthly = useDecesAgg({ aggs: 'deathMonth', deathDate: year || undefined });
  const detail = useDecesAgg({ aggs: 'deathDepartment', deathDate: year || undefined });
  const demo = version.data?.sources.some((x) => isDemoSource(x.name));
  // matchID's shape: one aggregation per request, buckets most frequent first.
  const buckets = (d: typeof years.data) =>
    (d?.response.aggregations ?? []).map((b) => ({ key: typeof b.key === 'string' ? b.key : '', doc_count: b.doc_count })).filter((b) => b.key);
  const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
  const byYear = buckets(years.data).sort(byKey);
  const months = buckets(monthly.data)
    .filter((b) => /^\d{6}$/.test(b.key))
    .sort(byKey);
  const deps = buckets(detail.data)
    .sort((a, b) => b.doc_count - a.doc_count)
    .slice(0, 20);
  return (
    <>
      <PageTitle>Statistiques des décès</PageTitle>
      {version.data && (
        <p>
          {version.data.uniqRecordsCount.toLocaleString('fr-FR')} décès dans la base
          {version.data.lastDataset ? `, dernier fichier importé : ${version.data.lastDataset}` : ''}
          {version.data.updatedAt ? ` (le ${new Date(version.data.updatedAt).toLocaleDateString('fr-FR')})` : ''}.
        </p>
      )}
      {demo && (
        <p>
          <Badge as="span" severity="new" small noIcon>
            {DEMO_BADGE_LABEL}
          </Badge>{' '}
          Ces statistiques portent sur des décès de démonstration (fictifs).
        </p>
      )}
      <ErrorAlert error={years.error ?? monthly.error ?? detail.error} />
      <Select label="Année de décès" nativeSelectProps={{ value: year, onChange: (e) => set({ annee: e.target.value }) }}>
        <option value="">Toutes les années</option>
        {[...byYear].reverse().map((b) => (
          <option key={b.key} value={b.key}>
            {b.key}
          </option>
        ))}
      </Select>
      {!year && byYear.length > 0 && <BarChart title="Décès par année" data={byYear.map((b) => ({ label: b.key, value: b.doc_count }))} />}
      {year && months.length > 0 && (
        <BarChart
          title={`Décès par mois en ${year}`}
          data={months.map((b) => ({ label: MONTHS[Number(b.key.slice(4, 6)) - 1] ?? b.key, value: b.doc_count }))}
        />
      )}
      {deps.length > 0 && (
        <BarChart
          title={`Départements de décès les plus fréquents${year ? ` en ${year}` : ''}`}
          horizontal
          data={deps.map((b) => ({ label: b.key, value: b.doc_count }))}
        />
      )}
    </>
  );
}
