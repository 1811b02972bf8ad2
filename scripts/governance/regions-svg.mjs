// Builds web/src/pages/governance/regions-map.json (SVG paths of the 18 régions, mainland and the five DROM
// as insets) from ../shared/data/geo/regions.topojson (Etalab contours administratifs, IGN ADMIN EXPRESS,
// INSEE COG 2026, Licence Ouverte 2.0; see that folder's README). Usage:
//   node scripts/governance/regions-svg.mjs /work/shared/data/geo/regions.topojson
import fs from 'node:fs';

const src = process.argv[2] ?? '../shared/data/geo/regions.topojson';
const t = JSON.parse(fs.readFileSync(src, 'utf8'));
const [sx, sy] = t.transform.scale;
const [tx, ty] = t.transform.translate;
// Delta-decoded, quantised arcs → lon/lat.
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
const polygons = (g) => (g.type === 'Polygon' ? [g.arcs] : g.arcs).map((p) => p.map(ring));

/** Equirectangular projection around a latitude, fitted into a box. */
function fit(polys, box) {
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
function pathOf(polys, proj, minArea) {
  const parts = [];
  for (const poly of polys)
    for (const r of poly) {
      const pts = [];
      for (const p of r.map(proj)) {
        const last = pts.at(-1);
        if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= 1.2) pts.push(p);
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
const geoms = t.objects.regions.geometries.filter((g) => g.properties.zone !== 'com');
const metro = geoms.filter((g) => g.properties.zone === 'metro');
const projMetro = fit(metro.map((g) => polygons(g)).flat(), { x: 110, y: 10, w: 480, h: 480 });
const out = [];
for (const g of metro) out.push({ code: g.id, name: g.properties.nom, zone: 'metro', d: pathOf(polygons(g), projMetro, 2) });
const drom = geoms.filter((g) => g.properties.zone === 'drom');
drom.forEach((g, i) => {
  const box = { x: 10, y: 10 + i * 96, w: 84, h: 84 };
  const polys = polygons(g);
  out.push({ code: g.id, name: g.properties.nom, zone: 'drom', d: pathOf(polys, fit(polys, box), 1), box });
});
const doc = {
  source: 'regions.topojson of ../shared/data/geo (Etalab contours administratifs 1000 m, IGN ADMIN EXPRESS, INSEE COG 2026), Licence Ouverte 2.0',
  attribution: 'Sources : IGN – ADMIN EXPRESS ; Etalab – contours administratifs ; INSEE – COG',
  viewBox: '0 0 600 500',
  regions: out,
};
fs.writeFileSync('web/src/pages/governance/regions-map.json', `${JSON.stringify(doc)}\n`);
console.log(out.length, 'régions', fs.statSync('web/src/pages/governance/regions-map.json').size, 'octets');
