import { cog } from './cog.ts';
import { dateQuality } from './insee.ts';
import { haversine, pointOf, type Point } from './geo.ts';
import type { CogCommune } from './cog.ts';
import { firstNameList, jaroWinkler, lastNameKey, levenshtein, normalize, phonetic, tokens } from './text.ts';

/**
 * Explainable matching score between what a caller knows about a person and a record. Each
 * component is in [0, 1] with a French reason; the score is their weighted geometric mean, so one
 * clear contradiction (another birth year) sinks it while a typo only dents it. Absent information is
 * neutral (no component). Used by `/search`, `/compare` and bulk matching alike.
 */
export type DateQuery = { kind: 'exact'; value: string } | { kind: 'range'; from: string; to: string };

export interface PersonQuery {
  firstName?: string;
  lastName?: string;
  legalName?: string;
  sex?: 'M' | 'F';
  birthDate?: DateQuery;
  birthCity?: string;
  birthLocationCode?: string;
  birthDepartment?: string;
  birthCountry?: string;
  deathDate?: DateQuery;
  deathCity?: string;
  deathLocationCode?: string;
  deathDepartment?: string;
  deathCountry?: string;
  deathAge?: { from: number; to: number };
  /** COG codes of the communes a postal code serves (`birthPostalCode`, `deathPostalCode`). */
  birthCodes?: string[];
  deathCodes?: string[];
  /** Died on or after (AAAAMMJJ): matchID's `lastSeenAliveDate`. */
  diedFrom?: string;
  /** Source file as matchID names it (`2020-m01`: ours is `deces-2020-m01`, both match). */
  source?: string;
}

/** The parts of a record the score reads (a DB row or a person given to `/compare`). */
export interface ScoredRecord {
  lastName: string;
  firstNames: string;
  sex: string;
  birthDate: string;
  birthCode: string;
  birthCity: string;
  birthDepartment: string;
  birthCountry: string;
  deathDate: string;
  deathCode: string;
  deathCity: string;
  deathDepartment: string;
  deathCountry: string;
  age: number | null;
}

export type ComponentName = 'last' | 'first' | 'sex' | 'birthDate' | 'birthLocation' | 'deathDate' | 'deathLocation' | 'deathAge';
export interface ScoreResult {
  score: number;
  scores: Partial<Record<ComponentName | 'name', number>>;
  reasons: string[];
}

const WEIGHTS: Record<ComponentName, number> = {
  last: 1,
  first: 1,
  sex: 0.5,
  birthDate: 1.2,
  birthLocation: 0.6,
  deathDate: 1,
  deathLocation: 0.5,
  deathAge: 0.5,
};
const round = (x: number) => Math.round(x * 1000) / 1000;

interface Sim {
  s: number;
  why: string;
}

/** Similarity of two last-name keys. */
export function lastNameSim(a: string, b: string): Sim {
  if (!a || !b) return { s: 0, why: 'nom absent' };
  if (a === b) return { s: 1, why: 'nom identique' };
  if (phonetic(a) === phonetic(b)) return { s: 0.95, why: 'nom phonétiquement identique' };
  const len = Math.max(a.length, b.length);
  const lev = levenshtein(a, b, 2);
  if (lev === 1 && len >= 4) return { s: 0.9, why: 'nom à une faute de frappe près' };
  const jw = jaroWinkler(a, b);
  if (lev === 2 && len >= 7) return { s: Math.max(0.8, jw * 0.9), why: 'nom à deux fautes près' };
  if ((a.length >= 4 && b.includes(a)) || (b.length >= 4 && a.includes(b))) return { s: 0.85, why: 'nom composé : une partie identique' };
  return { s: jw >= 0.85 ? jw * 0.85 : jw * jw * 0.6, why: 'nom différent' };
}

/** Similarity of one first name to another (phonetics and typos). */
/** Two words that differ by one swap of adjacent letters (`maritn` / `martin`, `jaen` / `jean`). */
export function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 3 || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

