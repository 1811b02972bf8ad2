import { useId, type ReactNode } from 'react';
import map from './regions-map.json';
import { plural } from '../../components/plural';

/**
 * The governance pages' SVG charts: images with a title and a description, drawn with the DSFR
 * theme's colour variables (readable in light and dark themes), each followed by its data table.
 */
const C = {
  text: 'var(--text-default-grey)',
  filled: 'var(--background-action-high-success-hover, #18753c)',
  partial: 'var(--background-action-high-warning, #b34000)',
  vacant: 'var(--background-action-high-error, #ce0500)',
  pending: 'var(--background-contrast-grey, #eee)',
  blue: 'var(--background-action-high-blue-france, #000091)',
  grid: 'var(--border-default-grey, #ddd)',
};
export const chartColours = C;

function Figure({
  title,
  description,
  table,
  children,
}: {
  title: string;
  description: string;
  table: ReactNode;
  children: (ids: { t: string; d: string }) => ReactNode;
}) {
  const id = useId();
  return (
    <figure className="fr-mb-4w fr-m-0">
      {children({ t: `${id}-t`, d: `${id}-d` })}
      <figcaption className="fr-text--sm fr-mb-1w">
        {title}
        <span id={`${id}-d`} hidden>
          {description}
        </span>
      </figcaption>
      <details>
        <summary>Voir les données de « {title} » sous forme de tableau</summary>
        {table}
      </details>
    </figure>
  );
}

export type RegionState = 'pourvu' | 'sans_lettre' | 'vacant';
const regionFill: Record<RegionState, string> = { pourvu: C.filled, sans_lettre: C.partial, vacant: C.vacant };
const regionLegend: Record<RegionState, string> = { pourvu: 'Nommé, lettre reçue', sans_lettre: 'Nommé, lettre absente', vacant: 'Vacant' };
export const regionStateLabels: Record<RegionState, string> = {
  pourvu: 'Référent nommé avec lettre de mission',
  sans_lettre: 'Référent nommé, lettre absente',
  vacant: 'Vacant',
};

/** Map of the 18 régions (mainland and the five DROM as insets), coloured by the state of their referent. */
export function RegionMap({ title, states, table }: { title: string; states: Record<string, { state: RegionState; label: string }>; table: ReactNode }) {
  const counts = Object.values(states).reduce<Record<string, number>>((m, s) => ({ ...m, [s.state]: (m[s.state] ?? 0) + 1 }), {});
  const description = `${plural(counts.pourvu ?? 0, 'région')} avec référent et lettre, ${counts.sans_lettre ?? 0} sans lettre, ${plural(counts.vacant ?? 0, 'vacante')}.`;
  return (
    <Figure title={title} description={description} table={table}>
      {(ids) => (
        <svg role="img" aria-labelledby={`${ids.t} ${ids.d}`} viewBox="0 0 600 530" width="100%" style={{ maxWidth: 560 }} data-chart="regions">
          <title id={ids.t}>{title}</title>
          {map.regions.map((r) => {
            const s = states[r.code];
            return (
              <path
                key={r.code}
                d={r.d}
                data-region={r.code}
                data-state={s?.state ?? 'vacant'}
                style={{ fill: regionFill[s?.state ?? 'vacant'], stroke: 'var(--background-default-grey, #fff)', strokeWidth: 1 }}
              >
                <title>{`${r.name} : ${s?.label ?? 'vacant'}`}</title>
              </path>
            );
          })}
          {map.regions
            .filter((r) => r.box)
            .map((r) => (
              <rect key={`b${r.code}`} x={r.box!.x - 3} y={r.box!.y - 3} width={r.box!.w + 6} height={r.box!.h + 6} style={{ fill: 'none', stroke: C.grid }} />
            ))}
          <g transform="translate(110 500)">
            {(Object.keys(regionFill) as RegionState[]).map((k, i) => (
              <g key={k} transform={`translate(${i * 150} 0)`}>
                <rect width="12" height="12" style={{ fill: regionFill[k] }} />
                <text x="16" y="11" fontSize="11" style={{ fill: C.text }}>
                  {regionLegend[k]}
                </text>
              </g>
            ))}
          </g>
          <text x="596" y="526" fontSize="8" textAnchor="end" style={{ fill: C.text }}>
            {map.attribution}
          </text>
        </svg>
      )}
    </Figure>
  );
}

