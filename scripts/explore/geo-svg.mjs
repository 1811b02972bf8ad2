// Builds web/src/pages/explore/maps/{departements,regions}.json: SVG paths of the départements and
// régions (mainland, and the five DROM as insets) from ../shared/data/geo (Etalab contours
// administratifs 1000 m, IGN ADMIN EXPRESS, INSEE COG 2026, Licence Ouverte 2.0; see that folder's
// README), the same projection as ADR 0706. Usage:
//   node scripts/explore/geo-svg.mjs /work/shared/data/geo
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '../shared/data/geo';
const DROM = ['971', '972', '973', '974', '976'];

function decode(t) {
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

function pathOf(polys, proj, minArea, step) {
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

function build(file, object, isDrom, isCom, step) {
  const t = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const polygons = decode(t);
  const geoms = t.objects[object].geometries.filter((g) => !isCom(g));
  const metro = geoms.filter((g) => !isDrom(g));
  const proj = fit(metro.map((g) => polygons(g)).flat(), { x: 110, y: 10, w: 480, h: 480 });
  const out = metro.map((g) => ({ code: String(g.id), name: g.properties.nom, zone: 'metro', d: pathOf(polygons(g), proj, 1, step) }));
  geoms
    .filter(isDrom)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)))
    .forEach((g, i) => {
      const box = { x: 10, y: 10 + i * 96, w: 84, h: 84 };
      const polys = polygons(g);
      out.push({ code: String(g.id), name: g.properties.nom, zone: 'drom', d: pathOf(polys, fit(polys, box), 1, 1), box });
    });
  return out;
}

const common = {
  source:
    'departements.topojson and regions.topojson of ../shared/data/geo (Etalab contours administratifs 1000 m, IGN ADMIN EXPRESS, INSEE COG 2026), Licence Ouverte 2.0',
  attribution: 'Sources : IGN – ADMIN EXPRESS ; Etalab – contours administratifs ; INSEE – COG',
  viewBox: '0 0 600 500',
};
const deps = build(
  'departements.topojson',
  'departements',
  (g) => DROM.includes(String(g.id)),
  (g) => String(g.id).length === 3 && !DROM.includes(String(g.id)),
  1.5,
);
const regs = build(
  'regions.topojson',
  'regions',
  (g) => g.properties.zone === 'drom',
  (g) => g.properties.zone === 'com',
  1.2,
);
const outDir = 'web/src/pages/explore/maps';
fs.writeFileSync(path.join(outDir, 'departements.json'), `${JSON.stringify({ ...common, areas: deps })}\n`);
fs.writeFileSync(path.join(outDir, 'regions.json'), `${JSON.stringify({ ...common, areas: regs })}\n`);
console.log(
  deps.length,
  'départements',
  regs.length,
  'régions',
  fs.statSync(path.join(outDir, 'departements.json')).size,
  fs.statSync(path.join(outDir, 'regions.json')).size,
  'octets',
);
