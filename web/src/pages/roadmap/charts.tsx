import { useId, type ReactNode } from 'react';
import { frDay } from './format';
import { theme } from '../../components/theme';

/**
 * Small SVG charts written for this module: no script beyond React, so they work offline under the
 * CSP. Each chart is an image with a title and a text description, and comes with its data table
 * (the accessible alternative) in a disclosure below it.
 */

export interface Series {
  key: string;
  label: string;
  colour: string;
}

/** Horizontal stacked bars: one bar per row, one segment per series. */
export function StackedBars({
  title,
  rows,
  series,
  description,
  table,
}: {
  title: string;
  rows: { key: string; label: string; values: Record<string, number> }[];
  series: Series[];
  description: string;
  table: ReactNode;
}) {
  const id = useId();
  const labelWidth = 210;
  const barWidth = 380;
  const rowHeight = 26;
  const max = Math.max(1, ...rows.map((r) => series.reduce((s, x) => s + (r.values[x.key] ?? 0), 0)));
  const height = rows.length * rowHeight + 34;
  return (
    <figure className="fr-mb-4w roadmap-chart">
      <svg role="img" aria-labelledby={`${id}-t ${id}-d`} viewBox={`0 0 ${labelWidth + barWidth + 50} ${height}`} width="100%" style={{ maxWidth: 700 }}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {rows.map((r, i) => {
          let x = labelWidth;
          const total = series.reduce((s, k) => s + (r.values[k.key] ?? 0), 0);
          return (
            <g key={r.key} transform={`translate(0 ${i * rowHeight})`}>
              <text x={labelWidth - 8} y={17} textAnchor="end" fontSize="12" style={{ fill: theme.text }}>
                {r.label.length > 32 ? `${r.label.slice(0, 31)}…` : r.label}
              </text>
              {series.map((s) => {
                const v = r.values[s.key] ?? 0;
                const w = (v / max) * barWidth;
                const rect = v > 0 ? <rect key={s.key} x={x} y={4} width={w} height={rowHeight - 8} style={{ fill: s.colour }} /> : null;
                x += w;
                return rect;
              })}
              <text x={x + 6} y={17} fontSize="12" style={{ fill: theme.text }}>
                {total}
              </text>
            </g>
          );
        })}
        <g transform={`translate(${labelWidth} ${rows.length * rowHeight + 10})`}>
          {series.map((s, i) => (
            <g key={s.key} transform={`translate(${i * 110} 0)`}>
              <rect width="12" height="12" style={{ fill: s.colour }} />
              <text x="16" y="11" fontSize="11" style={{ fill: theme.text }}>
                {s.label}
              </text>
            </g>
          ))}
        </g>
      </svg>
      <figcaption className="fr-text--sm">{title}</figcaption>
      <details className="fr-mt-1w">
        <summary>Voir les données de « {title} » sous forme de tableau</summary>
        {table}
      </details>
    </figure>
  );
}

type BurnupPoint = { date: string; scope: number; started: number; done: number };