/** One bar per directorate: confirmed, updated, still to review. */
export function ProgressBars({
  title,
  rows,
  table,
}: {
  title: string;
  rows: { key: string; confirmed: number; modified: number; pending: number }[];
  table: ReactNode;
}) {
  const labelW = 90;
  const barW = 420;
  const rowH = 26;
  const series = [
    { key: 'confirmed' as const, label: 'Confirmés', fill: C.filled },
    { key: 'modified' as const, label: 'Mis à jour', fill: C.blue },
    { key: 'pending' as const, label: 'À revoir', fill: C.pending },
  ];
  const description = rows.map((r) => `${r.key} : ${r.confirmed} confirmés, ${r.modified} mis à jour, ${r.pending} à revoir`).join(' ; ');
  return (
    <Figure title={title} description={description} table={table}>
      {(ids) => (
        <svg
          role="img"
          aria-labelledby={`${ids.t} ${ids.d}`}
          viewBox={`0 0 ${labelW + barW + 60} ${rows.length * rowH + 34}`}
          width="100%"
          style={{ maxWidth: 640 }}
        >
          <title id={ids.t}>{title}</title>
          {rows.map((r, i) => {
            const total = r.confirmed + r.modified + r.pending || 1;
            let x = labelW;
            return (
              <g key={r.key} transform={`translate(0 ${i * rowH})`}>
                <text x={labelW - 8} y={17} textAnchor="end" fontSize="12" style={{ fill: C.text }}>
                  {r.key}
                </text>
                {series.map((s) => {
                  const w = (r[s.key] / total) * barW;
                  const el = w > 0 ? <rect key={s.key} x={x} y={4} width={w} height={rowH - 8} style={{ fill: s.fill, stroke: C.grid }} /> : null;
                  x += w;
                  return el;
                })}
                <text x={labelW + barW + 6} y={17} fontSize="12" style={{ fill: C.text }}>
                  {Math.round((100 * (r.confirmed + r.modified)) / total)} %
                </text>
              </g>
            );
          })}
          <g transform={`translate(${labelW} ${rows.length * rowH + 12})`}>
            {series.map((s, i) => (
              <g key={s.key} transform={`translate(${i * 110} 0)`}>
                <rect width="12" height="12" style={{ fill: s.fill, stroke: C.grid }} />
                <text x="16" y="11" fontSize="11" style={{ fill: C.text }}>
                  {s.label}
                </text>
              </g>
            ))}
          </g>
        </svg>
      )}
    </Figure>
  );
}

/** The value/effort matrix: one point per scored project, quadrants at 50. */
export function Matrix({
  title,
  points,
  table,
}: {
  title: string;
  points: { id: string; label: string; value: number; effort: number; status: string }[];
  table: ReactNode;
}) {
  const size = 360;
  const m = 44;
  const x = (effort: number) => m + (effort / 100) * size;
  const y = (value: number) => m + size - (value / 100) * size;
  const description = points.map((p) => `${p.label} : valeur ${p.value}, effort ${p.effort}`).join(' ; ') || 'Aucun projet évalué.';
  const q = [
    { label: 'Prioritaires', x: m + 6, y: m + 14 },
    { label: 'Stratégiques', x: m + size / 2 + 6, y: m + 14 },
    { label: 'Opportunités', x: m + 6, y: m + size - 6 },
    { label: 'À éviter', x: m + size / 2 + 6, y: m + size - 6 },
  ];
  return (
    <Figure title={title} description={description} table={table}>
      {(ids) => (
        <svg
          role="img"
          aria-labelledby={`${ids.t} ${ids.d}`}
          viewBox={`0 0 ${size + m * 2 + 230} ${size + m * 2}`}
          width="100%"
          style={{ maxWidth: 640 }}
          data-chart="matrix"
        >
          <title id={ids.t}>{title}</title>
          <rect x={m} y={m} width={size} height={size} style={{ fill: 'none', stroke: C.grid }} />
          <line x1={m + size / 2} x2={m + size / 2} y1={m} y2={m + size} style={{ stroke: C.grid }} strokeDasharray="4 4" />
          <line x1={m} x2={m + size} y1={m + size / 2} y2={m + size / 2} style={{ stroke: C.grid }} strokeDasharray="4 4" />
          {q.map((l) => (
            <text key={l.label} x={l.x} y={l.y} fontSize="11" style={{ fill: C.text, opacity: 0.7 }}>
              {l.label}
            </text>
          ))}
          <text x={m + size / 2} y={m + size + 32} textAnchor="middle" fontSize="12" style={{ fill: C.text }}>
            Effort et risque (0–100) →
          </text>
          <text transform={`translate(${m - 28} ${m + size / 2}) rotate(-90)`} textAnchor="middle" fontSize="12" style={{ fill: C.text }}>
            Valeur (0–100) →
          </text>
          {[0, 50, 100].map((v) => (
            <g key={v}>
              <text x={x(v)} y={m + size + 14} textAnchor="middle" fontSize="10" style={{ fill: C.text }}>
                {v}
              </text>
              <text x={m - 6} y={y(v) + 3} textAnchor="end" fontSize="10" style={{ fill: C.text }}>
                {v}
              </text>
            </g>
          ))}
          {points.map((p, i) => (
            <g key={p.id} data-project={p.label}>
              <circle cx={x(p.effort)} cy={y(p.value)} r={7} style={{ fill: C.blue, stroke: 'var(--background-default-grey, #fff)', strokeWidth: 2 }}>
                <title>{`${p.label} : valeur ${p.value}, effort ${p.effort}`}</title>
              </circle>
              <text x={x(p.effort)} y={y(p.value) + 4} textAnchor="middle" fontSize="9" style={{ fill: 'var(--text-inverted-grey, #fff)' }}>
                {i + 1}
              </text>
              <text x={m * 2 + size} y={m + 14 + i * 18} fontSize="11" style={{ fill: C.text }}>
                {`${i + 1}. ${p.label.length > 26 ? `${p.label.slice(0, 25)}…` : p.label}`}
              </text>
            </g>
          ))}
        </svg>
      )}
    </Figure>
  );
}