function firstSim(a: string, b: string): number {
  if (a === b) return 1;
  if (phonetic(a) === phonetic(b)) return 0.95;
  if (Math.max(a.length, b.length) >= 4 && (levenshtein(a, b, 1) === 1 || isTransposition(a, b))) return 0.88;
  const jw = jaroWinkler(a, b);
  return jw >= 0.9 ? jw * 0.9 : jw * jw * 0.3;
}

/** First names: the first given matches any given name (order and compound names tolerated). */
export function firstNamesSim(q: string[], r: string[]): Sim {
  if (!q.length || !r.length) return { s: 0, why: 'prénom absent' };
  if (q.join('') === r.join('') || q.join('') === r.slice(0, 2).join('')) return { s: 1, why: 'prénoms identiques' };
  let best: Sim = { s: 0, why: 'prénom différent' };
  q.forEach((qf, i) => {
    r.forEach((rf, j) => {
      const factor = i === 0 && j === 0 ? 1 : i === 0 || j === 0 ? 0.95 : 0.9;
      // A pair that cannot beat the best so far (its similarity is at most `factor`) is not compared.
      if (factor <= best.s) return;
      const s = firstSim(qf, rf) * factor;
      if (s > best.s) {
        best = {
          s,
          why:
            s === 1
              ? 'premier prénom identique'
              : i === 0 && j === 0
                ? s >= 0.9
                  ? 'prénom proche (phonétique ou faute)'
                  : 'prénom différent'
                : s >= 0.85
                  ? 'prénom présent dans un autre ordre'
                  : 'prénom différent',
        };
      }
    });
  });
  // Compound given name written in one or two parts (JEAN-PIERRE ≈ JEAN PIERRE), either side.
  const rJoined = r.slice(0, 2).join('');
  if (q[0] && q[0].length > 5 && q[0] === rJoined) best = { s: 1, why: 'prénom composé identique' };
  const qJoined = q.slice(0, 2).join('');
  const qCompound = q.length > 1 && qJoined.length > 5 && qJoined === r[0];
  if (qCompound) best = { s: 1, why: 'prénom composé identique' };
  // A first name given as its initial (`J.` for JEAN): consistent, but weak evidence.
  if (best.s < 0.8 && q.length === 1 && q[0]!.length === 1 && r[0]?.startsWith(q[0]!)) best = { s: 0.8, why: 'initiale du prénom' };
  // Other given names that the record does not have: namesakes (PIERRE ALBERT and PIERRE ALAIN born the
  // same year) part here. The registry lists every given name: one it lacks weighs less than one it
  // contradicts.
  // (Not when the query's first two words are the record's compound name.)
  if (best.s >= 0.9 && q.length > 1 && !qCompound) {
    const rest = q.filter((x, i) => i > 0 && x.length > 1);
    if (rest.length && !rest.some((x) => r.some((y) => firstSim(x, y) >= 0.88)))
      best = r.length > 1 ? { s: best.s * 0.9, why: 'autres prénoms différents' } : { s: best.s * 0.95, why: 'autres prénoms absents du fichier' };
  }
  return best;
}

function dateParts(d: string) {
  return { y: d.slice(0, 4), m: d.slice(4, 6), d: d.slice(6, 8) };
}

