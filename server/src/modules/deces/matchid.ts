import type { PersonOut } from './deces.service.ts';
import type { FastifyReply } from 'fastify';
import type { DomainError } from '../../platform/errors.ts';

/**
 * matchID's wire conventions that are not ours (ADR 0305): the result columns of a bulk file and of a
 * search exported as CSV, date formats written the date-fns way, character encodings, and the `msg`
 * member its clients read in error bodies. Facts and formats of `matchID-project/deces-backend`;
 * none of its code.
 */

/** One result column as matchID writes it: `label` (dotted path), `labelFr` (`headerLang=french`), mapped field. */
export interface ResultColumn {
  label: string;
  labelFr: string;
  /** The search field the column answers (used by `?order=true` to put it next to its input column). */
  id?: string;
  get: (p: PersonOut) => unknown;
}

const loc = (p: PersonOut, on: 'birth' | 'death') => p[on].location as PersonOut['birth']['location'] & Record<string, unknown>;

/** matchID's result columns, in its order (score, scores, source, id, name, sex, birth…, death…). */
export const RESULT_COLUMNS: ResultColumn[] = [
  { label: 'score', labelFr: 'score', get: (p) => p.score },
  { label: 'scores', labelFr: 'scores', get: (p) => p.scores },
  { label: 'source', labelFr: 'source_INSEE', get: (p) => p.source },
  { label: 'id', labelFr: 'id', get: (p) => p.id },
  { label: 'name.last', labelFr: 'nom', id: 'lastName', get: (p) => p.name.last },
  { label: 'name.first', labelFr: 'prénoms', id: 'firstName', get: (p) => p.name.first.join(' ') },
  { label: 'sex', labelFr: 'sexe', id: 'sex', get: (p) => p.sex },
  { label: 'birth.date', labelFr: 'date_naissance', id: 'birthDate', get: (p) => p.birth.date },
  { label: 'birth.location.city', labelFr: 'commune_naissance', id: 'birthCity', get: (p) => p.birth.location.city },
  { label: 'birth.location.code', labelFr: 'code_INSEE_naissance', id: 'birthLocationCode', get: (p) => p.birth.location.code },
  { label: 'birth.location.codePostal', labelFr: 'code_postal_naissance', id: 'birthPostalCode', get: (p) => loc(p, 'birth').codePostal },
  { label: 'birth.location.departmentCode', labelFr: 'département_naissance', id: 'birthDepartment', get: (p) => p.birth.location.departmentCode },
  { label: 'birth.location.country', labelFr: 'pays_naissance', id: 'birthCountry', get: (p) => p.birth.location.country },
  { label: 'birth.location.countryCode', labelFr: 'pays_ISO_naissance', get: (p) => p.birth.location.countryCode },
  { label: 'birth.location.latitude', labelFr: 'latitude_naissance', get: (p) => loc(p, 'birth').latitude },
  { label: 'birth.location.longitude', labelFr: 'longitude_naissance', get: (p) => loc(p, 'birth').longitude },
  { label: 'death.certificateId', labelFr: 'id_certificat', get: (p) => p.death.certificateId },
  { label: 'death.age', labelFr: 'age_décès', id: 'deathAge', get: (p) => p.death.age },
  { label: 'death.date', labelFr: 'date_décès', id: 'deathDate', get: (p) => p.death.date },
  { label: 'death.location.city', labelFr: 'commune_décès', id: 'deathCity', get: (p) => p.death.location.city },
  { label: 'death.location.code', labelFr: 'code_INSEE_décès', id: 'deathLocationCode', get: (p) => p.death.location.code },
  { label: 'death.location.codePostal', labelFr: 'code_postal_décès', id: 'deathPostalCode', get: (p) => loc(p, 'death').codePostal },
  { label: 'death.location.departmentCode', labelFr: 'département_décès', id: 'deathDepartment', get: (p) => p.death.location.departmentCode },
  { label: 'death.location.country', labelFr: 'pays_décès', id: 'deathCountry', get: (p) => p.death.location.country },
  { label: 'death.location.countryCode', labelFr: 'pays_ISO_décès', get: (p) => p.death.location.countryCode },
  { label: 'death.location.latitude', labelFr: 'latitude_décès', get: (p) => loc(p, 'death').latitude },
  { label: 'death.location.longitude', labelFr: 'longitude_décès', get: (p) => loc(p, 'death').longitude },
];

/** The header of a bulk result column (`birth.location.city` → `birth.city`, as matchID writes it). */
export const bulkHeader = (c: ResultColumn): string => c.label.replace(/\.location/, '');

