import { cog } from './cog.ts';
import { dateQuality } from './insee.ts';
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
      let s = firstSim(qf, rf);
      if (i !== 0 || j !== 0) s *= i === 0 || j === 0 ? 0.95 : 0.9;
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
  // Compound given name written in one or two parts (JEAN-PIERRE ≈ JEAN PIERRE).
  const rJoined = r.slice(0, 2).join('');
  if (q[0] && q[0].length > 5 && q[0] === rJoined) best = { s: 1, why: 'prénom composé identique' };
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

/** Place similarity: COG history and arrondissements, misspelled commune with département fallback, countries by name. */
export function placeSim(
  q: { city?: string; code?: string; department?: string; country?: string },
  r: { code: string; city: string; department: string; country: string },
): Sim | null {
  const c = cog();
  const foreignR = r.code.startsWith('99');
  if (q.code) {
    const qc = q.code.toUpperCase();
    if (qc === r.code) return { s: 1, why: 'code de commune identique' };
    const a = c.commune(qc);
    const b = c.commune(r.code);
    if (a && b && a.currentCode === b.currentCode)
      return {
        s: 1,
        why:
          b.kind === 'arrondissement-municipal' || a.kind === 'arrondissement-municipal' ? 'même commune (arrondissement)' : 'même commune (code historique)',
      };
    const qd = a?.departmentCode ?? c.departmentOf(qc);
    if (qd && qd === r.department) return { s: 0.7, why: 'même département' };
    return { s: 0.2, why: 'autre commune' };
  }
  if (q.city) {
    const qk = cityKey(q.city);
    const candidates = [r.city, c.commune(r.code)?.currentName ?? '', c.commune(r.code)?.name ?? ''].filter(Boolean).map(cityKey);
    if (candidates.includes(qk)) return { s: 1, why: 'commune identique' };
    const best = Math.max(0, ...candidates.map((k) => jaroWinkler(qk, k)));
    if (best >= 0.92) return { s: 0.9, why: 'commune mal orthographiée' };
    if (q.department && q.department === r.department) return { s: 0.75, why: 'même département (commune différente)' };
    const homonyms = c.communesByName(q.city);
    if (homonyms.some((h) => h.departmentCode === r.department)) return { s: 0.7, why: 'commune du même département' };
    if (foreignR && q.country) return placeSim({ country: q.country }, r);
    return { s: best >= 0.85 ? 0.6 : 0.25, why: best >= 0.85 ? 'commune proche' : 'autre commune' };
  }
  if (q.department) {
    const qd = q.department.toUpperCase().padStart(2, '0');
    return qd === r.department ? { s: 1, why: 'même département' } : { s: 0.3, why: 'autre département' };
  }
  if (q.country) {
    const qk = normalize(q.country);
    const qcode = c.countryCodeByName(q.country);
    if (!foreignR) return qk === 'FRANCE' ? { s: 1, why: 'né en France' } : { s: 0.2, why: 'pays différent' };
    if (normalize(r.country) === qk || (qcode && qcode === r.code)) return { s: 1, why: 'pays identique' };
    return jaroWinkler(qk, normalize(r.country)) >= 0.9 ? { s: 0.9, why: 'pays proche' } : { s: 0.2, why: 'pays différent' };
  }
  return null;
}

/** Scores a record against a query; components only for what the query gives. */
export function scoreRecord(q: PersonQuery, r: ScoredRecord): ScoreResult {
  const comps: Partial<Record<ComponentName, Sim>> = {};
  const rLast = lastNameKey(r.lastName);
  const rFirst = firstNameList(r.firstNames);
  const qFirst = firstNameList(q.firstName);
  const qLast = lastNameKey(q.lastName);
  if (qLast || q.legalName) {
    let last = qLast ? lastNameSim(qLast, rLast) : { s: 0, why: '' };
    if (q.legalName) {
      const legal = lastNameSim(lastNameKey(q.legalName), rLast);
      if (legal.s > last.s) last = { s: legal.s, why: `${legal.why} (nom d’usage)` };
    }
    comps.last = last;
  }
  if (qFirst.length) comps.first = firstNamesSim(qFirst, rFirst);
  // Last and first names swapped by the caller.
  if (qLast && qFirst.length && comps.last && comps.first && comps.last.s * comps.first.s < 0.7) {
    const invLast = lastNameSim(lastNameKey(qFirst.join(' ')), rLast);
    const invFirst = firstNamesSim([qLast], rFirst);
    if (invLast.s >= 0.8 && invFirst.s >= 0.8 && invLast.s * invFirst.s * 0.95 > comps.last.s * comps.first.s) {
      comps.last = { s: invLast.s * 0.97, why: 'nom et prénom inversés' };
      comps.first = { s: invFirst.s * 0.97, why: 'nom et prénom inversés' };
    }
  }
  if (q.sex && r.sex) comps.sex = q.sex === r.sex ? { s: 1, why: 'même sexe' } : { s: 0.3, why: 'sexe différent' };
  if (q.birthDate) comps.birthDate = dateSim(q.birthDate, r.birthDate);
  const bl = placeSim(
    { city: q.birthCity, code: q.birthLocationCode, department: q.birthDepartment, country: q.birthCountry },
    { code: r.birthCode, city: r.birthCity, department: r.birthDepartment, country: r.birthCountry },
  );
  if (bl) comps.birthLocation = bl;
  if (q.deathDate) comps.deathDate = dateSim(q.deathDate, r.deathDate);
  const dl = placeSim(
    { city: q.deathCity, code: q.deathLocationCode, department: q.deathDepartment, country: q.deathCountry },
    { code: r.deathCode, city: r.deathCity, department: r.deathDepartment, country: r.deathCountry },
  );
  if (dl) comps.deathLocation = dl;
  if (q.deathAge) {
    const a = r.age;
    comps.deathAge =
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
  if (
    comps.last &&
    comps.last.s < 0.7 &&
    r.sex === 'F' &&
    (comps.first?.s ?? 0) >= 0.9 &&
    (comps.birthDate?.s ?? 0) >= 0.95 &&
    (comps.birthLocation?.s ?? 0) >= 0.9
  ) {
    comps.last = { s: 0.6, why: 'nom différent : nom d’usage possible (femme mariée)' };
  }
  let logSum = 0;
  let wSum = 0;
  const scores: ScoreResult['scores'] = {};
  const reasons: string[] = [];
  for (const [k, v] of Object.entries(comps) as [ComponentName, Sim][]) {
    const w = WEIGHTS[k];
    logSum += w * Math.log(Math.max(v.s, 0.001));
    wSum += w;
    scores[k] = round(v.s);
    reasons.push(`${LABELS[k]} : ${v.why} (${Math.round(v.s * 100)} %)`);
  }
  if (comps.last || comps.first) scores.name = round((comps.last?.s ?? 1) * (comps.first?.s ?? 1));
  // Evidence from names alone is weaker than names and a date: scale by how much was compared.
  const coverage = Math.min(1, wSum / 3.2);
  // One clear contradiction weighs more than a geometric mean gives it.
  const minComp = Math.min(1, ...Object.values(comps).map((v) => v.s));
  const contradiction = minComp < 0.5 ? Math.sqrt(Math.max(minComp, 0.01) / 0.5) : 1;
  const score = wSum ? Math.exp(logSum / wSum) * (0.6 + 0.4 * coverage) * contradiction : 0;
  return { score: round(score), scores, reasons };
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