/** Date similarity: unknown parts, digit swaps, day/month inversion, ±1 year, one wrong digit. */
export function dateSim(q: DateQuery, r: string): Sim {
  if (!r || /^0+$/.test(r)) return { s: 0.5, why: 'date inconnue dans le fichier' };
  if (q.kind === 'range') {
    const rr = r.replace(/0000$/, '0101').replace(/00$/, '01');
    return rr >= q.from && rr <= q.to ? { s: 1, why: 'date dans l’intervalle' } : { s: 0, why: 'date hors de l’intervalle' };
  }
  const a = dateParts(q.value);
  const b = dateParts(r);
  if (q.value === r) return { s: 1, why: 'date identique' };
  const unknownQ = a.m === '00' || a.d === '00';
  const unknownR = b.m === '00' || b.d === '00' || dateQuality(r) === 'partial';
  if (unknownQ || unknownR) {
    const same = a.y === b.y && (a.m === '00' || b.m === '00' || a.m === b.m) && (a.d === '00' || b.d === '00' || a.d === b.d);
    if (same) return { s: unknownQ && a.m === '00' ? 0.95 : 0.9, why: 'date partielle compatible' };
    if (Math.abs(Number(a.y) - Number(b.y)) === 1 && (a.m === '00' || b.m === '00' || a.m === b.m)) return { s: 0.6, why: 'date partielle à un an près' };
    return { s: 0, why: 'date partielle incompatible' };
  }
  if (a.y === b.y && a.m === b.d && a.d === b.m) return { s: 0.85, why: 'jour et mois inversés' };
  if (a.y === b.y && a.m === b.m && a.d === b.d.split('').reverse().join('')) return { s: 0.85, why: 'chiffres du jour inversés' };
  let diff = 0;
  for (let i = 0; i < 8; i++) if (q.value[i] !== r[i]) diff++;
  if (diff === 2) {
    for (let i = 0; i < 7; i++) {
      if (q.value[i] === r[i + 1] && q.value[i + 1] === r[i] && q.value.slice(0, i) === r.slice(0, i) && q.value.slice(i + 2) === r.slice(i + 2)) {
        return { s: 0.82, why: 'deux chiffres inversés' };
      }
    }
  }
  if (diff === 1) return { s: 0.8, why: 'un chiffre différent' };
  if (a.m === b.m && a.d === b.d && Math.abs(Number(a.y) - Number(b.y)) === 1) return { s: 0.78, why: 'année à un an près' };
  if (a.y === b.y && a.m === b.m) return { s: 0.45, why: 'même mois, autre jour' };
  if (a.y === b.y) return { s: 0.3, why: 'même année seulement' };
  if (Math.abs(Number(a.y) - Number(b.y)) === 1) return { s: 0.15, why: 'année voisine, autre jour' };
  return { s: 0, why: 'date différente' };
}

function cityKey(s: string): string {
  const hit = cityCache.get(s);
  if (hit !== undefined) return hit;
  const out = computeCityKey(s);
  if (cityCache.size > 100_000) cityCache.clear();
  cityCache.set(s, out);
  return out;
}
const cityCache = new Map<string, string>();

function computeCityKey(s: string): string {
  return normalize(s)
    .replace(/\b(\d+)\s*(E|ER|EME)\s+ARRONDISSEMENT\b/, '')
    .replace(/\bARRONDISSEMENT\b/, '')
    .replace(/\b(SAINTE?|ST|STE)\b/g, (m) => (m.startsWith('STE') || m === 'SAINTE' ? 'SAINTE' : 'SAINT'))
    .replace(/ /g, '');
}

/**
 * Nearness of two communes by the distance of their points, as matchID scores locations
 * (`20 / (20 + km)`: 1 on the spot, 0.8 at 5 km, 0.5 at 20 km, 0.2 at 80 km); null when a point is
 * missing (abroad, unknown code). Of several communes given (homonyms of a name), the nearest.
 */
export function geoSim(qCodes: string[], rCode: string): Sim | null {
  return geoSimOf(pointsOf(qCodes), rCode);
}

/** The points of a query's communes (foreign and unknown codes have none), in their order. */
function pointsOf(codes: string[]): Point[] {
  const out: Point[] = [];
  for (const code of codes) {
    const a = code.startsWith('99') ? null : pointOf(code);
    if (a) out.push(a);
  }
  return out;
}