/** A cell as matchID prints it: nothing for null, JSON for objects, text otherwise. */
export function prettyCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `AAAAMMJJ` → `JJ/MM/AAAA` (matchID's search CSV); other values unchanged. */
export const frenchDate = (d: unknown): string => {
  const s = prettyCell(d);
  return /^\d{8}$/.test(s) ? `${s.slice(6, 8)}/${s.slice(4, 6)}/${s.slice(0, 4)}` : s;
};

/**
 * Reorders a row for `?order=true`: each result column that answers a mapped input column moves right
 * before that input column (`name.first, Prenom, name.last, Nom, …`), the others keep their place.
 * `header` is the input header, `mapping` field → input column; works on any row of the same layout.
 */
export function orderRow<T>(row: T[], header: string[], mapping: Record<string, string>, resultOffset: number): T[] {
  const results = row.slice(resultOffset);
  const before = new Map<number, number>();
  RESULT_COLUMNS.forEach((c, i) => {
    const col = c.id ? mapping[c.id] : undefined;
    const at = col ? header.indexOf(col) : -1;
    if (at >= 0 && !before.has(at)) before.set(at, i);
  });
  const used = new Set(before.values());
  const out: T[] = [];
  header.forEach((_, j) => {
    const r = before.get(j);
    if (r !== undefined) out.push(results[r]!);
    out.push(row[j]!);
  });
  out.push(...row.slice(header.length, resultOffset));
  results.forEach((v, i) => {
    if (!used.has(i)) out.push(v);
  });
  return out;
}

/**
 * A date format written the date-fns way (`dd/MM/yyyy`, `yyyyMMdd`, `MM/yyyy`) or the moment way
 * (`DD/MM/YYYY`) read as a regular expression; `null` when it is not a date format.
 */
export function compileDateFormat(fmt: string): { re: RegExp; order: ('d' | 'm' | 'y')[] } | null {
  if (!/^(dd?|DD?|MM?|yyyy|YYYY|yy|YY|[/.\- ])+$/.test(fmt) || !/yyyy|YYYY|yy|YY/.test(fmt)) return null;
  const separated = /[/.\- ]/.test(fmt);
  const order: ('d' | 'm' | 'y')[] = [];
  let src = '';
  for (const tok of fmt.match(/dd?|DD?|MM?|yyyy|YYYY|yy|YY|[/.\- ]/g) ?? []) {
    if (/^[dD]/.test(tok)) {
      order.push('d');
      src += separated || tok.length === 1 ? '(\\d{1,2})' : '(\\d{2})';
    } else if (tok[0] === 'M') {
      order.push('m');
      src += separated || tok.length === 1 ? '(\\d{1,2})' : '(\\d{2})';
    } else if (/^[yY]{4}$/.test(tok)) {
      order.push('y');
      src += '(\\d{4})';
    } else if (/^[yY]{2}$/.test(tok)) {
      order.push('y');
      src += '(\\d{2})';
    } else src += tok === '.' ? '\\.' : tok === ' ' ? '\\s' : tok;
  }
  if (new Set(order).size !== order.length) return null;
  return { re: new RegExp(`^${src}$`), order };
}

/** A date read with a compiled format, as `AAAAMMJJ` (missing day → `00`); null when it does not match. */
export function readWithFormat(v: string, f: NonNullable<ReturnType<typeof compileDateFormat>>): string | null {
  const m = f.re.exec(v.trim());
  if (!m) return null;
  let y = '0000';
  let mo = '00';
  let d = '00';
  f.order.forEach((k, i) => {
    const s = m[i + 1]!;
    if (k === 'y') y = s.length === 2 ? (Number(s) > 30 ? '19' : '20') + s : s;
    else if (k === 'm') mo = s.padStart(2, '0');
    else d = s.padStart(2, '0');
  });
  return `${y}${mo}${d}`;
}

/** Encodings matchID's UI offers (and their usual spellings) → the name iconv-lite knows. */
export function encodingOf(v: string): string | null {
  const e = v.trim().toLowerCase().replace(/[_\s]/g, '-');
  const map: Record<string, string> = {
    utf8: 'utf8',
    'utf-8': 'utf8',
    latin1: 'latin1',
    'iso-8859-1': 'latin1',
    iso88591: 'latin1',
    'iso-8859-15': 'iso-8859-15',
    mac: 'macintosh',
    macintosh: 'macintosh',
    macroman: 'macintosh',
    win1252: 'win1252',
    windows1252: 'win1252',
    'windows-1252': 'win1252',
    cp1252: 'win1252',
    utf16le: 'utf16le',
    'utf-16le': 'utf16le',
  };
  return map[e] ?? null;
}

/** Adds matchID's `msg` member to a problem (extension member, RFC 9457 § 3.2). */
export function withMsg<E extends DomainError>(err: E, msg: string | string[]): E {
  Object.assign(err.extra, { msg });
  return err;
}

/**
 * `onSend` of the deaths API: a problem+json body without `msg` gets one, `error - <detail>` as matchID
 * words its errors (the problem's own members are unchanged).
 */
export function addMatchIdMsg(reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').includes('problem+json')) return payload;
  try {
    const body = JSON.parse(payload) as { msg?: unknown; detail?: string; title?: string };
    if (body.msg !== undefined) return payload;
    body.msg = `error - ${body.detail ?? body.title ?? 'requête refusée'}`;
    return JSON.stringify(body);
  } catch {
    return payload;
  }
}
