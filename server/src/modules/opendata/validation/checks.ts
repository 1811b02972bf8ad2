/** Validata's custom checks found on schema.data.gouv.fr (`custom_checks` of a schema). */
import type { CustomCheck } from './types.ts';

export interface RowAccess {
  /** Raw cell of a column by field name; null when empty or absent. */
  get(name: string): string | null;
  has(name: string): boolean;
}

export interface CheckFailure {
  fieldName: string | null;
  cell: string | null;
  message: string;
}

export type RowCheck = (row: RowAccess) => CheckFailure | null;

/** Luhn checksum on a digit string. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isSiren(s: string): boolean {
  return /^\d{9}$/.test(s) && luhn(s);
}

export function isSiret(s: string): boolean {
  if (!/^\d{14}$/.test(s)) return false;
  if (luhn(s)) return true;
  // La Poste's establishments (SIREN 356000000) use a digit sum multiple of 5.
  if (s.startsWith('356000000')) {
    let sum = 0;
    for (const c of s) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0;
  }
  return false;
}

export function isFrenchPhone(s: string): boolean {
  const t = s.replace(/[\s.\-()/]/g, '');
  if (/^0[1-9]\d{8}$/.test(t)) return true;
  if (/^(\+|00)33[1-9]\d{8}$/.test(t)) return true;
  if (/^(\+|00)(262|269|590|594|596|508|681|687|689)\d{6,9}$/.test(t)) return true;
  if (/^(\+|00)[1-9]\d{6,14}$/.test(t)) return true;
  // Short and special numbers (15, 112, 3939, 116 000…).
  if (/^(1[0-9]{1,5}|3[0-9]{3})$/.test(t)) return true;
  return false;
}

const DAY = '(?:Mo|Tu|We|Th|Fr|Sa|Su)';
const DAYSEL = `(?:${DAY}(?:-${DAY})?(?:\\[[-0-9,]+\\])?|PH|SH)`;
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const MONTHSEL = `(?:(?:\\d{4} )?${MONTH}(?: \\d{1,2})?(?:-(?:${MONTH} )?\\d{0,2}|-${MONTH})?)`;
const TIME = '(?:[01]?\\d|2[0-4]):[0-5]\\d';
const TIMESPAN = `(?:${TIME}(?:-${TIME}\\+?|\\+)?|(?:sunrise|sunset|dawn|dusk)(?:-${TIME})?)`;
const RULE = new RegExp(
  `^(?:24/7|(?:(?:week \\d{1,2}(?:-\\d{1,2})?(?:/\\d)? )?(?:${MONTHSEL}(?:,${MONTHSEL})* ?:? ?)?(?:${DAYSEL}(?:,${DAYSEL})*:? ?)?(?:${TIMESPAN}(?:,${TIMESPAN})*)?(?: ?(?:off|closed|open|unknown))?(?: "[^"]*")?))$`,
);

/** OpenStreetMap `opening_hours` syntax (common subset). */
export function isOpeningHours(s: string): boolean {
  const rules = s
    .split(/\s*(?:;|\|\|)\s*/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (rules.length === 0) return false;
  return rules.every((r) => RULE.test(r) && r !== '');
}

const ACTES_MATIERES = [
  'commande publique',
  'urbanisme',
  'domaine et patrimoine',
  'fonction publique',
  'institutions et vie politique',
  'libertes publiques et pouvoirs de police',
  'finances locales',
  'domaines de competences par themes',
  'autres domaines de competences',
];

function norm(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}

function num(s: string | null): number | null {
  if (s === null) return null;
  const t = s.trim().replace(',', '.');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

function compare(a: string, b: string, op: string): boolean | null {
  const na = num(a);
  const nb = num(b);
  const [x, y] = na !== null && nb !== null ? [na, nb] : [a, b];
  switch (op) {
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    default:
      return null;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Compile one custom check; returns null (with a reason) when it cannot run on this schema. */
export function compileCheck(check: CustomCheck): RowCheck | { unsupported: string } {
  const p = check.params ?? {};
  const column = str(p.column);
  switch (check.name) {
    case 'french-siret-value':
    case 'french-siren-value': {
      if (!column) return { unsupported: `paramètre « column » absent` };
      const siret = check.name === 'french-siret-value';
      return (row) => {
        const v = row.get(column);
        if (v === null) return null;
        const t = v.replace(/\s/g, '');
        if (siret ? isSiret(t) : isSiren(t)) return null;
        return {
          fieldName: column,
          cell: v,
          message: siret
            ? `« ${v} » n'est pas un numéro SIRET valide (14 chiffres, clé de Luhn).`
            : `« ${v} » n'est pas un numéro SIREN valide (9 chiffres, clé de Luhn).`,
        };
      };
    }
    case 'compare-columns-value': {
      const c2 = str(p.column2);
      const op = str(p.op);
      if (!column || !c2 || !op) return { unsupported: 'paramètres « column », « op », « column2 » attendus' };
      return (row) => {
        const a = row.get(column);
        const b = row.get(c2);
        if (a === null || b === null) return null;
        const r = compare(a, b, op);
        if (r === null || r) return null;
        return { fieldName: column, cell: a, message: `La valeur de « ${column} » (${a}) devrait être ${op} celle de « ${c2} » (${b}).` };
      };
    }
    case 'cohesive-columns-value': {
      const others = Array.isArray(p.othercolumns) ? p.othercolumns.filter((x): x is string => typeof x === 'string') : [];
      if (!column) return { unsupported: 'paramètre « column » absent' };
      const all = [column, ...others];
      return (row) => {
        const filled = all.filter((c) => row.get(c) !== null);
        if (filled.length === 0 || filled.length === all.length) return null;
        const empty = all.filter((c) => row.get(c) === null);
        return {
          fieldName: column,
          cell: row.get(column),
          message: `Les colonnes ${all.map((c) => `« ${c} »`).join(', ')} doivent être toutes remplies ou toutes vides ; vide ici : ${empty.map((c) => `« ${c} »`).join(', ')}.`,
        };
      };
    }
    case 'opening-hours-value':
      if (!column) return { unsupported: 'paramètre « column » absent' };
      return (row) => {
        const v = row.get(column);
        if (v === null || isOpeningHours(v)) return null;
        return { fieldName: column, cell: v, message: `« ${v} » n'est pas un horaire d'ouverture au format OpenStreetMap (ex. « Mo-Fr 08:30-12:00 »).` };
      };
    case 'phone-number-value':
      if (!column) return { unsupported: 'paramètre « column » absent' };
      return (row) => {
        const v = row.get(column);
        if (v === null || isFrenchPhone(v)) return null;
        return { fieldName: column, cell: v, message: `« ${v} » n'est pas un numéro de téléphone valide.` };
      };
    case 'year-interval-value': {
      if (!column) return { unsupported: 'paramètre « column » absent' };
      const yearOnly = p['allow-year-only'] === 'yes' || p['allow-year-only'] === true;
      return (row) => {
        const v = row.get(column);
        if (v === null) return null;
        const m = /^(\d{4})\/(\d{4})$/.exec(v.trim());
        if (m && Number(m[1]) < Number(m[2])) return null;
        if (yearOnly && /^\d{4}$/.test(v.trim())) return null;
        return {
          fieldName: column,
          cell: v,
          message: `« ${v} » n'est pas un intervalle d'années « AAAA/AAAA » croissant${yearOnly ? ' ni une année seule' : ''}.`,
        };
      };
    }
    case 'sum-columns-value': {
      const cols = Array.isArray(p.columns) ? p.columns.filter((x): x is string => typeof x === 'string') : [];
      if (!column || cols.length === 0) return { unsupported: 'paramètres « column » et « columns » attendus' };
      return (row) => {
        const total = num(row.get(column));
        if (total === null) return null;
        let sum = 0;
        for (const c of cols) {
          const n = num(row.get(c));
          if (n === null) return null;
          sum += n;
        }
        if (Math.abs(sum - total) < 1e-9) return null;
        return {
          fieldName: column,
          cell: row.get(column),
          message: `« ${column} » (${total}) devrait valoir la somme de ${cols.map((c) => `« ${c} »`).join(' + ')} (${sum}).`,
        };
      };
    }
    case 'nomenclature-actes-value':
      if (!column) return { unsupported: 'paramètre « column » absent' };
      return (row) => {
        const v = row.get(column);
        if (v === null) return null;
        const parts = v.split('/');
        if (parts.length >= 2 && ACTES_MATIERES.includes(norm(parts[0]!))) return null;
        return {
          fieldName: column,
          cell: v,
          message: `« ${v} » ne suit pas la nomenclature des actes (« Matière / Sous-matière », matière parmi : ${ACTES_MATIERES.join(', ')}).`,
        };
      };
    case 'one-of-required': {
      const c1 = str(p.column1);
      const c2 = str(p.column2);
      if (!c1 || !c2) return { unsupported: 'paramètres « column1 » et « column2 » attendus' };
      return (row) => {
        if (row.get(c1) !== null || row.get(c2) !== null) return null;
        return { fieldName: null, cell: null, message: `Au moins une des colonnes « ${c1} » ou « ${c2} » doit être remplie.` };
      };
    }
    default:
      return { unsupported: `contrôle inconnu « ${check.name} »` };
  }
}
