// Builds web/src/pages/explore/maps/{departements,regions}.json: SVG paths of the départements and
// régions (mainland, and the five DROM as insets) from ../shared/data/geo (Etalab contours
// administratifs 1000 m, IGN ADMIN EXPRESS, INSEE COG 2026, Licence Ouverte 2.0; see that folder's
// README), the same projection as ADR 0706. Usage:
//   node scripts/explore/geo-svg.mjs ../shared/data/geo
import fs from 'node:fs';
import path from 'node:path';
import { decode, fit, pathOf } from '../geo/topojson-svg.mjs';

const dir = process.argv[2] ?? '../shared/data/geo';
const DROM = ['971', '972', '973', '974', '976'];

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
