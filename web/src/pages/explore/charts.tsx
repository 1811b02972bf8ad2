import { Fragment, useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { visualizationLabels, type MeasureFn, type Visualization } from '@patrimoine/contracts/explore';
import { theme } from '../../components/theme';
import departements from './maps/departements.json';
import regions from './maps/regions.json';
import type { QueryResult } from './api';
import { seasonallyAdjust, seasonalProblem } from './seasonal';

/**
 * Charts of question results (issue 18): SVG drawn with DSFR colour variables (the illustrative
 * palette for categories, the blue France scale for maps), so that they read in light and dark
 * themes; every chart is an image with a title and a description, followed by its data table.
 */

/** DSFR's illustrative colours, in the order the design system suggests for data visualisation. */
export const palette = [
  'var(--background-action-high-blue-ecume)',
  'var(--background-action-high-green-menthe)',
  'var(--background-action-high-purple-glycine)',
  'var(--background-action-high-orange-terre-battue)',
  'var(--background-action-high-yellow-tournesol)',
  'var(--background-action-high-pink-tuile)',
  'var(--background-action-high-green-archipel)',
  'var(--background-action-high-brown-cafe-creme)',
  'var(--background-action-high-blue-cumulus)',
  'var(--background-action-high-pink-macaron)',
];
const colour = (i: number) => palette[i % palette.length]!;

const fmt = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('fr-FR', { maximumFractionDigits: 2 }) : v === null || v === undefined ? '—' : String(v));
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** The grouping columns and the measures of a result (the builder names its measures m0, m1…). */
export function shape(r: QueryResult): { dims: number[]; measures: number[] } {
  const byName = r.columns.map((c, i) => ({ c, i }));
  const named = byName.filter(({ c }) => /^m\d+$/.test(c.name));
  const measures = named.length ? named.map((x) => x.i) : byName.filter(({ c }) => NUMERIC.test(c.type)).map((x) => x.i);
  const dims = byName.filter(({ i }) => !measures.includes(i)).map((x) => x.i);
  return { dims, measures };
}

/**
 * A result as a table; grouping values as written (a code or a year is not a quantity), measures in
 * French number format; with `nameOf`, a « Nom » column after the first (the area a map draws).
 */