function geoSimOf(points: Point[], rCode: string): Sim | null {
  if (!points.length) return null;
  const b = rCode && !rCode.startsWith('99') ? pointOf(rCode) : null;
  if (!b) return null;
  let km = Infinity;
  for (const a of points) km = Math.min(km, haversine(a, b) / 1000);
  return { s: 20 / (20 + km), why: `communes à ${km < 10 ? km.toFixed(1).replace('.', ',') : Math.round(km)} km` };
}

/** The better of a place score and the communes' nearness (a nearby commune is not « another commune »). */
function nearer(sim: Sim, points: () => Point[], rCode: string): Sim {
  if (sim.s >= 0.9) return sim;
  const g = geoSimOf(points(), rCode);
  return g && g.s > sim.s ? g : sim;
}

interface PlaceQuery {
  city?: string;
  code?: string;
  department?: string;
  country?: string;
}
/**
 * What a place of the query gives, computed once per query (bulk matching scores one row against many
 * records): the commune looked up, the city's key and its homonyms with their points, the country's code.
 */
interface PreparedPlace {
  q: PlaceQuery;
  code?: { qc: string; a: CogCommune | undefined; qd: string | undefined; points: () => Point[] };
  city?: { qk: string; homonyms: CogCommune[]; points: () => Point[] };
  department?: string;
  country?: { qk: string; qcode: string | undefined };
}

/** A value computed on first use (the points of a city's homonyms: only for records of another commune). */
function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

function preparePlace(q: PlaceQuery): PreparedPlace | null {
  if (!q.code && !q.city && !q.department && !q.country) return null;
  const c = cog();
  const out: PreparedPlace = { q };
  if (q.code) {
    const qc = q.code.toUpperCase();
    const a = c.commune(qc);
    out.code = { qc, a, qd: a?.departmentCode ?? c.departmentOf(qc), points: once(() => pointsOf([qc])) };
  } else if (q.city) {
    const homonyms = c.communesByName(q.city);
    out.city = { qk: cityKey(q.city), homonyms, points: once(() => pointsOf(homonyms.map((h) => h.code))) };
  } else if (q.department) out.department = q.department.toUpperCase().padStart(2, '0');
  if (q.country) out.country = { qk: normalize(q.country), qcode: c.countryCodeByName(q.country) };
  return out;
}

/** Place similarity: COG history and arrondissements, misspelled commune with département fallback, countries by name. */
export function placeSim(q: PlaceQuery, r: { code: string; city: string; department: string; country: string }): Sim | null {
  const pq = preparePlace(q);
  return pq ? placeSimOf(pq, r) : null;
}

function placeSimOf(pq: PreparedPlace, r: { code: string; city: string; department: string; country: string }): Sim {
  const c = cog();
  const q = pq.q;
  const foreignR = r.code.startsWith('99');
  if (pq.code) {
    const { qc, a, qd, points } = pq.code;
    if (qc === r.code) return { s: 1, why: 'code de commune identique' };
    const b = c.commune(r.code);
    if (a && b && a.currentCode === b.currentCode)
      return {
        s: 1,
        why:
          b.kind === 'arrondissement-municipal' || a.kind === 'arrondissement-municipal' ? 'même commune (arrondissement)' : 'même commune (code historique)',
      };
    if (qd && qd === r.department) return nearer({ s: 0.7, why: 'même département' }, points, r.code);
    return nearer({ s: 0.2, why: 'autre commune' }, points, r.code);
  }
  if (pq.city) {
    const { qk, homonyms, points } = pq.city;
    const rc = c.commune(r.code);
    let best = 0;
    for (const name of [r.city, rc?.currentName ?? '', rc?.name ?? '']) {
      if (!name) continue;
      const k = cityKey(name);
      if (k === qk) return { s: 1, why: 'commune identique' };
      best = Math.max(best, jaroWinkler(qk, k));
    }
    if (best >= 0.92) return { s: 0.9, why: 'commune mal orthographiée' };
    if (q.department && q.department === r.department) return nearer({ s: 0.75, why: 'même département (commune différente)' }, points, r.code);
    if (homonyms.some((h) => h.departmentCode === r.department)) return nearer({ s: 0.7, why: 'commune du même département' }, points, r.code);
    if (foreignR && pq.country) return countrySim(pq.country, r, foreignR);
    return nearer({ s: best >= 0.85 ? 0.6 : 0.25, why: best >= 0.85 ? 'commune proche' : 'autre commune' }, points, r.code);
  }
  if (pq.department !== undefined) return pq.department === r.department ? { s: 1, why: 'même département' } : { s: 0.3, why: 'autre département' };
  return countrySim(pq.country!, r, foreignR);
}

