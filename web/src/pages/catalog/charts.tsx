import { theme } from '../../components/theme';
/** Small accessible SVG charts (no external script: they work offline under the CSP). */
export interface Bar {
  label: string;
  value: number;
  color?: string;
}

/** Horizontal bars with their values written out; the figure is described by its table. */
export function BarChart({ title, bars, max, unit = '' }: { title: string; bars: Bar[]; max?: number; unit?: string }) {
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const rowH = 28;
  const labelW = 170;
  const width = 560;
  const barW = width - labelW - 60;
  return (
    <figure className="fr-m-0 fr-mb-3w">
      <figcaption className="fr-text--bold fr-mb-1w">{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${bars.length * rowH + 4}`}
        style={{ width: '100%', maxWidth: width, height: 'auto' }}
        role="img"
        aria-label={`${title} : ${bars.map((b) => `${b.label} : ${b.value}${unit}`).join(', ')}`}
      >
        {bars.map((b, i) => (
          <g key={b.label} transform={`translate(0 ${i * rowH})`}>
            <text x={labelW - 8} y={rowH / 2 + 4} textAnchor="end" fontSize={13} style={{ fill: theme.text }}>
              {b.label}
            </text>
            <rect x={labelW} y={5} width={Math.max(1, (b.value / top) * barW)} height={rowH - 10} style={{ fill: b.color ?? theme.blue }} />
            <text x={labelW + (b.value / top) * barW + 6} y={rowH / 2 + 4} fontSize={13} style={{ fill: theme.text }}>
              {b.value}
              {unit}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** One stacked bar per row (e.g. openness by kind), with a legend. */
export function StackedBars({
  title,
  rows,
  series,
}: {
  title: string;
  rows: { label: string; values: Record<string, number> }[];
  series: { key: string; label: string; color: string }[];
}) {
  const rowH = 28;
  const labelW = 170;
  const width = 560;
  const barW = width - labelW - 20;
  const total = (r: { values: Record<string, number> }) => series.reduce((s, x) => s + (r.values[x.key] ?? 0), 0);
  const top = Math.max(1, ...rows.map(total));
  return (
    <figure className="fr-m-0 fr-mb-3w">
      <figcaption className="fr-text--bold fr-mb-1w">{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${rows.length * rowH + 4}`}
        style={{ width: '100%', maxWidth: width, height: 'auto' }}
        role="img"
        aria-label={`${title} : ${rows.map((r) => `${r.label} : ${series.map((s) => `${s.label} ${r.values[s.key] ?? 0}`).join(', ')}`).join(' ; ')}`}
      >
        {rows.map((r, i) => {
          let x = labelW;
          return (
            <g key={r.label} transform={`translate(0 ${i * rowH})`}>
              <text x={labelW - 8} y={rowH / 2 + 4} textAnchor="end" fontSize={13} style={{ fill: theme.text }}>
                {r.label}
              </text>
              {series.map((s) => {
                const w = ((r.values[s.key] ?? 0) / top) * barW;
                const el = w > 0 ? <rect key={s.key} x={x} y={5} width={w} height={rowH - 10} style={{ fill: s.color }} /> : null;
                x += w;
                return el;
              })}
            </g>
          );
        })}
      </svg>
      <p className="fr-text--sm">
        {series.map((s) => (
          <span key={s.key} className="fr-mr-2w" style={{ whiteSpace: 'nowrap' }}>
            <svg width="12" height="12" aria-hidden="true" style={{ verticalAlign: 'middle' }}>
              <rect width="12" height="12" style={{ fill: s.color }} />
            </svg>{' '}
            {s.label}
          </span>
        ))}
      </p>
    </figure>
  );
}