export function ResultTable({ result, caption, nameOf }: { result: QueryResult; caption: string; nameOf?: (code: string) => string | undefined }) {
  const { measures } = shape(result);
  const cell = (v: unknown, j: number) => (measures.includes(j) ? fmt(v) : v === null || v === undefined ? '—' : String(v));
  return (
    <div className="fr-table fr-table--sm fr-table--no-caption" style={{ overflowX: 'auto' }}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {result.columns.map((c, j) => (
              <Fragment key={c.name}>
                <th scope="col">{c.label}</th>
                {nameOf && j === 0 && <th scope="col">Nom</th>}
              </Fragment>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.slice(0, 500).map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <Fragment key={j}>
                  <td>{cell(v, j)}</td>
                  {nameOf && j === 0 && <td>{nameOf(String(v)) ?? '—'}</td>}
                </Fragment>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {result.rows.length > 500 && <p className="fr-text--sm">500 premières lignes affichées sur {result.rows.length.toLocaleString('fr-FR')}.</p>}
      {result.truncated && <p className="fr-text--sm">Résultat tronqué à la limite de lignes : affinez la question.</p>}
    </div>
  );
}

function Figure({
  title,
  description,
  result,
  nameOf,
  children,
}: {
  title: string;
  description: string;
  result: QueryResult;
  nameOf?: (code: string) => string | undefined;
  children: (ids: { t: string; d: string }) => ReactNode;
}) {
  const id = useId();
  return (
    <figure className="fr-m-0">
      {children({ t: `${id}-t`, d: `${id}-d` })}
      <figcaption className="fr-text--sm fr-mb-1w">
        <span id={`${id}-d`}>{description}</span>
      </figcaption>
      <details className="explore-data">
        <summary>Voir les données de « {title} » sous forme de tableau</summary>
        <ResultTable result={result} caption={title} nameOf={nameOf} />
      </details>
    </figure>
  );
}

function Legend({ items }: { items: { label: string; fill: string; opacity?: number; hatched?: boolean }[] }) {
  return (
    <ul
      className="fr-text--sm"
      style={{ listStyle: 'none', padding: 0, display: 'flex', flexWrap: 'wrap', gap: '0.25rem 1rem', margin: '0.5rem 0' }}
      aria-label="Légende"
    >
      {items.map((it) => (
        <li key={it.label} style={{ display: 'flex', alignItems: 'center', gap: '0.4rem', padding: 0 }}>
          <svg width="14" height="14" aria-hidden="true">
            {it.hatched ? (
              <>
                <rect width="14" height="14" style={{ fill: theme.track, stroke: theme.grid }} />
                <path d="M0 14L14 0M-4 4L4 -4M10 18L18 10M0 7L7 0M7 14L14 7" style={{ stroke: it.fill, strokeWidth: 2 }} />
              </>
            ) : (
              <rect width="14" height="14" style={{ fill: it.fill, fillOpacity: it.opacity ?? 1, stroke: theme.grid }} />
            )}
          </svg>
          {it.label}
        </li>
      ))}
    </ul>
  );
}

function Bars({ title, result, stacked }: { title: string; result: QueryResult; stacked: boolean }) {
  const { dims, measures } = shape(result);
  const m = measures[0]!;
  const d0 = dims[0] ?? 0;
  const d1 = stacked ? dims[1] : undefined;
  const cats = [...new Set(result.rows.map((r) => String(r[d0])))];
  const series = d1 === undefined ? [''] : [...new Set(result.rows.map((r) => String(r[d1])))];
  const value = (cat: string, s: string) =>
    result.rows.filter((r) => String(r[d0]) === cat && (d1 === undefined || String(r[d1]) === s)).reduce((a, r) => a + (Number(r[m]) || 0), 0);
  const totals = cats.map((c) => series.reduce((a, s) => a + value(c, s), 0));
  const max = Math.max(1, ...totals);
  const rowH = 26;
  const left = 190;
  const width = 640;
  const h = cats.length * rowH + 10;
  const description = `${visualizationLabels[stacked ? 'stacked_bar' : 'bar']} : ${result.columns[m]!.label} par ${result.columns[d0]!.label}${d1 !== undefined ? ` et ${result.columns[d1]!.label}` : ''}, ${cats.length} barres ; maximum ${fmt(max)}.`;
  return (
    <Figure title={title} description={description} result={result}>
      {(ids) => (
        <>
          <svg role="img" aria-labelledby={`${ids.t} ${ids.d}`} viewBox={`0 0 ${width} ${h}`} width="100%" data-chart={stacked ? 'stacked_bar' : 'bar'}>
            <title id={ids.t}>{title}</title>
            {cats.map((c, i) => {
              let x = left;
              return (
                <g key={c} transform={`translate(0 ${i * rowH + 5})`}>
                  <text x={left - 6} y={rowH / 2 + 4} textAnchor="end" style={{ fill: theme.text, fontSize: 12 }}>
                    {c.length > 28 ? `${c.slice(0, 27)}…` : c}
                  </text>
                  {series.map((s, j) => {
                    const v = value(c, s);
                    const w = (v / max) * (width - left - 70);
                    const rect = (
                      <rect key={s} x={x} y={3} width={Math.max(0, w)} height={rowH - 8} style={{ fill: colour(stacked ? j : 0) }}>
                        <title>{`${c}${s ? ` · ${s}` : ''} : ${fmt(v)}`}</title>
                      </rect>
                    );
                    x += w;
                    return rect;
                  })}
                  <text x={x + 4} y={rowH / 2 + 4} style={{ fill: theme.text, fontSize: 11 }}>
                    {fmt(totals[i])}
                  </text>
                </g>
              );
            })}
          </svg>
          {stacked && <Legend items={series.map((s, j) => ({ label: s, fill: colour(j) }))} />}
        </>
      )}
    </Figure>
  );
}

/**
 * A line per series; with `adjusted`, each series' seasonally adjusted values (ADR 0803) are drawn
 * beside it, dashed, and added to the data table.
 */
function Lines({ title, result, adjusted }: { title: string; result: QueryResult; adjusted: boolean }) {
  const { dims, measures } = shape(result);
  const m = measures[0]!;
  const d0 = dims[0] ?? 0;
  const d1 = dims[1];
  const xs = [...new Set(result.rows.map((r) => String(r[d0])))].sort();
  const series = d1 === undefined ? [''] : [...new Set(result.rows.map((r) => String(r[d1])))];
  const rowOf = (x: string, s: string) => result.rows.findIndex((r) => String(r[d0]) === x && (d1 === undefined || String(r[d1]) === s));
  const val = (x: string, s: string) => {
    const i = rowOf(x, s);
    return i >= 0 && result.rows[i]![m] !== null ? Number(result.rows[i]![m]) : null;
  };
  // The adjusted series, per series, by row of the result (for the table) and by x (for the drawing).
  let cvsProblem: string | null = null;
  const cvs = new Map<string, (number | null)[]>();
  const cvsByRow: (number | null)[] = result.rows.map(() => null);
  if (adjusted) {
    cvsProblem = seasonalProblem(xs);
    if (!cvsProblem)
      for (const s of series) {
        try {
          const a = seasonallyAdjust(
            xs,
            xs.map((x) => val(x, s)),
          );
          cvs.set(s, a.adjusted);
          xs.forEach((x, i) => {
            const r = rowOf(x, s);
            if (r >= 0) cvsByRow[r] = a.adjusted[i] === null ? null : Math.round(a.adjusted[i]! * 100) / 100;
          });
        } catch (e) {
          cvsProblem = (e as Error).message;
        }
      }
  }
  const shown: QueryResult = cvs.size
    ? {
        ...result,
        columns: [...result.columns, { name: `${result.columns[m]!.name}_cvs`, type: 'DOUBLE', label: `${result.columns[m]!.label} (CVS)` }],
        rows: result.rows.map((r, i) => [...r, cvsByRow[i]]),
      }
    : result;
  const all = [...xs.flatMap((x) => series.map((s) => val(x, s))), ...[...cvs.values()].flat()].filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(1, ...all);
  const min = Math.min(0, ...all);
  const [W, H, L, B] = [640, 260, 60, 30];
  const px = (i: number) => L + (xs.length <= 1 ? 0 : (i / (xs.length - 1)) * (W - L - 10));
  const py = (v: number) => H - B - ((v - min) / (max - min || 1)) * (H - B - 10);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((k) => min + k * (max - min));
  const labelEvery = Math.max(1, Math.ceil(xs.length / 8));
  const first = val(xs[0] ?? '', series[0]!);
  const last = val(xs.at(-1) ?? '', series[0]!);
  const cvsText = cvs.size
    ? ` En pointillés, la série corrigée des variations saisonnières (moyenne mobile 2×12, coefficients saisonniers mensuels ; sans correction des jours ouvrables).`
    : '';
  const description = `Courbe de ${result.columns[m]!.label} par ${result.columns[d0]!.label}, de ${xs[0] ?? '—'} (${fmt(first)}) à ${xs.at(-1) ?? '—'} (${fmt(last)}).${cvsText}`;
  const legend = [
    ...series.flatMap((s, j) => [
      ...(d1 !== undefined || cvs.size ? [{ label: s ? `${s}${cvs.size ? ' (brut)' : ''}` : 'Série brute', fill: colour(j) }] : []),
      ...(cvs.has(s) ? [{ label: s ? `${s} (CVS, pointillés)` : 'Série CVS (pointillés)', fill: colour(j), opacity: 0.55 }] : []),
    ]),
  ];
  return (
    <Figure title={title} description={description} result={shown}>
      {(ids) => (
        <>
          <svg role="img" aria-labelledby={`${ids.t} ${ids.d}`} viewBox={`0 0 ${W} ${H}`} width="100%" data-chart="line">
            <title id={ids.t}>{title}</title>
            {ticks.map((t) => (
              <g key={t}>
                <line x1={L} x2={W - 10} y1={py(t)} y2={py(t)} style={{ stroke: theme.grid }} />
                <text x={L - 6} y={py(t) + 4} textAnchor="end" style={{ fill: theme.mention, fontSize: 11 }}>
                  {fmt(Math.round(t))}
                </text>
              </g>
            ))}
            {xs.map((x, i) =>
              i % labelEvery === 0 ? (
                <text key={x} x={px(i)} y={H - 10} textAnchor="middle" style={{ fill: theme.mention, fontSize: 11 }}>
                  {x}
                </text>
              ) : null,
            )}
            {series.map((s, j) => {
              const pts = xs.map((x, i) => [i, val(x, s)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
              const adj = (cvs.get(s) ?? []).map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
              return (
                <g key={s}>
                  <polyline fill="none" points={pts.map(([i, v]) => `${px(i)},${py(v)}`).join(' ')} style={{ stroke: colour(j), strokeWidth: 2.5 }} />
                  {adj.length > 0 && (
                    <polyline
                      fill="none"
                      data-series="cvs"
                      points={adj.map(([i, v]) => `${px(i)},${py(v)}`).join(' ')}
                      style={{ stroke: colour(j), strokeWidth: 2, strokeDasharray: '6 4', strokeOpacity: 0.8 }}
                    />
                  )}
                  {pts.map(([i, v]) => (
                    <circle key={i} cx={px(i)} cy={py(v)} r={3} style={{ fill: colour(j) }}>
                      <title>{`${xs[i]}${s ? ` · ${s}` : ''} : ${fmt(v)}${cvs.get(s)?.[i] != null ? ` (CVS ${fmt(cvs.get(s)![i])})` : ''}`}</title>
                    </circle>
                  ))}
                </g>
              );
            })}
          </svg>
          {legend.length > 0 && <Legend items={legend} />}
          {cvsProblem && (
            <p className="fr-text--sm fr-mb-1w" style={{ color: theme.mention }}>
              {cvsProblem.startsWith('Série') ? cvsProblem : `Série corrigée des variations saisonnières impossible : ${cvsProblem}.`}
            </p>
          )}
        </>
      )}
    </Figure>
  );
}

function Pie({ title, result }: { title: string; result: QueryResult }) {
  const { dims, measures } = shape(result);
  const m = measures[0]!;
  const d0 = dims[0] ?? 0;
  const parts = result.rows.map((r) => ({ label: String(r[d0]), v: Math.max(0, Number(r[m]) || 0) }));
  const total = parts.reduce((a, p) => a + p.v, 0) || 1;
  let a0 = -Math.PI / 2;
  const R = 100;
  const description = `Secteurs : ${parts.map((p) => `${p.label} ${Math.round((p.v / total) * 100)} %`).join(', ')}.`;
  return (
    <Figure title={title} description={description} result={result}>
      {(ids) => (
        <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: '1rem' }}>
          <svg role="img" aria-labelledby={`${ids.t} ${ids.d}`} viewBox="-110 -110 220 220" width="220" data-chart="pie">
            <title id={ids.t}>{title}</title>
            {parts.map((p, i) => {
              const a1 = a0 + (p.v / total) * 2 * Math.PI;
              const large = a1 - a0 > Math.PI ? 1 : 0;
              const d =
                parts.length === 1
                  ? `M0,-${R}A${R},${R} 0 1 1 -0.01,-${R}Z`
                  : `M0,0L${R * Math.cos(a0)},${R * Math.sin(a0)}A${R},${R} 0 ${large} 1 ${R * Math.cos(a1)},${R * Math.sin(a1)}Z`;
              a0 = a1;
              return (
                <path key={p.label} d={d} style={{ fill: colour(i), stroke: 'var(--background-default-grey)', strokeWidth: 1 }}>
                  <title>{`${p.label} : ${fmt(p.v)} (${Math.round((p.v / total) * 100)} %)`}</title>
                </path>
              );
            })}
          </svg>
          <Legend items={parts.map((p, i) => ({ label: `${p.label} (${Math.round((p.v / total) * 100)} %)`, fill: colour(i) }))} />
        </div>
      )}
    </Figure>
  );
}

/**
 * One figure. Grouped by a period (months in order), it is the last period's, with its evolution
 * against the previous one.
 */
function BigNumber({ title, result }: { title: string; result: QueryResult }) {
  const { dims, measures } = shape(result);
  const m = measures[0] ?? 0;
  const d0 = dims[0];
  const rows = d0 === undefined ? result.rows : [...result.rows].sort((a, b) => String(a[d0]).localeCompare(String(b[d0])));
  const last = rows.at(-1);
  const prev = d0 !== undefined && rows.length > 1 ? rows.at(-2) : undefined;
  const v = last?.[m];
  const change = prev && typeof v === 'number' && typeof prev[m] === 'number' && prev[m] !== 0 ? (v - (prev[m] as number)) / Math.abs(prev[m] as number) : null;
  const evolution =
    change === null
      ? ''
      : `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} % par rapport à ${String(prev![d0!])}`;
  const when = d0 !== undefined && last ? ` (${String(last[d0])})` : '';
  return (
    <Figure title={title} description={`${result.columns[m]?.label ?? ''}${when} : ${fmt(v)}${evolution ? `, ${evolution}` : ''}`} result={result}>
      {() => (
        <>
          <p className="fr-display--sm fr-mb-0" data-chart="number" style={{ color: theme.text }}>
            {fmt(v)}
          </p>
          {(when || evolution) && (
            <p className="fr-text--sm fr-mb-1w" style={{ color: theme.mention }}>
              {when.trim()} {evolution}
            </p>
          )}
        </>
      )}
    </Figure>
  );
}

type MapDoc = { viewBox: string; attribution: string; areas: { code: string; name: string; zone: string; d: string }[] };
const STEPS = [0.15, 0.35, 0.55, 0.75, 0.95];

/** Values by code: the first grouping column's codes, the first measure's values. */
function valuesOf(result: QueryResult, norm: (code: string) => string): Map<string, number> {
  const { dims, measures } = shape(result);
  const m = measures[0]!;
  const d0 = dims[0] ?? 0;
  return new Map(result.rows.map((r) => [norm(String(r[d0])), Number(r[m])]));
}

function ChoroplethView({
  title,
  result,
  map,
  values,
  mixed = new Set<string>(),
  codeOf,
  level,
  note = '',
  strokeWidth = 0.6,
  children,
}: {
  title: string;
  result: QueryResult;
  map: MapDoc;
  values: Map<string, number>;
  /** Areas where values that cannot be combined met (merged communes of an average…): hatched, without a value. */
  mixed?: Set<string>;
  /** The map's code of a row's value (leading zero, merged commune…), for the names in the data table. */
  codeOf: (raw: string) => string;
  level: 'departement' | 'region' | 'commune';
  note?: string;
  strokeWidth?: number;
  children?: ReactNode;
}) {
  const { measures } = shape(result);
  const m = measures[0]!;
  const known = map.areas
    .map((a) => values.get(a.code))
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
    .sort((a, b) => a - b);
  // Five classes of equal counts (quantiles): each colour covers about the same number of areas.
  const bounds = STEPS.map((_, i) => known[Math.min(known.length - 1, Math.floor(((i + 1) * known.length) / STEPS.length) - 1)] ?? 0);
  const klass = (v: number) =>
    Math.max(
      0,
      bounds.findIndex((b) => v <= b),
    );
  const missing = map.areas.filter((a) => !values.has(a.code) && !mixed.has(a.code)).length;
  const hatch = `${useId().replace(/:/g, '')}-mixed`;
  const names = new Map(map.areas.map((a) => [a.code, a.name]));
  const nameOf = (raw: string) => names.get(codeOf(raw));
  const [one, many] = { departement: ['département', 'départements'], region: ['région', 'régions'], commune: ['commune', 'communes'] }[level];
  const description = `Carte par ${one} de ${result.columns[m]!.label} : de ${fmt(known[0])} à ${fmt(known.at(-1))}${missing ? `, ${missing} ${many} sans donnée` : ''}.${note} ${map.attribution}.`;
  return (
    <Figure title={title} description={description} result={result} nameOf={nameOf}>
      {(ids) => (
        <>
          {children}
          <svg role="img" aria-labelledby={`${ids.t} ${ids.d}`} viewBox={map.viewBox} width="100%" style={{ maxWidth: 560 }} data-chart={`map_${level}`}>
            <title id={ids.t}>{title}</title>
            {mixed.size > 0 && (
              <defs>
                <pattern id={hatch} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                  <rect width="6" height="6" style={{ fill: theme.track }} />
                  <line x1="0" y1="0" x2="0" y2="6" style={{ stroke: theme.mention, strokeWidth: 2 }} />
                </pattern>
              </defs>
            )}
            {map.areas.map((a) => {
              const v = values.get(a.code);
              const has = v !== undefined && Number.isFinite(v);
              const isMixed = mixed.has(a.code);
              return (
                <path
                  key={a.code}
                  d={a.d}
                  data-code={a.code}
                  data-mixed={isMixed || undefined}
                  style={{
                    fill: has ? theme.blue : isMixed ? `url(#${hatch})` : theme.track,
                    fillOpacity: has ? STEPS[klass(v)] : 1,
                    stroke: 'var(--background-default-grey)',
                    strokeWidth,
                  }}
                >
                  <title>{`${a.name} (${a.code}) : ${has ? fmt(v) : isMixed ? 'communes fusionnées, valeurs non combinables' : 'sans donnée'}`}</title>
                </path>
              );
            })}
          </svg>
          <Legend
            items={[
              ...STEPS.map((o, i) => ({ label: `${i === 0 ? fmt(known[0]) : `> ${fmt(bounds[i - 1])}`} à ${fmt(bounds[i])}`, fill: theme.blue, opacity: o })),
              ...(missing ? [{ label: 'Sans donnée', fill: theme.track }] : []),
              ...(mixed.size ? [{ label: 'Communes fusionnées, valeurs non combinables', fill: theme.mention, hatched: true }] : []),
            ]}
          />
          <p className="fr-text--xs fr-mb-1w" style={{ color: theme.mention }}>
            {map.attribution}
          </p>
        </>
      )}
    </Figure>
  );
}

function Choropleth({ title, result, level }: { title: string; result: QueryResult; level: 'departement' | 'region' }) {
  const map = (level === 'departement' ? departements : regions) as MapDoc;
  const codeOf = (c: string) => c.padStart(2, '0');
  return <ChoroplethView title={title} result={result} map={map} level={level} codeOf={codeOf} values={valuesOf(result, codeOf)} />;
}

// One lazy chunk per département (ADR 0803): a commune map loads only the département it shows.
const communeMaps = import.meta.glob<MapDoc>('./maps/communes/*.json', { import: 'default' });
const mergedCodes = () => import('./maps/communes-merged.json').then((m) => m.default as Record<string, string>);

function CommuneMap({ title, result }: { title: string; result: QueryResult }) {
  const selectId = useId();
  const [merged, setMerged] = useState<Record<string, string> | null>(null);
  const [map, setMap] = useState<MapDoc | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    void mergedCodes()
      .then(setMerged)
      .catch(() => setFailed(true));
  }, []);
  const { values, merges, mixed, byDep, combine } = useMemo(() => {
    const { dims, measures } = shape(result);
    const m = measures[0]!;
    const combined = combineCommunes(result.rows, dims[0] ?? 0, m, result.columns[m]?.measure, merged ?? {});
    const byDep = new Map<string, number>();
    for (const code of [...combined.values.keys(), ...combined.mixed]) byDep.set(departementOf(code), (byDep.get(departementOf(code)) ?? 0) + 1);
    return { ...combined, byDep };
  }, [result, merged]);
  const deps = [...byDep.keys()].filter((d) => communeMaps[`./maps/communes/${d}.json`]).sort();
  const biggest = [...byDep].filter(([d]) => deps.includes(d)).sort((a, b) => b[1] - a[1])[0]?.[0];
  const [chosen, setChosen] = useState<string | null>(null);
  const dep = chosen && deps.includes(chosen) ? chosen : biggest;
  useEffect(() => {
    if (!dep) return;
    let live = true;
    void communeMaps[`./maps/communes/${dep}.json`]!()
      .then((doc) => live && setMap(doc))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [dep]);
  if (failed) return <p>La carte n’a pas pu être chargée.</p>;
  if (!merged || (dep && !map)) return <p className="fr-text--sm">Chargement de la carte…</p>;
  if (!dep || !map) return <p>Aucun code commune reconnu dans la première colonne (codes INSEE attendus, par exemple 75056).</p>;
  const depName = (departements as MapDoc).areas.find((a) => a.code === dep)?.name ?? dep;
  const shownMixed = new Set([...mixed].filter((c) => departementOf(c) === dep));
  const how = { sum: 'valeurs additionnées', min: 'la plus petite valeur gardée', max: 'la plus grande valeur gardée', none: 'valeurs non combinables' }[
    combine
  ];
  const note = `${deps.length > 1 ? ` Département affiché : ${depName} (${dep}), ${deps.length} départements dans le résultat.` : ` ${depName} (${dep}).`}${merges ? ` ${merges} ancien${merges > 1 ? 's' : ''} code${merges > 1 ? 's' : ''} de commune fusionnée rattaché${merges > 1 ? 's' : ''} à la commune d’aujourd’hui (${how}).` : ''}${mixed.size ? ` ${mixed.size} commune${mixed.size > 1 ? 's' : ''} d’aujourd’hui regroupe${mixed.size > 1 ? 'nt' : ''} plusieurs lignes de communes fusionnées : une moyenne, une médiane, un centile ou un nombre distinct ne s’additionne pas, ${mixed.size > 1 ? 'elles sont hachurées' : 'elle est hachurée'}, sans valeur (voir le tableau).` : ''}`;
  return (
    <ChoroplethView
      title={title}
      result={result}
      map={map}
      values={values}
      mixed={shownMixed}
      codeOf={(raw) => (merged ?? {})[communeCode(raw)] ?? communeCode(raw)}
      level="commune"
      note={note}
      strokeWidth={0.8}
    >
      {deps.length > 1 && (
        <div className="fr-select-group explore-no-print">
          <label className="fr-label" htmlFor={selectId}>
            Département affiché
          </label>
          <select id={selectId} className="fr-select" value={dep} onChange={(e) => setChosen(e.target.value)}>
            {deps.map((d) => (
              <option key={d} value={d}>
                {(departements as MapDoc).areas.find((a) => a.code === d)?.name ?? d} ({d}) — {byDep.get(d)} communes
              </option>
            ))}
          </select>
        </div>
      )}
    </ChoroplethView>
  );
}

/** An INSEE commune code as written in the map (a number that lost its leading zero gets it back). */
export function communeCode(raw: string): string {
  const c = raw.trim().toUpperCase();
  return /^\d{4}$/.test(c) ? `0${c}` : c;
}

/** The département of a commune code (three characters overseas: 971…976). */
export function departementOf(code: string): string {
  return code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2);
}

/**
 * How the values of several rows falling on one commune of today (codes of merged communes) are
 * combined: counts and sums add up, a minimum and a maximum keep theirs; an average, a median, a
 * percentile, a distinct count (or a SQL column, whose measure is unknown) cannot be recomputed from
 * the parts, so such a commune is left without a value and listed as mixed.
 */
export function combineCommunes(
  rows: unknown[][],
  dim: number,
  measure: number,
  fn: MeasureFn | undefined,
  merged: Record<string, string>,
): { values: Map<string, number>; mixed: Set<string>; merges: number; combine: 'sum' | 'min' | 'max' | 'none' } {
  const combine = fn === 'count' || fn === 'sum' ? 'sum' : fn === 'min' ? 'min' : fn === 'max' ? 'max' : 'none';
  const values = new Map<string, number>();
  const mixed = new Set<string>();
  let merges = 0;
  for (const r of rows) {
    const raw = communeCode(String(r[dim]));
    const code = merged[raw] ?? raw;
    if (code !== raw) merges++;
    const v = Number(r[measure]);
    if (r[measure] === null || !Number.isFinite(v) || mixed.has(code)) continue;
    const before = values.get(code);
    if (before === undefined) values.set(code, v);
    else if (combine === 'sum') values.set(code, before + v);
    else if (combine === 'min') values.set(code, Math.min(before, v));
    else if (combine === 'max') values.set(code, Math.max(before, v));
    else {
      values.delete(code);
      mixed.add(code);
    }
  }
  return { values, mixed, merges, combine };
}

/** A result drawn as its visualisation (a table when it has no measure to draw). */
export function ResultChart({ title, result, visualization }: { title: string; result: QueryResult; visualization: Visualization }) {
  const { measures } = shape(result);
  if (!result.rows.length) return <p>Aucune ligne ne correspond.</p>;
  if (visualization === 'table' || !measures.length) return <ResultTable result={result} caption={title} />;
  switch (visualization) {
    case 'bar':
      return <Bars title={title} result={result} stacked={false} />;
    case 'stacked_bar':
      return <Bars title={title} result={result} stacked />;
    case 'line':
      return <Lines title={title} result={result} adjusted={false} />;
    case 'line_cvs':
      return <Lines title={title} result={result} adjusted />;
    case 'pie':
      return <Pie title={title} result={result} />;
    case 'number':
      return <BigNumber title={title} result={result} />;
    case 'map_departement':
      return <Choropleth title={title} result={result} level="departement" />;
    case 'map_region':
      return <Choropleth title={title} result={result} level="region" />;
    case 'map_commune':
      return <CommuneMap title={title} result={result} />;
  }
}