function countrySim(q: { qk: string; qcode: string | undefined }, r: { code: string; country: string }, foreignR: boolean): Sim {
  if (!foreignR) return q.qk === 'FRANCE' ? { s: 1, why: 'né en France' } : { s: 0.2, why: 'pays différent' };
  const rk = normalize(r.country);
  if (rk === q.qk || (q.qcode && q.qcode === r.code)) return { s: 1, why: 'pays identique' };
  return jaroWinkler(q.qk, rk) >= 0.9 ? { s: 0.9, why: 'pays proche' } : { s: 0.2, why: 'pays différent' };
}

/**
 * A query made ready for scoring many records (bulk matching, a search's candidates): its name keys
 * and places are computed once instead of once per record.
 */
export interface PreparedQuery {
  readonly prepared: true;
  q: PersonQuery;
  last: string;
  legal: string;
  first: string[];
  /** The first names read as a last name (names swapped by the caller). */
  firstAsLast: string;
  birth: PreparedPlace | null;
  death: PreparedPlace | null;
}

export function prepareQuery(q: PersonQuery): PreparedQuery {
  const first = firstNameList(q.firstName);
  return {
    prepared: true,
    q,
    last: lastNameKey(q.lastName),
    legal: q.legalName ? lastNameKey(q.legalName) : '',
    first,
    firstAsLast: lastNameKey(first.join(' ')),
    birth: preparePlace({ city: q.birthCity, code: q.birthLocationCode, department: q.birthDepartment, country: q.birthCountry }),
    death: preparePlace({ city: q.deathCity, code: q.deathLocationCode, department: q.deathDepartment, country: q.deathCountry }),
  };
}

/** Components in their fixed order (the order of the reasons and of the score's sums). */
const ORDER: ComponentName[] = ['last', 'first', 'sex', 'birthDate', 'birthLocation', 'deathDate', 'deathLocation', 'deathAge'];
type Components = Partial<Record<ComponentName, Sim>>;
const ONE: Sim = { s: 1, why: '' };

/** The score of components (weighted geometric mean, coverage, contradiction), rounded. */
function combine(comps: Components): number {
  let logSum = 0;
  let wSum = 0;
  let minComp = 1;
  for (const k of ORDER) {
    const v = comps[k];
    if (!v) continue;
    const w = WEIGHTS[k];
    logSum += w * Math.log(Math.max(v.s, 0.001));
    wSum += w;
    if (v.s < minComp) minComp = v.s;
  }
  // Evidence from names alone is weaker than names and a date: scale by how much was compared.
  const coverage = Math.min(1, wSum / 3.2);
  // One clear contradiction weighs more than a geometric mean gives it.
  const contradiction = minComp < 0.5 ? Math.sqrt(Math.max(minComp, 0.01) / 0.5) : 1;
  return round(wSum ? Math.exp(logSum / wSum) * (0.6 + 0.4 * coverage) * contradiction : 0);
}

/**
 * The components of a record's score. With `floor` > 0, null as soon as the score cannot reach it:
 * the places (the costly part) are compared last, and only when names, sex, dates and age, with every
 * place taken as identical, still reach the floor (an upper bound: the score grows with each component).
 */
