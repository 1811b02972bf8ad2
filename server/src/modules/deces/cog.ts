import fs from 'node:fs';
import { createRequire } from 'node:module';
import { parse as parseCsv } from 'csv-parse/sync';
import { normalize } from './text.ts';

/**
 * The Code officiel géographique (COG) from `@etalab/decoupage-administratif`: current communes,
 * their arrondissements municipaux (Paris, Lyon, Marseille), delegated/associated communes of
 * merged communes and former codes (`anciensCodes`, e.g. Corsica's `20004` → `2A004`), départements;
 * plus INSEE's foreign-country codes (`99xxx`). Loaded once, lazily (≈ 13 MB of JSON, ~150 ms).
 */
interface RawCommune {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  commune?: string;
  chefLieu?: string;
  anciensCodes?: string[];
  population?: number;
}

export interface CogCommune {
  code: string;
  name: string;
  /** Code of the current commune this code belongs to (itself when current). */
  currentCode: string;
  currentName: string;
  departmentCode: string;
  kind: RawCommune['type'] | 'ancien-code';
  population: number;
}

/**
 * INSEE country codes (`99xxx`) with French names and ISO 3166 alpha-3 codes: the whole COG table of
 * countries and territories (`data/cog-pays.csv`, 255 codes, current and obsolete; provenance in
 * `data/README.md`). Territories without an ISO code have an empty `iso3`.
 */
export interface CogCountry {
  name: string;
  iso3: string;
  officialName: string;
  status: 'actuel' | 'territoire' | 'perime';
  /** Former short names (Dahomey for Bénin…), matched by name too. */
  formerNames: string[];
}
function loadCountries(): Record<string, CogCountry> {
  const rows = parseCsv(fs.readFileSync(new URL('./data/cog-pays.csv', import.meta.url), 'utf8'), { columns: true }) as Record<string, string>[];
  const out: Record<string, CogCountry> = {};
  for (const r of rows)
    out[r.COG!] = {
      name: r.LIBCOG!,
      iso3: r.CODEISO3 ?? '',
      officialName: r.LIBENR ?? '',
      status: (r.STATUT as CogCountry['status']) ?? 'actuel',
      formerNames: (r.ANCIENS_LIBCOG ?? '')
        .split(' | ')
        .map((x) => x.replace(/\s*\(.*\)\s*$/, '').trim())
        .filter(Boolean),
    };
  return out;
}
export const COUNTRIES: Record<string, CogCountry> = loadCountries();

const COUNTRY_ALIASES: Record<string, string> = {
  ALLEMAGNE: '99109',
  RFA: '99109',
  'REPUBLIQUE FEDERALE D ALLEMAGNE': '99109',
  ITALIE: '99127',
  ESPAGNE: '99134',
  PORTUGAL: '99139',
  BELGIQUE: '99131',
  SUISSE: '99140',
  ALGERIE: '99352',
  MAROC: '99350',
  TUNISIE: '99351',
  POLOGNE: '99122',
  'ROYAUME UNI': '99132',
  ANGLETERRE: '99132',
  'GRANDE BRETAGNE': '99132',
  'ETATS UNIS': '99404',
  USA: '99404',
  'ETATS UNIS D AMERIQUE': '99404',
  RUSSIE: '99123',
  URSS: '99123',
  TURQUIE: '99208',
  'VIET NAM': '99243',
  VIETNAM: '99243',
  SENEGAL: '99341',
  'PAYS BAS': '99135',
  HOLLANDE: '99135',
  LUXEMBOURG: '99137',
};

export interface Cog {
  commune(code: string): CogCommune | undefined;
  departmentName(code: string): string | undefined;
  /** Department code of a COG code (`2A004` → `2A`, `97105` → `971`, `99xxx` → undefined). */
  departmentOf(code: string): string | undefined;
  country(code: string): { name: string; iso3: string } | undefined;
  /** INSEE country code from a country name in clear. */
  countryCodeByName(name: string): string | undefined;
  /** Current commune codes whose normalised name is `name` (homonyms in several départements). */
  communesByName(name: string): CogCommune[];
  /** All current communes (the generator draws birth and death places from them). */
  currentCommunes(): CogCommune[];
}

let cached: Cog | null = null;

/** The COG, loaded on first use. */
export function cog(): Cog {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const raw = require('@etalab/decoupage-administratif/data/communes.json') as RawCommune[];
  const deps = require('@etalab/decoupage-administratif/data/departements.json') as { code: string; nom: string }[];
  const byCode = new Map<string, CogCommune>();
  const byName = new Map<string, CogCommune[]>();
  const current = new Map<string, RawCommune>();
  for (const c of raw) if (c.type === 'commune-actuelle') current.set(c.code, c);
  for (const c of raw) {
    const parentCode = c.type === 'commune-actuelle' ? c.code : c.type === 'arrondissement-municipal' ? c.commune! : c.chefLieu!;
    const parent = current.get(parentCode);
    const entry: CogCommune = {
      code: c.code,
      name: c.nom,
      currentCode: parent?.code ?? c.code,
      currentName: parent?.nom ?? c.nom,
      departmentCode: c.departement ?? parent?.departement ?? '',
      kind: c.type,
      population: c.population ?? 0,
    };
    // A delegated commune can share its code with its chef-lieu: the current commune wins.
    if (!byCode.has(c.code) || c.type === 'commune-actuelle') byCode.set(c.code, entry);
    const key = normalize(c.nom);
    const list = byName.get(key) ?? [];
    list.push(entry);
    byName.set(key, list);
    if (c.type === 'commune-actuelle') {
      for (const old of c.anciensCodes ?? []) {
        if (!byCode.has(old)) byCode.set(old, { ...entry, code: old, kind: 'ancien-code' });
      }
    }
  }
  const depNames = new Map(deps.map((d) => [d.code, d.nom]));
  // Names of the COG: short, official and former names (a current code wins over an obsolete one).
  const countryByName = new Map<string, string>();
  const entries = Object.entries(COUNTRIES).sort(([, a], [, b]) => (a.status === 'perime' ? 1 : 0) - (b.status === 'perime' ? 1 : 0));
  for (const [code, c] of entries)
    for (const n of [c.name, c.officialName, ...c.formerNames]) if (n && !countryByName.has(normalize(n))) countryByName.set(normalize(n), code);
  for (const [k, v] of Object.entries(COUNTRY_ALIASES)) countryByName.set(k, v);
  const currents = [...byCode.values()].filter((c) => c.kind === 'commune-actuelle');
  cached = {
    commune: (code) => byCode.get(code),
    departmentName: (code) => depNames.get(code),
    departmentOf(code) {
      if (!/^[0-9][0-9AB][0-9]{3}$/.test(code) || code.startsWith('99')) return undefined;
      if (code.startsWith('97') || code.startsWith('98')) return code.slice(0, 3);
      // Corsica's communes kept their former `20` prefix in old records.
      if (code.startsWith('20')) return byCode.get(code)?.departmentCode ?? (Number(code.slice(2)) < 200 ? '2A' : '2B');
      return code.slice(0, 2);
    },
    country: (code) => COUNTRIES[code],
    countryCodeByName: (name) => countryByName.get(normalize(name)),
    communesByName: (name) => byName.get(normalize(name)) ?? [],
    currentCommunes: () => currents,
  };
  return cached;
}
