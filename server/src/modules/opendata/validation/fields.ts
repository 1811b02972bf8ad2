/** Table Schema field types and constraints (frictionless v1 semantics, v2 read). */
import type { TableField } from './types.ts';

/** What a caster returns for a cell that is not of the field's type. */
export const FAIL: unique symbol = Symbol('type-error');
/** A cast value, or FAIL. */
export type Cast = unknown;

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_NUMBERS = /^[+-]?(nan|inf|infinity)$/i;
const INTEGER_RE = /^[+-]?\d+(_\d+)*$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysIn(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return MONTH_DAYS[m - 1]!;
}

function validYmd(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

const MONTHS_EN = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface Parts {
  y?: number;
  m?: number;
  d?: number;
  H?: number;
  M?: number;
  S?: number;
}

/** strftime pattern (Python strptime subset) to a matcher. */
function compileStrftime(fmt: string): (s: string) => Parts | null {
  const groups: string[] = [];
  let re = '^';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '%' && i + 1 < fmt.length) {
      const k = fmt[++i]!;
      switch (k) {
        case 'Y':
          re += '(\\d{4})';
          groups.push('y');
          break;
        case 'y':
          re += '(\\d{2})';
          groups.push('y2');
          break;
        case 'm':
          re += '(\\d{1,2})';
          groups.push('m');
          break;
        case 'd':
        case 'e':
          re += '(\\d{1,2})';
          groups.push('d');
          break;
        case 'H':
        case 'I':
          re += '(\\d{1,2})';
          groups.push('H');
          break;
        case 'M':
          re += '(\\d{1,2})';
          groups.push('M');
          break;
        case 'S':
          re += '(\\d{1,2})';
          groups.push('S');
          break;
        case 'f':
          re += '\\d{1,6}';
          break;
        case 'z':
          re += '(?:Z|[+-]\\d{2}:?\\d{2})?';
          break;
        case 'Z':
          re += '[A-Za-z]{0,5}';
          break;
        case 'p':
          re += '(?:AM|PM|am|pm)';
          break;
        case 'b':
        case 'B':
          re += '([A-Za-z]{3,9})';
          groups.push('b');
          break;
        case 'a':
        case 'A':
          re += '[A-Za-z]{3,9}';
          break;
        case 'j':
          re += '\\d{1,3}';
          break;
        case '%':
          re += '%';
          break;
        default:
          re += k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(re + '$');
  return (s) => {
    const m = rx.exec(s);
    if (!m) return null;
    const p: Parts = {};
    groups.forEach((g, i) => {
      const v = m[i + 1]!;
      if (g === 'y') p.y = Number(v);
      else if (g === 'y2') p.y = Number(v) + (Number(v) < 69 ? 2000 : 1900);
      else if (g === 'b') {
        const idx = MONTHS_EN.indexOf(v.slice(0, 3).toLowerCase());
        p.m = idx < 0 ? 99 : idx + 1;
      } else (p as Record<string, number>)[g] = Number(v);
    });
    return p;
  };
}

function partsOk(p: Parts): boolean {
  const y = p.y ?? 1900;
  const m = p.m ?? 1;
  const d = p.d ?? 1;
  if (!validYmd(y, m, d)) return false;
  if ((p.H ?? 0) > 23 || (p.M ?? 0) > 59 || (p.S ?? 0) > 60) return false;
  return true;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const ANY_DATES = ['%Y-%m-%d', '%d/%m/%Y', '%d-%m-%Y', '%Y/%m/%d', '%d.%m.%Y', '%Y%m%d', '%d/%m/%y'].map(compileStrftime);

function pad(n: number | undefined, w: number): string {
  return String(n ?? 0).padStart(w, '0');
}

function sortable(p: Parts): string {
  return `${pad(p.y, 4)}-${pad(p.m ?? 1, 2)}-${pad(p.d ?? 1, 2)}T${pad(p.H, 2)}:${pad(p.M, 2)}:${pad(p.S, 2)}`;
}

/** A field's compiled caster: raw text (not a missing value) to a typed value. */
export type Caster = (raw: string) => Cast;

export function compileCaster(field: TableField): Caster {
  const type = field.type ?? 'string';
  const format = typeof field.format === 'string' ? field.format.replace(/^fmt:/, '') : 'default';
  switch (type) {
    case 'string': {
      if (format === 'email') return (s) => (EMAIL_RE.test(s) ? s : FAIL);
      if (format === 'uri') return (s) => (URI_RE.test(s) ? s : FAIL);
      if (format === 'uuid') return (s) => (UUID_RE.test(s) ? s : FAIL);
      if (format === 'binary') return (s) => (BASE64_RE.test(s) && s.length % 4 === 0 ? s : FAIL);
      return (s) => s;
    }
    case 'number': {
      const dec = field.decimalChar ?? '.';
      const grp = field.groupChar ?? '';
      const bare = field.bareNumber !== false;
      return (s) => {
        let t = s.trim();
        if (!bare) t = t.replace(/^\D*/, '').replace(/\D*$/, '');
        if (grp) t = t.split(grp).join('');
        if (dec !== '.') {
          if (t.includes('.') && !grp.includes('.')) return FAIL;
          t = t.split(dec).join('.');
        }
        if (NUMBER_RE.test(t)) return Number(t);
        if (SPECIAL_NUMBERS.test(t)) return Number(t.replace(/inf(inity)?/i, 'Infinity').replace(/nan/i, 'NaN'));
        return FAIL;
      };
    }
    case 'integer': {
      const bare = field.bareNumber !== false;
      const grp = field.groupChar ?? '';
      return (s) => {
        let t = s.trim();
        if (!bare) t = t.replace(/^\D*/, '').replace(/\D*$/, '');
        if (grp) t = t.split(grp).join('');
        if (!INTEGER_RE.test(t)) return FAIL;
        return Number(t.replace(/_/g, ''));
      };
    }
    case 'boolean': {
      const tv = new Set(field.trueValues ?? ['true', 'True', 'TRUE', '1']);
      const fv = new Set(field.falseValues ?? ['false', 'False', 'FALSE', '0']);
      return (s) => (tv.has(s) ? true : fv.has(s) ? false : FAIL);
    }
    case 'date': {
      if (format === 'default' || format === '') {
        return (s) => {
          const m = ISO_DATE.exec(s);
          if (!m) return FAIL;
          // Already sortable text: no conversion.
          return validYmd(+m[1]!, +m[2]!, +m[3]!) ? s : FAIL;
        };
      }
      const matchers = format === 'any' ? ANY_DATES : [compileStrftime(format)];
      return (s) => {
        for (const mt of matchers) {
          const p = mt(s.trim());
          if (p && partsOk(p)) return sortable(p).slice(0, 10);
        }
        return FAIL;
      };
    }
    case 'datetime': {
      if (format === 'default' || format === '' || format === 'any') {
        return (s) => {
          const m = ISO_DATETIME.exec(s);
          if (!m) return format === 'any' ? anyDate(s) : FAIL;
          const p = { y: +m[1]!, m: +m[2]!, d: +m[3]!, H: +m[4]!, M: +m[5]!, S: +(m[6] ?? 0) };
          return partsOk(p) ? sortable(p) : FAIL;
        };
      }
      const mt = compileStrftime(format);
      return (s) => {
        const p = mt(s);
        return p && partsOk(p) ? sortable(p) : FAIL;
      };
    }
    case 'time': {
      if (format === 'default' || format === '' || format === 'any') {
        return (s) => {
          const m = ISO_TIME.exec(s);
          if (!m) return FAIL;
          const H = +m[1]!;
          const M = +m[2]!;
          const S = +(m[3] ?? 0);
          return H <= 23 && M <= 59 && S <= 60 ? s.slice(0, 8) : FAIL;
        };
      }
      const mt = compileStrftime(format);
      return (s) => {
        const p = mt(s);
        return p && partsOk(p) ? sortable(p).slice(11) : FAIL;
      };
    }
    case 'year':
      return (s) => (/^\d{4}$/.test(s.trim()) ? Number(s) : FAIL);
    case 'yearmonth':
      return (s) => {
        const m = /^(\d{4})-(\d{1,2})$/.exec(s.trim());
        return m && +m[2]! >= 1 && +m[2]! <= 12 ? `${m[1]}-${m[2]!.padStart(2, '0')}` : FAIL;
      };
    case 'duration':
      return (s) =>
        /^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$/.test(s)
          ? s
          : FAIL;
    case 'geopoint':
      return (s) => {
        let lon: number;
        let lat: number;
        try {
          if (format === 'array') {
            const v: unknown = JSON.parse(s);
            if (!Array.isArray(v) || v.length !== 2) return FAIL;
            [lon, lat] = v.map(Number) as [number, number];
          } else if (format === 'object') {
            const v = JSON.parse(s) as { lon?: unknown; lat?: unknown };
            if (!v || typeof v !== 'object') return FAIL;
            lon = Number(v.lon);
            lat = Number(v.lat);
          } else {
            const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$/.exec(s);
            if (!m) return FAIL;
            lon = Number(m[1]);
            lat = Number(m[2]);
          }
        } catch {
          return FAIL;
        }
        return Number.isFinite(lon) && Number.isFinite(lat) && Math.abs(lon) <= 180 && Math.abs(lat) <= 90 ? [lon, lat] : FAIL;
      };
    case 'geojson':
    case 'object':
      return (s) => {
        if (s.length > 1_000_000) return FAIL;
        try {
          const v: unknown = JSON.parse(s);
          if (!v || typeof v !== 'object' || Array.isArray(v)) return FAIL;
          if (type === 'geojson' && typeof (v as { type?: unknown }).type !== 'string') return FAIL;
          return v;
        } catch {
          return FAIL;
        }
      };
    case 'array':
      return (s) => {
        if (s.length > 1_000_000) return FAIL;
        try {
          const v: unknown = JSON.parse(s);
          return Array.isArray(v) ? v : FAIL;
        } catch {
          return FAIL;
        }
      };
    case 'list': {
      const d = field.delimiter ?? ',';
      return (s) => s.split(d);
    }
    default:
      return (s) => s;
  }
}

function anyDate(s: string): Cast {
  for (const mt of ANY_DATES) {
    const p = mt(s.trim());
    if (p && partsOk(p)) return sortable(p);
  }
  return FAIL;
}

/** Compile a Python-style pattern as frictionless does: `re.match("^" + p + "$")`. */
export function compilePattern(pattern: string): RegExp | null {
  const src = pattern
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  for (const flags of ['uy', 'y']) {
    try {
      return new RegExp(`^${src}$`, flags);
    } catch {
      /* try without unicode */
    }
  }
  return null;
}

export function testPattern(rx: RegExp, s: string): boolean {
  rx.lastIndex = 0;
  return rx.test(s);
}

/** Value to compare for minimum/maximum: numbers as numbers, dates as sortable text. */
export function comparable(field: TableField, v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v;
  return null;
}

export function castBound(field: TableField, caster: Caster, bound: unknown): number | string | null {
  if (bound === undefined || bound === null) return null;
  if (typeof bound === 'number') return bound;
  const c = caster(String(bound));
  return c === FAIL ? null : comparable(field, c);
}
