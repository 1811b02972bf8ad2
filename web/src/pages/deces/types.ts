/** Shapes of the deaths API (matchID contract) as the pages use them. */
export interface Location {
  city: string;
  code: string;
  departmentCode: string;
  country: string;
  countryCode: string;
}
export interface Person {
  score: number;
  scores: Record<string, number>;
  reasons: string[];
  id: string;
  name: { first: string[]; last: string };
  sex: string;
  birth: { date: string; location: Location };
  death: { date: string; certificateId: string; age: number | null; location: Location };
  source: string;
  flags: string[];
  modifications?: { id: string; date: string | null; fields: Record<string, string> }[];
}
export interface SearchResponse {
  request: Record<string, unknown>;
  response: { total: number; size: number; page: number; delay: number; persons: Person[] };
}

export const API = '/deces/api/v1';

/** AAAAMMJJ → JJ/MM/AAAA, unknown parts shown as « ?? ». */
export function fmtDate(d: string): string {
  if (!d || !/^\d{8}$/.test(d)) return d || '—';
  const y = d.slice(0, 4);
  const m = d.slice(4, 6);
  const j = d.slice(6, 8);
  return `${j === '00' ? '??' : j}/${m === '00' ? '??' : m}/${y === '0000' ? '????' : y}`;
}

export function fmtPlace(l: Location): string {
  if (!l.code) return '—';
  if (l.code.startsWith('99')) return [l.city, l.country].filter(Boolean).join(', ');
  return `${l.city || l.code}${l.departmentCode ? ` (${l.departmentCode})` : ''}`;
}

export const pct = (x: number) => `${Math.round(x * 100)} %`;

export const sexLabel = (s: string) => (s === 'M' ? 'Homme' : s === 'F' ? 'Femme' : 'Inconnu');

export const flagLabels: Record<string, string> = {
  'name-truncated': 'Nom tronqué dans le fichier',
  'name-malformed': 'Nom mal formé dans le fichier',
  'birth-date-partial': 'Date de naissance partielle',
  'birth-date-invalid': 'Date de naissance impossible (conservée telle quelle)',
  'death-date-partial': 'Date de décès partielle',
  'death-date-invalid': 'Date de décès impossible',
  'birth-commune-fictive': 'Commune de naissance fictive',
  'birth-code-unknown': 'Code de commune de naissance inconnu',
  'birth-code-former': 'Ancien code de commune de naissance (fusion)',
  'death-code-unknown': 'Code de commune de décès inconnu',
  'death-code-former': 'Ancien code de commune de décès (fusion)',
  'sex-unknown': 'Sexe non renseigné',
};
