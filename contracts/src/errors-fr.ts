/**
 * One French error map for every schema of the contracts, on the server (problem+json `errors[]`) and in
 * the web app (messages next to the fields): what zod says by default, in plain French. A message
 * written in a schema (`z.string().min(2, 'nom trop court')`) still wins over these.
 */
import { z } from 'zod';

const TYPES: Record<string, string> = {
  string: 'un texte',
  number: 'un nombre',
  int: 'un nombre entier',
  bigint: 'un nombre entier',
  boolean: 'oui ou non (booléen)',
  date: 'une date',
  array: 'une liste',
  object: 'un objet',
  null: 'aucune valeur (null)',
  undefined: 'aucune valeur',
  nan: 'un nombre',
};

const FORMATS: Record<string, string> = {
  email: 'adresse électronique invalide',
  url: 'adresse web (URL) invalide',
  uuid: 'identifiant invalide (UUID attendu)',
  guid: 'identifiant invalide (UUID attendu)',
  date: 'date invalide (AAAA-MM-JJ attendu)',
  datetime: 'date et heure invalides (ISO 8601 attendu, par exemple 2026-12-01T10:00:00Z)',
  time: 'heure invalide (HH:MM attendu)',
  duration: 'durée invalide (ISO 8601 attendu, par exemple P1D)',
  ipv4: 'adresse IPv4 invalide',
  ipv6: 'adresse IPv6 invalide',
  base64: 'texte base64 invalide',
  base64url: 'texte base64url invalide',
  json_string: 'JSON invalide',
  regex: 'format invalide',
  starts_with: 'début invalide',
  ends_with: 'fin invalide',
  includes: 'contenu invalide',
};

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) > 1 ? many : one}`;

function typeOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'nan';
  return typeof input;
}

const quoteList = (values: readonly unknown[]) =>
  values
    .slice(0, 12)
    .map((v) => `« ${String(v)} »`)
    .join(', ') + (values.length > 12 ? '…' : '');

export const frenchErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'obligatoire';
      return `${TYPES[issue.expected] ?? issue.expected} attendu, ${TYPES[typeOf(issue.input)] ?? typeOf(issue.input)} reçu`;
    case 'too_small': {
      const n = issue.minimum;
      if (issue.origin === 'string') return Number(n) <= 1 ? 'obligatoire' : `au moins ${plural(n, 'caractère', 'caractères')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return Number(n) <= 1 ? 'au moins un élément' : `au moins ${plural(n, 'élément', 'éléments')}`;
      if (issue.origin === 'date') return `date au plus tôt le ${new Date(Number(n)).toISOString().slice(0, 10)}`;
      return issue.inclusive ? `doit être supérieur ou égal à ${n}` : `doit être supérieur à ${n}`;
    }
    case 'too_big': {
      const n = issue.maximum;
      if (issue.origin === 'string') return `au plus ${plural(n, 'caractère', 'caractères')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `au plus ${plural(n, 'élément', 'éléments')}`;
      if (issue.origin === 'file') return `fichier trop gros (au plus ${n} octets)`;
      if (issue.origin === 'date') return `date au plus tard le ${new Date(Number(n)).toISOString().slice(0, 10)}`;
      return issue.inclusive ? `doit être inférieur ou égal à ${n}` : `doit être inférieur à ${n}`;
    }
    case 'invalid_format':
      return FORMATS[issue.format] ?? 'format invalide';
    case 'not_multiple_of':
      return `doit être un multiple de ${issue.divisor}`;
    case 'unrecognized_keys':
      return issue.keys.length > 1 ? `champs inconnus : ${quoteList(issue.keys)}` : `champ inconnu : « ${issue.keys[0]} »`;
    case 'invalid_value':
      return issue.values.length === 1 ? `la valeur « ${String(issue.values[0])} » est attendue` : `valeur invalide : ${quoteList(issue.values)} attendu`;
    case 'invalid_union':
      return 'valeur invalide';
    case 'invalid_key':
      return 'clé invalide';
    case 'invalid_element':
      return 'élément invalide';
    default:
      return 'valeur invalide';
  }
};

z.config({ localeError: frenchErrors });
