import { Table } from '@codegouvfr/react-dsfr/Table';
import { ErrorAlert } from '../../components/ErrorAlert';
import { gatewayUrls, useGatewayUsage, type Usage } from './api';
import { theme } from '../../components/theme';

/** Calls per hour as an accessible SVG bar chart (errors stacked in red), with the figures in a table. */
const HOUR = 3600_000;

/** One slot per hour of the last 7 days, empty hours included, so that bar positions are times. */
function hourly(series: Usage['series']): Usage['series'] {
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const byHour = new Map(series.map((s) => [Math.floor(new Date(s.bucket).getTime() / HOUR) * HOUR, s]));
  const out: Usage['series'] = [];
  for (let t = end - 167 * HOUR; t <= end; t += HOUR) out.push(byHour.get(t) ?? { bucket: new Date(t).toISOString(), calls: 0, errors: 0, s429: 0 });
  return out;
}

function Bars({ series: raw }: { series: Usage['series'] }) {
  if (!raw.length) return <p>Aucun appel sur la période.</p>;
  const series = hourly(raw);
  const max = Math.max(...series.map((s) => s.calls), 1);
  const w = 640;
  const h = 140;
  const bw = w / series.length - 1;
  return (
    <svg
      role="img"
      aria-label={`Appels par heure : ${series.reduce((a, s) => a + s.calls, 0)} au total, maximum ${max} en une heure`}
      viewBox={`0 0 ${w} ${h + 20}`}
      style={{ width: '100%', maxWidth: w }}
    >
      <title>Appels par heure</title>
      {series.map((s, i) => {
        const x = i * (bw + 1);
        const ch = (s.calls / max) * h;
        const eh = (s.errors / max) * h;
        return (
          <g key={s.bucket}>
            <rect x={x} y={h - ch} width={bw} height={ch} style={{ fill: theme.blue }}>
              <title>{`${new Date(s.bucket).toLocaleString('fr-FR')} : ${s.calls} appels, ${s.errors} erreurs`}</title>
            </rect>
            <rect x={x} y={h - eh} width={bw} height={eh} style={{ fill: theme.error }} />
          </g>
        );
      })}
      <text x={0} y={h + 16} fontSize="12" style={{ fill: theme.text }}>
        {new Date(series[0]!.bucket).toLocaleString('fr-FR')}
      </text>
      <text x={w} y={h + 16} fontSize="12" textAnchor="end" style={{ fill: theme.text }}>
        {new Date(series[series.length - 1]!.bucket).toLocaleString('fr-FR')}
      </text>
    </svg>
  );
}

export function UsageView({ apiId, applicationId, limits, quota }: { apiId?: string; applicationId?: string; limits?: string; quota?: string }) {
  const q = useGatewayUsage({ apiId, applicationId });
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return <p>Chargement des statistiques…</p>;
  const u = q.data;
  const ms = (v: number | null) => (v === null ? '—' : `≤ ${v} ms`);
  return (
    <section aria-label="Statistiques d’utilisation" className="fr-mt-4w">
      <h3>Utilisation sur 7 jours</h3>
      <ul>
        <li>
          Appels : <strong data-testid="usage-calls">{u.totals.calls}</strong> — succès {u.totals.s2xx}, erreurs client {u.totals.s4xx} (dont limites{' '}
          {u.totals.s429}), erreurs serveur {u.totals.s5xx}
        </li>
        <li>
          Latence : p50 {ms(u.latency.p50)}, p95 {ms(u.latency.p95)}, p99 {ms(u.latency.p99)}
        </li>
        {limits && <li>Limites : {limits}</li>}
        {quota && <li>Quota utilisé : {quota}</li>}
      </ul>
      <Bars series={u.series} />
      {u.topConsumers.length > 0 && (
        <Table caption="Principaux consommateurs" headers={['Application', 'Appels']} data={u.topConsumers.map((c) => [c.name, String(c.calls)])} />
      )}
      <a className="fr-link fr-icon-download-line fr-link--icon-left" href={gatewayUrls.usage({ apiId, applicationId, format: 'csv' })}>
        Exporter en CSV
      </a>
    </section>
  );
}
