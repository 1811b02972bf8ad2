import { theme } from '../../components/theme';
/**
 * A small accessible SVG bar chart (no script, CSP-safe): the figure has a text alternative and the
 * same figures are available as a table for screen readers and keyboard users.
 */
export function BarChart({
  title,
  data,
  horizontal = false,
  unit = 'décès',
}: {
  title: string;
  data: { label: string; value: number }[];
  horizontal?: boolean;
  unit?: string;
}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const total = data.reduce((s, d) => s + d.value, 0);
  const summary = `${title} : ${data.length} valeurs, total ${total.toLocaleString('fr-FR')} ${unit}, maximum ${max.toLocaleString('fr-FR')}.`;
  let chart;
  if (horizontal) {
    const rowH = 22;
    const w = 640;
    const labelW = 170;
    chart = (
      <svg viewBox={`0 0 ${w} ${data.length * rowH + 10}`} width="100%" role="img" aria-label={summary}>
        <title>{summary}</title>
        {data.map((d, i) => {
          const bw = ((w - labelW - 70) * d.value) / max;
          return (
            <g key={d.label} transform={`translate(0 ${i * rowH + 5})`}>
              <text x={labelW - 6} y={14} textAnchor="end" fontSize="12" fill="currentColor">
                {d.label}
              </text>
              <rect x={labelW} y={3} width={Math.max(1, bw)} height={rowH - 8} style={{ fill: theme.blue }} />
              <text x={labelW + bw + 4} y={14} fontSize="12" fill="currentColor">
                {d.value.toLocaleString('fr-FR')}
              </text>
            </g>
          );
        })}
      </svg>
    );
  } else {
    const w = 720;
    const h = 220;
    const bw = (w - 40) / Math.max(1, data.length);
    chart = (
      <svg viewBox={`0 0 ${w} ${h + 40}`} width="100%" role="img" aria-label={summary}>
        <title>{summary}</title>
        <line x1={40} y1={h} x2={w} y2={h} stroke="currentColor" strokeWidth="1" />
        <text x={36} y={12} textAnchor="end" fontSize="11" fill="currentColor">
          {max.toLocaleString('fr-FR')}
        </text>
        <text x={36} y={h} textAnchor="end" fontSize="11" fill="currentColor">
          0
        </text>
        {data.map((d, i) => {
          const bh = ((h - 10) * d.value) / max;
          return (
            <g key={d.label}>
              <rect x={40 + i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} style={{ fill: theme.blue }}>
                <title>{`${d.label} : ${d.value.toLocaleString('fr-FR')}`}</title>
              </rect>
              {(data.length <= 24 || i % Math.ceil(data.length / 12) === 0) && (
                <text x={40 + i * bw + bw / 2} y={h + 14} textAnchor="middle" fontSize="10" fill="currentColor">
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    );
  }
  return (
    <figure className="fr-mb-4w">
      {chart}
      <figcaption className="fr-text--sm">{summary}</figcaption>
      <details>
        <summary>Voir les données en tableau</summary>
        <div className="fr-table fr-table--no-caption">
          <table>
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">Valeur</th>
                <th scope="col">Nombre</th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.label}>
                  <td>{d.label}</td>
                  <td>{d.value.toLocaleString('fr-FR')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