/** The burn-up's data as a table: the accessible alternative to the chart. */
function BurnupTable({ points }: { points: BurnupPoint[] }) {
  return (
    <div className="fr-table fr-table--no-caption">
      <table>
        <caption>Burn-up des actions</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Périmètre</th>
            <th scope="col">Lancées ou réalisées</th>
            <th scope="col">Réalisées</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.date}>
              <th scope="row">{frDay(p.date)}</th>
              <td>{p.scope}</td>
              <td>{p.started}</td>
              <td>{p.done}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Burn-up: lines of the scope, the started and the done actions over time. */
export function BurnupChart({ points, table }: { points: BurnupPoint[]; table?: ReactNode }) {
  table ??= <BurnupTable points={points} />;
  const id = useId();
  const W = 640;
  const H = 260;
  const pad = { l: 40, r: 16, t: 12, b: 44 };
  if (points.length === 0) return <p>Aucune mise à jour enregistrée.</p>;
  const t0 = new Date(points[0]!.date).getTime();
  const t1 = Math.max(t0 + 86400_000, new Date(points.at(-1)!.date).getTime());
  const max = Math.max(1, ...points.map((p) => p.scope));
  const x = (d: string) => pad.l + ((new Date(d).getTime() - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  // Step lines: a value holds until the next change.
  const path = (k: 'scope' | 'started' | 'done') =>
    points.map((p, i) => (i === 0 ? `M${x(p.date)},${y(p[k])}` : `H${x(p.date)}V${y(p[k])}`)).join('') + `H${W - pad.r}`;
  const last = points.at(-1)!;
  const lines: { k: 'scope' | 'started' | 'done'; label: string; colour: string; dash?: string }[] = [
    { k: 'scope', label: 'Périmètre', colour: theme.text, dash: '4 3' },
    { k: 'started', label: 'Lancées ou réalisées', colour: theme.purple },
    { k: 'done', label: 'Réalisées', colour: theme.success },
  ];
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(max * f));
  return (
    <figure className="fr-mb-4w roadmap-chart">
      <svg role="img" aria-labelledby={`${id}-t ${id}-d`} viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: 700 }}>
        <title id={`${id}-t`}>Burn-up des actions</title>
        <desc id={`${id}-d`}>
          Du {points[0]!.date} au {last.date} : {last.done} action(s) réalisée(s) et {last.started} lancée(s) ou réalisée(s) sur un périmètre de {last.scope}.
        </desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} style={{ stroke: theme.grid }} />
            <text x={pad.l - 6} y={y(v) + 4} textAnchor="end" fontSize="11" style={{ fill: theme.mention }}>
              {v}
            </text>
          </g>
        ))}
        <text x={pad.l} y={H - pad.b + 16} fontSize="11" style={{ fill: theme.mention }}>
          {points[0]!.date.split('-').reverse().join('/')}
        </text>
        <text x={W - pad.r} y={H - pad.b + 16} fontSize="11" textAnchor="end" style={{ fill: theme.mention }}>
          {last.date.split('-').reverse().join('/')}
        </text>
        {lines.map((l) => (
          <path key={l.k} d={path(l.k)} fill="none" style={{ stroke: l.colour }} strokeWidth={2} strokeDasharray={l.dash} />
        ))}
        <g transform={`translate(${pad.l} ${H - 14})`}>
          {lines.map((l, i) => (
            <g key={l.k} transform={`translate(${i * 170} 0)`}>
              <line x1="0" x2="18" y1="-4" y2="-4" style={{ stroke: l.colour }} strokeWidth="2" strokeDasharray={l.dash} />
              <text x="22" y="0" fontSize="11" style={{ fill: theme.text }}>
                {l.label}
              </text>
            </g>
          ))}
        </g>
      </svg>
      <figcaption className="fr-text--sm">Burn-up : actions lancées et réalisées au fil du temps, reconstitué à partir du journal des mises à jour.</figcaption>
      <details className="fr-mt-1w">
        <summary>Voir les données du burn-up sous forme de tableau</summary>
        {table}
      </details>
    </figure>
  );
}

/** A progress bar with its value as text. */
export function Progress({ value, label }: { value: number; label: string }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: '.5rem' }}>
      <svg width="80" height="10" aria-hidden="true" focusable="false">
        <rect width="80" height="10" style={{ fill: theme.track }} />
        <rect width={(80 * value) / 100} height="10" style={{ fill: theme.blue }} />
      </svg>
      <span>
        {value} %<span className="fr-sr-only"> d’avancement pour {label}</span>
      </span>
    </span>
  );
}

/** A small line of an indicator's values over time, against its target (decorative: the values are in the table beside it). */
export function Sparkline({ values, target }: { values: number[]; target: number | null }) {
  if (values.length < 2) return null;
  const W = 120;
  const H = 32;
  const max = Math.max(...values, target ?? -Infinity);
  const min = Math.min(...values, 0);
  const y = (v: number) => H - 3 - ((v - min) / (max - min || 1)) * (H - 6);
  const x = (i: number) => 2 + (i / (values.length - 1)) * (W - 4);
  return (
    <svg width={W} height={H} aria-hidden="true" focusable="false" style={{ verticalAlign: 'middle' }}>
      {target !== null && <line x1="0" x2={W} y1={y(target)} y2={y(target)} strokeDasharray="3 2" style={{ stroke: theme.mention }} />}
      <polyline points={values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} fill="none" strokeWidth="2" style={{ stroke: theme.blue }} />
    </svg>
  );
}
