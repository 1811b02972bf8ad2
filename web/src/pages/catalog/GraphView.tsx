import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { labelOf } from '@patrimoine/contracts/common';
import { kindLabels, relationLabels } from '@patrimoine/contracts/catalog';
import type { Graph } from './api';
import { kindColors } from './presentation';
import { theme } from '../../components/theme';
import { plural } from '../../components/plural';

const RING = 170;
const NODE_R = 11;

interface Placed {
  id: string;
  x: number;
  y: number;
  angle: number;
}

/**
 * Radial layout: the asset in the centre, each depth on its own ring; a node's place on its ring
 * follows the mean angle of its neighbours on the inner ring, so that branches stay together.
 */
export function layout(g: Graph): Map<string, Placed> {
  const pos = new Map<string, Placed>();
  pos.set(g.root, { id: g.root, x: 0, y: 0, angle: 0 });
  const neighbours = new Map<string, string[]>();
  for (const e of g.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const maxDepth = Math.max(0, ...g.nodes.map((n) => n.depth));
  for (let d = 1; d <= maxDepth; d++) {
    const ring = g.nodes.filter((n) => n.depth === d);
    const step = (2 * Math.PI) / Math.max(ring.length, 1);
    const desired = ring.map((n, i) => {
      const inner = (neighbours.get(n.id) ?? []).map((id) => pos.get(id)).filter((p): p is Placed => !!p);
      if (d === 1 || inner.length === 0) return { n, a: i * step };
      const sx = inner.reduce((s, p) => s + Math.cos(p.angle), 0);
      const sy = inner.reduce((s, p) => s + Math.sin(p.angle), 0);
      return { n, a: (Math.atan2(sy, sx) + 2 * Math.PI) % (2 * Math.PI) };
    });
    desired.sort((x, y) => x.a - y.a);
    // Even spacing in the desired order, rotated to stay as close as possible to the desired angles.
    const offset = desired.length
      ? Math.atan2(
          desired.reduce((s, x, i) => s + Math.sin(x.a - i * step), 0),
          desired.reduce((s, x, i) => s + Math.cos(x.a - i * step), 0),
        )
      : 0;
    desired.forEach((x, i) => {
      const angle = offset + i * step - Math.PI / 2;
      pos.set(x.n.id, { id: x.n.id, angle, x: Math.cos(angle) * RING * d, y: Math.sin(angle) * RING * d });
    });
  }
  return pos;
}

const short = (s: string, n = 26) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Whether the screen is narrower than DSFR's md breakpoint (48em): a phone. */
function useNarrow(): boolean {
  const query = '(max-width: 47.99em)';
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setNarrow(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

/**
 * The neighbourhood as a list, by distance from the asset: what a phone shows (issue 11), where the
 * graph's labels would overlap.
 */
function GraphList({ graph }: { graph: Graph }) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const root = byId.get(graph.root);
  const depths = [...new Set(graph.nodes.map((n) => n.depth))].filter((d) => d > 0).sort((a, b) => a - b);
  return (
    <div aria-label="Relations du voisinage" role="region">
      {depths.map((d) => (
        <section key={d}>
          <h3 className="fr-h6 fr-mb-1w">{d === 1 ? 'Relations directes' : `À ${d} relations`}</h3>
          <ul className="fr-mb-3w">
            {graph.edges
              .filter((e) => Math.max(byId.get(e.from)?.depth ?? 0, byId.get(e.to)?.depth ?? 0) === d)
              .map((e) => {
                const from = byId.get(e.from);
                const to = byId.get(e.to);
                if (!from || !to) return null;
                return (
                  <li key={e.id}>
                    <Link to={`/catalogue/${from.kind}/${from.slug}`}>{from.title}</Link> {labelOf(relationLabels, e.type).toLowerCase()}{' '}
                    <Link to={`/catalogue/${to.kind}/${to.slug}`}>{to.title}</Link>
                    <span className="fr-text--xs"> ({labelOf(kindLabels, from.id === root?.id ? to.kind : from.kind)})</span>
                  </li>
                );
              })}
          </ul>
        </section>
      ))}
      {graph.truncated && (
        <p>
          <strong>Voisinage tronqué à 300 actifs.</strong>
        </p>
      )}
    </div>
  );
}

/** The neighbourhood graph: an SVG laid out here (no script from elsewhere, works offline); a list on a phone. */
export function GraphView({ graph }: { graph: Graph }) {
  const narrow = useNarrow();
  const [drawOnPhone, setDrawOnPhone] = useState(false);
  if (narrow && !drawOnPhone)
    return (
      <>
        <GraphList graph={graph} />
        <Button priority="tertiary" size="small" onClick={() => setDrawOnPhone(true)}>
          Afficher le graphe
        </Button>
      </>
    );
  return <GraphDrawing graph={graph} />;
}

function GraphDrawing({ graph }: { graph: Graph }) {
  const navigate = useNavigate();
  const pos = layout(graph);
  const maxDepth = Math.max(1, ...graph.nodes.map((n) => n.depth));
  const half = RING * maxDepth + 110;
  const kinds = [...new Set(graph.nodes.map((n) => n.kind))];
  return (
    <figure className="fr-m-0">
      <svg
        viewBox={`${-half} ${-half} ${2 * half} ${2 * half}`}
        style={{ width: '100%', maxWidth: 760, height: 'auto', display: 'block', margin: '0 auto', background: 'var(--background-alt-grey)' }}
        role="group"
        aria-label={`Graphe du voisinage : ${plural(graph.nodes.length, 'actif')}, ${plural(graph.edges.length, 'relation')}`}
      >
        <defs>
          <marker id="catalog-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" style={{ fill: theme.mention }} />
          </marker>
        </defs>
        {graph.edges.map((e) => {
          const a = pos.get(e.from);
          const b = pos.get(e.to);
          if (!a || !b) return null;
          const dx = b.x - a.x;
          const dy = b.y - a.y;
          const len = Math.hypot(dx, dy) || 1;
          const x1 = a.x + (dx / len) * NODE_R;
          const y1 = a.y + (dy / len) * NODE_R;
          const x2 = b.x - (dx / len) * (NODE_R + 3);
          const y2 = b.y - (dy / len) * (NODE_R + 3);
          return (
            <g key={e.id}>
              <line x1={x1} y1={y1} x2={x2} y2={y2} style={{ stroke: theme.mention }} strokeWidth={1.5} markerEnd="url(#catalog-arrow)" />
              <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 4} fontSize={11} textAnchor="middle" style={{ fill: theme.mention }}>
                {labelOf(relationLabels, e.type)}
              </text>
            </g>
          );
        })}
        {graph.nodes.map((n) => {
          const p = pos.get(n.id);
          if (!p) return null;
          const href = `/catalogue/${n.kind}/${n.slug}`;
          const root = n.id === graph.root;
          return (
            <a
              key={n.id}
              href={href}
              data-testid="graph-node"
              aria-label={`${labelOf(kindLabels, n.kind)} : ${n.title}`}
              onClick={(ev) => {
                ev.preventDefault();
                navigate(href);
              }}
            >
              <circle
                cx={p.x}
                cy={p.y}
                r={root ? NODE_R + 4 : NODE_R}
                style={{ fill: kindColors[n.kind] ?? theme.text, stroke: root ? theme.text : 'var(--background-default-grey)' }}
                strokeWidth={root ? 3 : 2}
              />
              <text x={p.x} y={p.y + NODE_R + 15} fontSize={12} textAnchor="middle" fontWeight={root ? 700 : 400} style={{ fill: theme.text }}>
                {short(n.title)}
              </text>
              <title>{`${n.title} (${labelOf(kindLabels, n.kind)}${n.owner ? `, ${n.owner}` : ''})`}</title>
            </a>
          );
        })}
      </svg>
      <figcaption className="fr-text--sm fr-mt-1w">
        {kinds.map((k) => (
          <span key={k} className="fr-mr-2w" style={{ whiteSpace: 'nowrap' }}>
            <svg width="12" height="12" aria-hidden="true" style={{ verticalAlign: 'middle' }}>
              <circle cx="6" cy="6" r="6" style={{ fill: kindColors[k] }} />
            </svg>{' '}
            {labelOf(kindLabels, k)}
          </span>
        ))}
        {graph.truncated && <strong> Graphe tronqué à 300 actifs.</strong>}
      </figcaption>
    </figure>
  );
}
