// Builds web/src/pages/explore/maps/communes/<département>.json: SVG paths of the communes of each
// département (COG 2026 codes, the 2018 IGN ADMIN EXPRESS geometry dissolved to today's communes),
// one file per département so that the web app loads only the département a map shows (a lazy chunk
// each, ADR 0803), and maps/communes-merged.json: the 2018 codes that are no longer communes, with the
// commune they merged into (communes-2018-absentes-cog2026.csv). Same projection as geo-svg.mjs
// (ADR 0706), each département fitted into a 1200 × 1000 box. Usage:
//   node scripts/explore/communes-svg.mjs ../shared/data/geo
import fs from 'node:fs';
import path from 'node:path';
import { decode, fit } from '../geo/topojson-svg.mjs';

/**
 * Compact SVG path of polygons: points rounded to whole units of a 1200 × 1000 box (half a pixel of
 * the map's 600 px), repeated points dropped, relative moves (`m`/`l`), rings under 3 points dropped.
 * About a third of the size of geo-svg.mjs's absolute paths, for 35 000 communes.
 */
function compactPath(polys, proj) {
  let out = '';
  let [cx, cy] = [0, 0];
  for (const poly of polys)
    for (const r of poly) {
      const pts = [];
      for (const p of r.map(proj)) {
        const q = [Math.round(p[0]), Math.round(p[1])];
        const last = pts.at(-1);
        if (!last || last[0] !== q[0] || last[1] !== q[1]) pts.push(q);
      }
      if (pts.length < 4) continue;
      out += `m${pts[0][0] - cx},${pts[0][1] - cy}`;
      out += `l${pts
        .slice(1)
        .map((p, i) => `${p[0] - pts[i][0]},${p[1] - pts[i][1]}`)
        .join(' ')}z`;
      [cx, cy] = pts[0];
    }
  // Relative numbers: a minus sign separates them by itself.
  return out.replace(/ -/g, '-').replace(/,-/g, '-');
}

const dir = process.argv[2] ?? '../shared/data/geo';
const outDir = 'web/src/pages/explore/maps/communes';
const t = JSON.parse(fs.readFileSync(path.join(dir, 'communes-cog2026.topojson'), 'utf8'));
const polygons = decode(t);
const byDep = new Map();
for (const g of t.objects.communes.geometries) {
  const dep = String(g.properties.departement);
  if (!byDep.has(dep)) byDep.set(dep, []);
  byDep.get(dep).push(g);
}
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
let total = 0;
let largest = 0;
for (const [dep, geoms] of [...byDep].sort()) {
  const polys = geoms.map((g) => polygons(g));
  const proj = fit(polys.flat(), { x: 20, y: 20, w: 1160, h: 960 });
  const areas = geoms
    .map((g, i) => ({ code: String(g.id), name: g.properties.nom, zone: 'commune', d: compactPath(polys[i], proj) }))
    .filter((a) => a.d)
    .sort((a, b) => a.code.localeCompare(b.code));
  const doc = {
    source:
      'communes-cog2026.topojson of ../shared/data/geo (IGN ADMIN EXPRESS COG 2018 via france-geojson, dissolved to INSEE COG 2026 codes), Licence Ouverte 2.0',
    attribution: 'Sources : IGN – ADMIN EXPRESS ; INSEE – COG',
    departement: dep,
    viewBox: '0 0 1200 1000',
    areas,
  };
  const file = path.join(outDir, `${dep}.json`);
  fs.writeFileSync(file, `${JSON.stringify(doc)}\n`);
  const size = fs.statSync(file).size;
  total += size;
  largest = Math.max(largest, size);
}
const merged = {};
const lines = fs.readFileSync(path.join(dir, 'communes-2018-absentes-cog2026.csv'), 'utf8').trim().split('\n').slice(1);
for (const line of lines) {
  const [from, , to] = line.split(',');
  merged[from] = to;
}
fs.writeFileSync('web/src/pages/explore/maps/communes-merged.json', `${JSON.stringify(merged)}\n`);
console.log(byDep.size, 'départements,', total, 'octets en tout, le plus gros', largest, 'octets ;', Object.keys(merged).length, 'anciens codes');
