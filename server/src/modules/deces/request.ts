import { geoPointFields, personFields, searchOptionFields, type PersonField } from '@patrimoine/contracts/deces';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { withMsg } from './matchid.ts';
import { communesOfPostalCode } from './postal.ts';
import { communesWithin, parseGeoPoint } from './geo.ts';
import type { DateQuery, PersonQuery } from './score.ts';

/**
 * matchID's search request: either `q` (free text) or fields, plus options. Validation lists every bad
 * parameter by name (problem+json `errors[].field`), and refuses unknown parameters and `q` mixed
 * with fields, as matchID does.
 */
export const PERSON_FIELDS = personFields;
export const OPTION_FIELDS = searchOptionFields;
export type { PersonField };

export const SORT_FIELDS: Record<string, string> = {
  score: 'score',
  lastName: 'lastName',
  'name.last': 'lastName',
  firstName: 'firstNames',
  'name.first': 'firstNames',
  sex: 'sex',
  birthDate: 'birthDate',
  'birth.date': 'birthDate',
  birthCity: 'birthCity',
  'birth.location.city': 'birthCity',
  deathDate: 'deathDate',
  'death.date': 'deathDate',
  deathCity: 'deathCity',
  'death.location.city': 'deathCity',
  deathAge: 'age',
  'death.age': 'age',
};

export interface SearchRequest {
  q?: { names: string[]; dates: DateQuery[]; text: string };
  person: PersonQuery;
  fuzzy: boolean;
  size: number;
  page: number;
  sort: { field: string; dir: 'asc' | 'desc' }[];
  /** The request as given (echoed in the response). */
  echo: Record<string, unknown>;
}

const MAX_LEN = 200;

/** Parses `JJ/MM/AAAA`, `AAAA`, `AAAAMMJJ`, `AAAA-MM-JJ`, `MM/AAAA`, or a range `a-b` / `a - b`. */
export function parseDateQuery(v: string): DateQuery | null {
  const s = v.trim();
  const one = (x: string): string | null => {
    const t = x.trim();
    let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
    if (m) return `${m[3]}${m[2]!.padStart(2, '0')}${m[1]!.padStart(2, '0')}`;
    m = /^(\d{1,2})\/(\d{4})$/.exec(t);
    if (m) return `${m[2]}${m[1]!.padStart(2, '0')}00`;
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    if (m) return `${m[1]}${m[2]}${m[3]}`;
    if (/^\d{8}$/.test(t)) return t;
    if (/^\d{4}$/.test(t)) return `${t}0000`;
    return null;
  };
  const exact = one(s);
  if (exact) return validDate(exact) ? { kind: 'exact', value: exact } : null;
  const parts = s.split(/\s+-\s+|(?<=\d)-(?=\d{1,2}\/|\d{4}(?:$|\/))/);
  if (parts.length === 2) {
    const a = one(parts[0]!);
    const b = one(parts[1]!);
    if (a && b && validDate(a) && validDate(b)) {
      const from = a.endsWith('0000') ? a.slice(0, 4) + '0101' : a.endsWith('00') ? a.slice(0, 6) + '01' : a;
      const to = b.endsWith('0000') ? b.slice(0, 4) + '1231' : b.endsWith('00') ? b.slice(0, 6) + '31' : b;
      if (from <= to) return { kind: 'range', from, to };
    }
  }
  return null;
}

function validDate(d: string): boolean {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  return y >= 1800 && y <= 2100 && m <= 12 && day <= 31 && !(m === 0 && day !== 0);
}

function parseSort(v: unknown, errors: FieldError[]): SearchRequest['sort'] {
  if (v === undefined || v === '') return [];
  const out: SearchRequest['sort'] = [];
  let items: { field: string; dir: string }[] = [];
  try {
    if (typeof v === 'string' && v.trim().startsWith('[')) {
      items = (JSON.parse(v) as Record<string, string>[]).flatMap((o) => Object.entries(o).map(([field, dir]) => ({ field, dir })));
    } else if (Array.isArray(v)) {
      items = (v as Record<string, string>[]).flatMap((o) => Object.entries(o).map(([field, dir]) => ({ field, dir })));
    } else {
      items = String(v)
        .split(',')
        .map((p) => {
          const [field, dir] = p.split(':');
          return { field: field!.trim(), dir: (dir ?? 'asc').trim() };
        });
    }
  } catch {
    errors.push({ field: 'sort', message: 'tri illisible : attendu [{"birth.date":"asc"}] ou birth.date:asc' });
    return [];
  }
  for (const it of items) {
    const f = SORT_FIELDS[it.field];
    if (!f || !['asc', 'desc'].includes(it.dir)) {
      errors.push({ field: 'sort', message: `tri inconnu « ${it.field}:${it.dir} » (champs : ${Object.keys(SORT_FIELDS).join(', ')} ; sens asc ou desc)` });
      continue;
    }
    out.push({ field: f, dir: it.dir as 'asc' | 'desc' });
  }
  return out;
}

