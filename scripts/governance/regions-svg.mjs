// Builds web/src/pages/governance/regions-map.json (SVG paths of the 18 régions, mainland and the five DROM
// as insets) from ../shared/data/geo/regions.topojson (Etalab contours administratifs, IGN ADMIN EXPRESS,
// INSEE COG 2026, Licence Ouverte 2.0; see that folder's README). Usage:
//   node scripts/governance/regions-svg.mjs /work/shared/data/geo/regions.topojson
import fs from 'node:fs';
import { decode, fit, pathOf } from '../geo/topojson-svg.mjs';

const src = process.argv[2] ?? '../shared/data/geo/regions.topojson';
const t = JSON.parse(fs.readFileSync(src, 'utf8'));
const polygons = decode(t);
const geoms = t.objects.regions.geometries.filter((g) => g.properties.zone !== 'com');
const metro = geoms.filter((g) => g.properties.zone === 'metro');
const projMetro = fit(metro.map((g) => polygons(g)).flat(), { x: 110, y: 10, w: 480, h: 480 });
const out = [];
for (const g of metro) out.push({ code: g.id, name: g.properties.nom, zone: 'metro', d: pathOf(polygons(g), projMetro, 2, 1.2) });
const drom = geoms.filter((g) => g.properties.zone === 'drom');
drom.forEach((g, i) => {
  const box = { x: 10, y: 10 + i * 96, w: 84, h: 84 };
  const polys = polygons(g);
  out.push({ code: g.id, name: g.properties.nom, zone: 'drom', d: pathOf(polys, fit(polys, box), 1, 1.2), box });
});
const doc = {
  source: 'regions.topojson of ../shared/data/geo (Etalab contours administratifs 1000 m, IGN ADMIN EXPRESS, INSEE COG 2026), Licence Ouverte 2.0',
  attribution: 'Sources : IGN – ADMIN EXPRESS ; Etalab – contours administratifs ; INSEE – COG',
  viewBox: '0 0 600 500',
  regions: out,
};
fs.writeFileSync('web/src/pages/governance/regions-map.json', `${JSON.stringify(doc)}\n`);
console.log(out.length, 'régions', fs.statSync('web/src/pages/governance/regions-map.json').size, 'octets');