function components(pq: PreparedQuery, r: ScoredRecord, floor: number): Components | null {
  const q = pq.q;
  const rLast = lastNameKey(r.lastName);
  const rFirst = firstNameList(r.firstNames);
  const qFirst = pq.first;
  const qLast = pq.last;
  let last: Sim | undefined;
  let first: Sim | undefined;
  if (qLast || q.legalName) {
    last = qLast ? lastNameSim(qLast, rLast) : { s: 0, why: '' };
    if (q.legalName) {
      const legal = lastNameSim(pq.legal, rLast);
      if (legal.s > last.s) last = { s: legal.s, why: `${legal.why} (nom d’usage)` };
    }
  }
  if (qFirst.length) first = firstNamesSim(qFirst, rFirst);
  // Last and first names swapped by the caller.
  if (qLast && qFirst.length && last && first && last.s * first.s < 0.7) {
    const invLast = lastNameSim(pq.firstAsLast, rLast);
    const invFirst = firstNamesSim([qLast], rFirst);
    if (invLast.s >= 0.8 && invFirst.s >= 0.8 && invLast.s * invFirst.s * 0.95 > last.s * first.s) {
      last = { s: invLast.s * 0.97, why: 'nom et prénom inversés' };
      first = { s: invFirst.s * 0.97, why: 'nom et prénom inversés' };
    }
  }
  const sex: Sim | undefined = q.sex && r.sex ? (q.sex === r.sex ? { s: 1, why: 'même sexe' } : { s: 0.3, why: 'sexe différent' }) : undefined;
  const birthDate = q.birthDate ? dateSim(q.birthDate, r.birthDate) : undefined;
  const deathDate = q.deathDate ? dateSim(q.deathDate, r.deathDate) : undefined;
  let deathAge: Sim | undefined;
  if (q.deathAge) {
    const a = r.age;
    deathAge =
      a === null
        ? { s: 0.5, why: 'âge inconnu' }
        : a >= q.deathAge.from && a <= q.deathAge.to
          ? { s: 1, why: 'âge identique' }
          : Math.min(Math.abs(a - q.deathAge.from), Math.abs(a - q.deathAge.to)) <= 1
            ? { s: 0.8, why: 'âge à un an près' }
            : { s: 0.1, why: 'âge différent' };
  }
  // A woman searched under her usage (married) name: birth name differs but everything else agrees.
  // On a national file many women share a first name and a birth date: the birth place must agree too.
  const usage = !!last && last.s < 0.7 && r.sex === 'F' && (first?.s ?? 0) >= 0.85 && (birthDate?.s ?? 0) >= 0.95;
  if (floor > 0) {
    const bound = combine({
      last: last && usage ? { s: Math.max(last.s, 0.6), why: '' } : last,
      first,
      sex,
      birthDate,
      birthLocation: pq.birth ? ONE : undefined,
      deathDate,
      deathLocation: pq.death ? ONE : undefined,
      deathAge,
    });
    if (bound < floor) return null;
  }
  const birthLocation = pq.birth
    ? placeSimOf(pq.birth, { code: r.birthCode, city: r.birthCity, department: r.birthDepartment, country: r.birthCountry })
    : undefined;
  const deathLocation = pq.death
    ? placeSimOf(pq.death, { code: r.deathCode, city: r.deathCity, department: r.deathDepartment, country: r.deathCountry })
    : undefined;
  if (usage && (birthLocation?.s ?? 0) >= 0.9) last = { s: 0.6, why: 'nom différent : nom d’usage possible (femme mariée)' };
  const comps: Components = {};
  if (last) comps.last = last;
  if (first) comps.first = first;
  if (sex) comps.sex = sex;
  if (birthDate) comps.birthDate = birthDate;
  if (birthLocation) comps.birthLocation = birthLocation;
  if (deathDate) comps.deathDate = deathDate;
  if (deathLocation) comps.deathLocation = deathLocation;
  if (deathAge) comps.deathAge = deathAge;
  return comps;
}