/** Validates and normalises a search request (query string or JSON body). */
export function parseSearchRequest(input: Record<string, unknown>): SearchRequest {
  const errors: FieldError[] = [];
  const known = new Set<string>([...PERSON_FIELDS, ...geoPointFields, ...OPTION_FIELDS]);
  for (const k of Object.keys(input)) if (!known.has(k)) errors.push({ field: k, message: `paramètre inconnu « ${k} »` });
  const str = (k: string): string | undefined => {
    const v = input[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') {
      errors.push({ field: k, message: 'doit être une chaîne de caractères' });
      return undefined;
    }
    const s = String(v).trim();
    if (s.length > MAX_LEN) {
      errors.push({ field: k, message: `${MAX_LEN} caractères au plus` });
      return undefined;
    }
    return s || undefined;
  };
  const person: PersonQuery = {};
  const geoGiven = geoPointFields.filter((f) => input[f] !== undefined && input[f] !== null && input[f] !== '');
  const given = [...PERSON_FIELDS.filter((f) => str(f) !== undefined), ...geoGiven];
  const q = str('q');
  if (q && given.length)
    errors.push({ field: given[0]!, message: `ne peut pas être combiné avec q (recherche simple ou avancée, pas les deux) : ${given.join(', ')}` });
  if (!q && !given.length) errors.push({ field: 'q', message: 'requête vide : donnez q ou au moins un champ (lastName, firstName, birthDate…)' });
  for (const f of ['firstName', 'lastName', 'legalName', 'birthCity', 'birthCountry', 'deathCity', 'deathCountry'] as const) {
    const v = str(f);
    if (v) person[f] = v;
  }
  const sex = str('sex');
  if (sex) {
    const s = sex.toUpperCase();
    if (s === 'M' || s === 'H' || s === '1') person.sex = 'M';
    else if (s === 'F' || s === '2') person.sex = 'F';
    else errors.push({ field: 'sex', message: 'M (ou H) ou F' });
  }
  for (const f of ['birthDate', 'deathDate'] as const) {
    const v = str(f);
    if (!v) continue;
    const d = parseDateQuery(v);
    if (d) person[f] = d;
    else errors.push({ field: f, message: 'date attendue JJ/MM/AAAA, AAAA ou un intervalle « JJ/MM/AAAA-JJ/MM/AAAA »' });
  }
  for (const f of ['birthLocationCode', 'deathLocationCode'] as const) {
    const v = str(f);
    if (!v) continue;
    if (/^[0-9][0-9AB][0-9]{3}$/i.test(v)) person[f] = v.toUpperCase();
    else errors.push({ field: f, message: 'code COG à 5 caractères attendu (ex. 75120, 2A004, 99352)' });
  }
  for (const f of ['birthDepartment', 'deathDepartment'] as const) {
    const v = str(f);
    if (!v) continue;
    if (/^(\d{1,3}|2A|2B)$/i.test(v)) person[f] = v.toUpperCase().padStart(2, '0');
    else errors.push({ field: f, message: 'code de département attendu (ex. 33, 2A, 971)' });
  }
  for (const [f, key] of [
    ['birthPostalCode', 'birthCodes'],
    ['deathPostalCode', 'deathCodes'],
  ] as const) {
    const v = str(f);
    if (!v) continue;
    if (!/^\d{5}$/.test(v)) errors.push({ field: f, message: 'code postal à 5 chiffres attendu (ex. 15190)' });
    else {
      const codes = communesOfPostalCode(v);
      if (codes.length) person[key] = codes;
      else errors.push({ field: f, message: `code postal inconnu : ${v}` });
    }
  }
  for (const [f, key] of [
    ['birthGeoPoint', 'birthCodes'],
    ['deathGeoPoint', 'deathCodes'],
  ] as const) {
    if (!geoGiven.includes(f)) continue;
    const g = parseGeoPoint(input[f]);
    if ('error' in g) {
      errors.push({ field: f, message: g.error });
      continue;
    }
    // The communes within the radius; with a postal code on the same side, those of both.
    const within = communesWithin(g);
    const codes = person[key] ? person[key].filter((c) => within.includes(c)) : within;
    // None at all still filters (an empty answer), rather than dropping the condition.
    person[key] = codes.length ? codes : ['-----'];
  }
  const alive = str('lastSeenAliveDate');
  if (alive) {
    const d = parseDateQuery(alive);
    if (d?.kind === 'exact')
      person.diedFrom = d.value.endsWith('0000') ? d.value.slice(0, 4) + '0101' : d.value.endsWith('00') ? d.value.slice(0, 6) + '01' : d.value;
    else errors.push({ field: 'lastSeenAliveDate', message: 'date attendue JJ/MM/AAAA (dernière date où la personne était en vie)' });
  }
  const source = str('source');
  if (source) {
    if (/^(deces-)?[\w-]{2,40}$/.test(source)) person.source = source.replace(/^deces-/, '');
    else errors.push({ field: 'source', message: 'nom de fichier source attendu (ex. 2020-m01)' });
  }
  const age = str('deathAge');
  if (age) {
    const m = /^(\d{1,3})(?:\s*-\s*(\d{1,3}))?$/.exec(age);
    if (m) person.deathAge = { from: Number(m[1]), to: Number(m[2] ?? m[1]) };
    else errors.push({ field: 'deathAge', message: 'âge attendu (ex. 85 ou 80-90)' });
  }
  const fuzzyRaw = input.fuzzy;
  const fuzzy =
    fuzzyRaw === undefined || fuzzyRaw === ''
      ? true
      : fuzzyRaw === true || fuzzyRaw === 'true'
        ? true
        : fuzzyRaw === false || fuzzyRaw === 'false'
          ? false
          : null;
  if (fuzzy === null) errors.push({ field: 'fuzzy', message: 'true ou false' });
  const int = (k: string, def: number, min: number, max: number) => {
    const v = input[k];
    if (v === undefined || v === '') return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      errors.push({ field: k, message: `entier entre ${min} et ${max}` });
      return def;
    }
    return n;
  };
  const size = int('size', 20, 1, 100);
  const page = int('page', 1, 1, 500);
  const sort = parseSort(input.sort, errors);
  let qParsed: SearchRequest['q'];
  if (q) {
    const names: string[] = [];
    const dates: DateQuery[] = [];
    for (const t of q
      .split(/[\s,;]+/)
      .filter(Boolean)
      .slice(0, 12)) {
      const d = /\d/.test(t) ? parseDateQuery(t) : null;
      if (d) dates.push(d);
      else if (/\d/.test(t)) errors.push({ field: 'q', message: `« ${t} » n’est pas une date JJ/MM/AAAA ou AAAA` });
      else names.push(t);
    }
    qParsed = { names, dates, text: q };
  }
  if (errors.length) {
    const err = new ValidationError(`Requête invalide : ${errors.map((e) => `${e.field} (${e.message})`).join(' ; ')}`, errors);
    // matchID's wording of the same refusals (its clients test `msg`).
    const unknown = errors.some((e) => !known.has(e.field));
    const mixed = !!q && given.length > 0;
    const empty = !q && !given.length;
    const msg = unknown
      ? 'error - unknown field'
      : mixed
        ? 'error - simple and complex request at the same time'
        : empty
          ? 'error - empty request'
          : errors.map((e) => `invalid ${e.field} value: ${String(input[e.field] ?? '').slice(0, 100)}`);
    throw withMsg(err, msg);
  }
  const echo: Record<string, unknown> = {};
  for (const k of [...OPTION_FIELDS, ...PERSON_FIELDS, ...geoPointFields]) if (input[k] !== undefined && input[k] !== '') echo[k] = input[k];
  return { q: qParsed, person, fuzzy: fuzzy!, size, page, sort, echo: { ...echo, fuzzy: fuzzy!, size, page } };
}
