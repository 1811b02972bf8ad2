// TopoJSON → SVG paths, shared by the map builders (scripts/explore/geo-svg.mjs,
// scripts/governance/regions-svg.mjs): the projection of ADR 0706 (equirectangular around the mean
// latitude, fitted into a box), rings thinned to a minimum step, slivers below an area dropped.

/** A function giving a geometry's polygons (rings of lon/lat points) from a topology's quantised arcs. */
export function decode(t) {
  const [sx, sy] = t.transform.scale;
  const [tx, ty] = t.transform.translate;
  const arcs = t.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * sx + tx, y * sy + ty];
    });
  });
  const ring = (ids) => {
    const pts = [];
    for (const i of ids) {
      const a = i < 0 ? [...arcs[~i]].reverse() : arcs[i];
      pts.push(...(pts.length ? a.slice(1) : a));
    }
    return pts;
  };
  return (g) => (g.type === 'Polygon' ? [g.arcs] : g.arcs).map((p) => p.map(ring));
}

/** Equirectangular projection around a latitude, fitted into a box. */
export function fit(polys, box) {
  const all = polys.flat(2);
  const lat0 = (Math.min(...all.map((p) => p[1])) + Math.max(...all.map((p) => p[1]))) / 2;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const xs = all.map((p) => p[0] * k);
  const ys = all.map((p) => -p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const s = Math.min(box.w / (x1 - x0), box.h / (y1 - y0));
  const ox = box.x + (box.w - (x1 - x0) * s) / 2;
  const oy = box.y + (box.h - (y1 - y0) * s) / 2;
  return (p) => [ox + (p[0] * k - x0) * s, oy + (-p[1] - y0) * s];
}

/** The SVG path of polygons: points closer than `step` merged, rings smaller than `minArea` dropped. */
export function pathOf(polys, proj, minArea, step) {
  const parts = [];
  for (const poly of polys)
    for (const r of poly) {
      const pts = [];
      for (const p of r.map(proj)) {
        const last = pts.at(-1);
        if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= step) pts.push(p);
      }
      if (pts.length < 3) continue;
      let area = 0;
      for (let i = 0; i < pts.length; i++) {
        const [a, b] = [pts[i], pts[(i + 1) % pts.length]];
        area += a[0] * b[1] - b[0] * a[1];
      }
      if (Math.abs(area / 2) < minArea) continue;
      parts.push(`M${pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join('L')}Z`);
    }
  return parts.join('');
}
