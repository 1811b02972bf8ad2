import { Table } from '@codegouvfr/react-dsfr/Table';
import { ErrorAlert } from '../../components/ErrorAlert';
import { gatewayUrls, useGatewayUsage, type Usage } from './api';

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

const CALLS = 'var(--background-action-high-blue-france)';
const ERRORS = 'var(--background-action-high-red-marianne)';
const dayOf = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { weekday: 'short', day: 'numeric', month: 'short' });

/** A round step for the vertical axis (1, 2, 5 × 10ⁿ) so that ticks read well. */
function niceMax(max: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, max)));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? max;
}

/** Calls per hour over 7 days: bars (errors in red over them), a vertical axis with ticks, one label per day, a legend. */
function Bars({ series: raw }: { series: Usage['series'] }) {
  if (!raw.length) return <p>Aucun appel sur la période.</p>;
  const series = hourly(raw);
  const peak = Math.max(...series.map((s) => s.calls), 1);
  const top = niceMax(peak);
  const left = 44;
  const w = 680;
  const plot = w - left - 8;
  const h = 160;
  const y0 = 10;
  const bw = plot / series.length;
  const ticks = [0, top / 2, top];
  const total = series.reduce((a, s) => a + s.calls, 0);
  const errors = series.reduce((a, s) => a + s.errors, 0);
  return (
    <figure className="fr-m-0">
      <svg
        role="img"
        aria-label={`Appels par heure sur 7 jours : ${total} appels dont ${errors} erreurs, au plus ${peak} en une heure`}
        viewBox={`0 0 ${w} ${h + y0 + 34}`}
        style={{ width: '100%', maxWidth: w, color: 'var(--text-default-grey)' }}
      >
        <title>Appels par heure</title>
        {ticks.map((t) => {
          const y = y0 + h - (t / top) * h;
          return (
            <g key={t}>
              <line x1={left} x2={w - 8} y1={y} y2={y} style={{ stroke: 'var(--border-default-grey)' }} />
              <text x={left - 6} y={y + 4} fontSize="11" textAnchor="end" fill="currentColor">
                {t.toLocaleString('fr-FR')}
              </text>
            </g>
          );
        })}
        <text x={0} y={y0 - 2} fontSize="11" fill="currentColor">
          appels / h
        </text>
        {series.map((s, i) => {
          const x = left + i * bw;
          const ch = (s.calls / top) * h;
          const eh = (s.errors / top) * h;
          return (
            <g key={s.bucket}>
              <rect x={x} y={y0 + h - ch} width={Math.max(1, bw - 1)} height={ch} style={{ fill: CALLS }}>
                <title>{`${new Date(s.bucket).toLocaleString('fr-FR')} : ${s.calls} appels, ${s.errors} erreurs`}</title>
              </rect>
              {eh > 0 && <rect x={x} y={y0 + h - eh} width={Math.max(1, bw - 1)} height={eh} style={{ fill: ERRORS }} />}
              {new Date(s.bucket).getHours() === 0 && (
                <>
                  <line x1={x} x2={x} y1={y0 + h} y2={y0 + h + 4} style={{ stroke: 'var(--border-plain-grey)' }} />
                  <text x={x + 2} y={y0 + h + 16} fontSize="11" fill="currentColor">
                    {dayOf(s.bucket)}
                  </text>
                </>
              )}
            </g>
          );
        })}
        <line x1={left} x2={w - 8} y1={y0 + h} y2={y0 + h} style={{ stroke: 'var(--border-plain-grey)' }} />
      </svg>
      <figcaption>
        <ul className="fr-raw-list" aria-label="Légende" style={{ display: 'flex', gap: '1.5rem', flexWrap: 'wrap' }}>
          <li>
            <span aria-hidden="true" style={{ display: 'inline-block', width: 12, height: 12, background: CALLS, marginRight: 6 }} />
            Appels
          </li>
          <li>
            <span aria-hidden="true" style={{ display: 'inline-block', width: 12, height: 12, background: ERRORS, marginRight: 6 }} />
            Erreurs (4xx et 5xx), comprises dans les appels
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}

/** The figures of the chart, one row per day (the CSV export has them by hour). */
function DailyTable({ series }: { series: Usage['series'] }) {
  const days = new Map<string, { calls: number; errors: number; s429: number }>();
  for (const s of hourly(series)) {
    const d = new Date(s.bucket);
    const key = new Date(d.getFullYear(), d.getMonth(), d.getDate()).toISOString();
    const v = days.get(key) ?? { calls: 0, errors: 0, s429: 0 };
    v.calls += s.calls;
    v.errors += s.errors;
    v.s429 += s.s429;
    days.set(key, v);
  }
  return (
    <Table
      caption="Appels par jour"
      headers={['Jour', 'Appels', 'Erreurs', 'Refus pour limite (429)']}
      data={[...days].map(([d, v]) => [dayOf(d), v.calls.toLocaleString('fr-FR'), v.errors.toLocaleString('fr-FR'), v.s429.toLocaleString('fr-FR')])}
    />
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
      {u.series.length > 0 && <DailyTable series={u.series} />}
      {u.topConsumers.length > 0 && (
        <Table caption="Principaux consommateurs" headers={['Application', 'Appels']} data={u.topConsumers.map((c) => [c.name, String(c.calls)])} />
      )}
      <a className="fr-link fr-icon-download-line fr-link--icon-left" href={gatewayUrls.usage({ apiId, applicationId, format: 'csv' })}>
        Exporter les appels par heure en CSV
      </a>
    </section>
  );
}