/** Scores a record against a query; components only for what the query gives. */
export function scoreRecord(query: PersonQuery | PreparedQuery, r: ScoredRecord): ScoreResult {
  const pq = 'prepared' in query ? (query as PreparedQuery) : prepareQuery(query);
  const comps = components(pq, r, 0)!;
  const scores: ScoreResult['scores'] = {};
  const reasons: string[] = [];
  for (const k of ORDER) {
    const v = comps[k];
    if (!v) continue;
    scores[k] = round(v.s);
    reasons.push(`${LABELS[k]} : ${v.why} (${Math.round(v.s * 100)} %)`);
  }
  if (comps.last || comps.first) scores.name = round((comps.last?.s ?? 1) * (comps.first?.s ?? 1));
  return { score: combine(comps), scores, reasons };
}

/**
 * The score alone (what `scoreRecord` gives as `score`), without reasons; null when it is certainly
 * below `floor` (bulk matching keeps only what reaches `pruneScore`, then explains those it returns).
 */
export function scoreValue(pq: PreparedQuery, r: ScoredRecord, floor = 0): number | null {
  const comps = components(pq, r, floor);
  return comps ? combine(comps) : null;
}

const LABELS: Record<ComponentName, string> = {
  last: 'Nom',
  first: 'Prénom',
  sex: 'Sexe',
  birthDate: 'Date de naissance',
  birthLocation: 'Lieu de naissance',
  deathDate: 'Date de décès',
  deathLocation: 'Lieu de décès',
  deathAge: 'Âge au décès',
};

/** Free-text scoring (`q`): every name token must find a name of the record; dates match birth or death. */
export function scoreFreeText(names: string[], dates: DateQuery[], r: ScoredRecord): ScoreResult {
  const recTokens = [...tokens(r.lastName), lastNameKey(r.lastName), ...firstNameList(r.firstNames)];
  const reasons: string[] = [];
  const scores: ScoreResult['scores'] = {};
  let logSum = 0;
  let n = 0;
  let lastHit = false;
  for (const t of names) {
    const tk = normalize(t).replace(/ /g, '');
    let best = 0;
    for (const rt of recTokens) best = Math.max(best, rt === tk ? 1 : phonetic(rt) === phonetic(tk) ? 0.95 : firstSim(tk, rt));
    const lk = lastNameKey(r.lastName);
    if (tokens(r.lastName).includes(tk) || lk === tk || phonetic(lk) === phonetic(tk) || (tk.length >= 4 && firstSim(tk, lk) >= 0.88)) lastHit = true;
    logSum += Math.log(Math.max(best, 0.001));
    n++;
    reasons.push(`« ${t} » : ${best === 1 ? 'trouvé' : best >= 0.9 ? 'proche' : 'absent'} (${Math.round(best * 100)} %)`);
  }
  if (names.length) scores.name = round(Math.exp(logSum / n));
  for (const d of dates) {
    const b = dateSim(d, r.birthDate);
    const dd = dateSim(d, r.deathDate);
    const best = b.s >= dd.s ? { ...b, k: 'birthDate' as const } : { ...dd, k: 'deathDate' as const };
    scores[best.k] = round(best.s);
    logSum += 1.2 * Math.log(Math.max(best.s, 0.001));
    n += 1.2;
    reasons.push(`${best.k === 'birthDate' ? 'Date de naissance' : 'Date de décès'} : ${best.why} (${Math.round(best.s * 100)} %)`);
  }
  let score = n ? Math.exp(logSum / n) : 0;
  if (names.length && !lastHit) {
    score *= 0.7;
    reasons.push('Aucun mot ne correspond au nom de famille');
  }
  return { score: round(score), scores, reasons };
}
