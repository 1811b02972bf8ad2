import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { cityOfArrondissement } from './postal.ts';

/**
 * matchID's geographic search (`birthGeoPoint`, `deathGeoPoint`: `{latitude, longitude, distance}`, an
 * Elasticsearch `geo_distance` on the commune's point) and the `latitude`/`longitude` of a location.
 * INSEE's file has no coordinates: each commune code gets the point of its commune in
 * `data/communes-cog2026-points.csv` (one point inside each COG 2026 commune, from the shared geography),
 * codes of communes merged since 2018 the point of the commune they joined
 * (`data/communes-2018-absentes-cog2026.csv`), arrondissements of Paris, Lyon and Marseille their city's.
 */
export interface GeoPoint {
  latitude: number;
  longitude: number;
  /** Radius in metres. */
  meters: number;
}

/** Units of an Elasticsearch distance, as matchID accepts them (`geoPointQuery`), in metres. */
const UNITS: Record<string, number> = {
  mi: 1609.344,
  miles: 1609.344,
  yd: 0.9144,
  yards: 0.9144,
  ft: 0.3048,
  feet: 0.3048,
  in: 0.0254,
  inch: 0.0254,
  km: 1000,
  kilometers: 1000,
  m: 1,
  meters: 1,
  cm: 0.01,
  centimeters: 0.01,
  mm: 0.001,
  millimeters: 0.001,
  NM: 1852,
  nmi: 1852,
  nauticalmiles: 1852,
};
/** Beyond this radius the filter would select most of France: refused rather than run. */
export const MAX_RADIUS_METERS = 300_000;

/** `10km`, `500 m`, `2.5mi` → metres; matchID falls back to 1 km when the distance has no known unit. */
export function distanceMeters(d: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(String(d ?? ''));
  const unit = m ? (UNITS[m[2]!] ?? UNITS[m[2]!.toLowerCase()]) : undefined;
  return m && unit ? Number(m[1]) * unit : 1000;
}

/**
 * Reads a geo point given as an object (JSON body) or a JSON string (query string): latitude and
 * longitude in range and a distance, as matchID's `geoPointValidationMask` requires; otherwise the reason.
 */
export function parseGeoPoint(v: unknown): GeoPoint | { error: string } {
  let o: unknown = v;
  if (typeof v === 'string') {
    if (v.length > 200) return { error: '200 caractères au plus' };
    try {
      o = JSON.parse(v);
    } catch {
      return { error: 'attendu {"latitude": 49.6, "longitude": 2.98, "distance": "10km"}' };
    }
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { error: 'attendu {"latitude": 49.6, "longitude": 2.98, "distance": "10km"}' };
  const g = o as Record<string, unknown>;
  const latitude = Number(g.latitude);
  const longitude = Number(g.longitude);
  if (!g.latitude || !g.longitude || !g.distance) return { error: 'latitude, longitude et distance sont requis (ex. "10km")' };
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) return { error: 'latitude entre -90 et 90' };
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) return { error: 'longitude entre -180 et 180' };
  const meters = distanceMeters(g.distance);
  if (meters > MAX_RADIUS_METERS) return { error: `distance de ${MAX_RADIUS_METERS / 1000} km au plus` };
  return { latitude, longitude, meters };
}

export interface Point {
  lat: number;
  lon: number;
}
let points: Map<string, Point> | null = null;

function load(): Map<string, Point> {
  if (points) return points;
  const read = (f: string) => parseCsv(fs.readFileSync(new URL(`./data/${f}`, import.meta.url), 'utf8'), { columns: true }) as Record<string, string>[];
  const map = new Map<string, Point>();
  for (const r of read('communes-cog2026-points.csv')) map.set(r.code!, { lat: Number(r.lat), lon: Number(r.lon) });
  for (const r of read('communes-2018-absentes-cog2026.csv')) {
    const p = map.get(r.code_cog2026!);
    if (p && !map.has(r.code_2018!)) map.set(r.code_2018!, p);
  }
  points = map;
  return map;
}

/** The point of a commune code (COG 2026, a 2018 code merged since, an arrondissement); null abroad or unknown. */
export function pointOf(code: string): Point | null {
  const m = load();
  return m.get(code) ?? m.get(cityOfArrondissement(code) ?? '') ?? null;
}

/** Great-circle distance in metres (haversine, mean Earth radius as Elasticsearch uses: 6,371,008.8 m). */
export function haversine(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Every commune code whose point is within the radius (arrondissements with their city), sorted. */
export function communesWithin(g: GeoPoint): string[] {
  const centre = { lat: g.latitude, lon: g.longitude };
  const out = new Set<string>();
  for (const [code, p] of load()) if (haversine(centre, p) <= g.meters) out.add(code);
  for (const city of ['75056', '69123', '13055']) {
    if (!out.has(city)) continue;
    const [from, to] = city === '75056' ? [75101, 75120] : city === '69123' ? [69381, 69389] : [13201, 13216];
    for (let c = from; c <= to; c++) out.add(String(c));
  }
  return [...out].sort();
}
