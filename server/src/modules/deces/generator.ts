import { cog, COUNTRIES, type CogCommune } from './cog.ts';
import { FIELD_WIDTHS } from './insee.ts';
import { normalize } from './text.ts';

/**
 * Synthetic INSEE deaths file: invented people with realistic distributions (frequent and rare last
 * names, first names by sex and generation, births weighted by commune population, a share born
 * abroad, ages at death around 80) and the real file's defects (partial and impossible dates,
 * `COMMUNE FICTIVE` codes, former and arrondissement codes, truncated names, duplicated lines).
 * Deterministic for a seed. Never contains real personal data.
 */

/** Seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export type Rng = () => number;
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// Frequent French last names (rank order: drawn with a Zipf-like law), then a long tail built from syllables.
export const LAST_NAMES = [
  'MARTIN',
  'BERNARD',
  'THOMAS',
  'PETIT',
  'ROBERT',
  'RICHARD',
  'DURAND',
  'DUBOIS',
  'MOREAU',
  'LAURENT',
  'SIMON',
  'MICHEL',
  'LEFEBVRE',
  'LEROY',
  'ROUX',
  'DAVID',
  'BERTRAND',
  'MOREL',
  'FOURNIER',
  'GIRARD',
  'BONNET',
  'DUPONT',
  'LAMBERT',
  'FONTAINE',
  'ROUSSEAU',
  'VINCENT',
  'MULLER',
  'LEFEVRE',
  'FAURE',
  'ANDRE',
  'MERCIER',
  'BLANC',
  'GUERIN',
  'BOYER',
  'GARNIER',
  'CHEVALIER',
  'FRANCOIS',
  'LEGRAND',
  'GAUTHIER',
  'GARCIA',
  'PERRIN',
  'ROBIN',
  'CLEMENT',
  'MORIN',
  'NICOLAS',
  'HENRY',
  'ROUSSEL',
  'MATHIEU',
  'GAUTIER',
  'MASSON',
  'MARCHAND',
  'DUVAL',
  'DENIS',
  'DUMONT',
  'MARIE',
  'LEMAIRE',
  'NOEL',
  'MEYER',
  'DUFOUR',
  'MEUNIER',
  'BRUN',
  'BLANCHARD',
  'GIRAUD',
  'JOLY',
  'RIVIERE',
  'LUCAS',
  'BRUNET',
  'GAILLARD',
  'BARBIER',
  'ARNAUD',
  'MARTINEZ',
  'GERARD',
  'ROCHE',
  'RENARD',
  'SCHMITT',
  'ROY',
  'LEROUX',
  'COLIN',
  'VIDAL',
  'CARON',
  'PICARD',
  'ROGER',
  'FABRE',
  'AUBERT',
  'LEMOINE',
  'RENAUD',
  'DUMAS',
  'LACROIX',
  'OLIVIER',
  'PHILIPPE',
  'BOURGEOIS',
  'PIERRE',
  'BENOIT',
  'REY',
  'LECLERC',
  'PAYET',
  'ROLLAND',
  'LECLERCQ',
  'GUILLAUME',
  'LECOMTE',
  'LOPEZ',
  'JEAN',
  'DUPUY',
  'GUILLOT',
  'HUBERT',
  'BERGER',
  'CARPENTIER',
  'SANCHEZ',
  'DUPUIS',
  'MOULIN',
  'LOUIS',
  'DESCHAMPS',
  'HUET',
  'VASSEUR',
  'PEREZ',
  'BOUCHER',
  'FLEURY',
  'ROYER',
  'KLEIN',
  'JACQUET',
  'ADAM',
  'PARIS',
  'POIRIER',
  'MARTY',
  'AUBRY',
  'GUYOT',
  'CARRE',
  'CHARLES',
  'RENAULT',
  'CHARPENTIER',
  'MENARD',
  'MAILLARD',
  'BARON',
  'BERTIN',
  'BAILLY',
  'HERVE',
  'SCHNEIDER',
  'FERNANDEZ',
  'LE GALL',
  'COLLET',
  'LEGER',
  'BOUVIER',
  'JULIEN',
  'PREVOST',
  'MILLET',
  'PERROT',
  'DANIEL',
  'LE ROUX',
  'COUSIN',
  'GERMAIN',
  'BRETON',
  'BESSON',
  'LANGLOIS',
  'REMY',
  'LE GOFF',
  'PELLETIER',
  'LEVEQUE',
  'PERRIER',
  'LEBLANC',
  'BARRE',
  'LEBRUN',
  'MARCHAL',
  'WEBER',
  'MALLET',
  'HAMON',
  'BOULANGER',
  'JACOB',
  'MONNIER',
  'MICHAUD',
  'RODRIGUEZ',
  'GUICHARD',
  'GILLET',
  'ETIENNE',
  'GRONDIN',
  'POULAIN',
  'TESSIER',
  'CHEVALLIER',
  'COLLIN',
  'CHAUVIN',
  'DA SILVA',
  'BOUCHET',
  'GAY',
  'LEMAITRE',
  'BENARD',
  'MARECHAL',
  'HUMBERT',
  'REYNAUD',
  'ANTOINE',
  'HOARAU',
  'PERRET',
  'BARTHELEMY',
  'CORDIER',
  'PICHON',
  'LEJEUNE',
  'GILBERT',
  'LAMY',
  'DELAUNAY',
  'PASQUIER',
  'CARLIER',
  'LAPORTE',
  'DE LA FONTAINE',
  'D ARTAGNAN',
  'DE SAINT-EXUPERY',
  'N DIAYE',
  'BEN AHMED',
  'NGUYEN',
  'TRAN',
];
const SYL_A = [
  'BER',
  'CHA',
  'DU',
  'GAR',
  'LA',
  'MAR',
  'PO',
  'RI',
  'SAU',
  'TOU',
  'VAL',
  'BRI',
  'COU',
  'FER',
  'GUI',
  'JOU',
  'LEV',
  'MOU',
  'PEL',
  'ROU',
  'THI',
  'VER',
  'BOI',
  'CLA',
  'DES',
  'FON',
  'GRA',
  'LOR',
  'MEN',
  'PRU',
];
const SYL_B = [
  'NARD',
  'TEAU',
  'VAL',
  'MONT',
  'CHET',
  'LIER',
  'GEON',
  'RAND',
  'BAUD',
  'DIN',
  'QUET',
  'LOT',
  'SSIN',
  'VEAU',
  'RIN',
  'THOUD',
  'GNON',
  'TIER',
  'ZIN',
  'CHARD',
  'LET',
  'NIER',
  'MAS',
  'RAUD',
  'TAL',
];
const SYL_C = ['', '', '', 'IN', 'ET', 'AUD', 'EAU', 'IER', 'OT', 'AT'];

const MALE = [
  'JEAN',
  'PIERRE',
  'MICHEL',
  'ANDRE',
  'PHILIPPE',
  'RENE',
  'LOUIS',
  'ALAIN',
  'JACQUES',
  'BERNARD',
  'MARCEL',
  'DANIEL',
  'ROGER',
  'ROBERT',
  'PAUL',
  'CLAUDE',
  'CHRISTIAN',
  'HENRI',
  'GEORGES',
  'NICOLAS',
  'FRANCOIS',
  'PATRICK',
  'GERARD',
  'CHRISTOPHE',
  'JOSEPH',
  'RAYMOND',
  'GUY',
  'MAURICE',
  'LUCIEN',
  'FERNAND',
  'GILBERT',
  'ROLAND',
  'EMILE',
  'MAURICE',
  'SERGE',
  'YVES',
  'ALBERT',
  'JEAN-PIERRE',
  'JEAN-CLAUDE',
  'JEAN-LOUIS',
  'JEAN-MARIE',
  'ANTOINE',
  'EUGENE',
  'LEON',
  'RAPHAEL',
  'GABRIEL',
  'THIERRY',
  'ERIC',
  'PASCAL',
  'DIDIER',
  'FREDERIC',
  'LAURENT',
  'OLIVIER',
  'MOHAMED',
  'AHMED',
];
const FEMALE = [
  'MARIE',
  'JEANNE',
  'FRANCOISE',
  'MONIQUE',
  'CATHERINE',
  'NATHALIE',
  'ISABELLE',
  'JACQUELINE',
  'SYLVIE',
  'ANNE',
  'MARTINE',
  'NICOLE',
  'SUZANNE',
  'MADELEINE',
  'DENISE',
  'HELENE',
  'CHRISTIANE',
  'SIMONE',
  'ODETTE',
  'YVONNE',
  'GERMAINE',
  'PAULETTE',
  'LOUISE',
  'COLETTE',
  'LILIANE',
  'RAYMONDE',
  'GISELE',
  'RENEE',
  'ANDREE',
  'GINETTE',
  'MARGUERITE',
  'LUCIENNE',
  'JOSETTE',
  'MICHELE',
  'DANIELLE',
  'BERNADETTE',
  'ANNIE',
  'CHANTAL',
  'ODILE',
  'MARIE-THERESE',
  'MARIE-CLAIRE',
  'ANNE-MARIE',
  'MARIE-LOUISE',
  'THERESE',
  'LUCIE',
  'ALICE',
  'ROSE',
  'BERTHE',
  'FATIMA',
  'CLAUDINE',
  'EVELYNE',
];
const FOREIGN_BIRTH: [string, number][] = [
  ['99352', 30],
  ['99350', 15],
  ['99127', 12],
  ['99134', 10],
  ['99139', 10],
  ['99351', 6],
  ['99122', 5],
  ['99131', 4],
  ['99109', 3],
  ['99140', 2],
  ['99243', 2],
  ['99341', 1],
];
const COUNTRY_IN_CLEAR: Record<string, string> = {
  '99352': 'ALGERIE',
  '99350': 'MAROC',
  '99127': 'ITALIE',
  '99134': 'ESPAGNE',
  '99139': 'PORTUGAL',
  '99351': 'TUNISIE',
  '99122': 'POLOGNE',
  '99131': 'BELGIQUE',
  '99109': 'ALLEMAGNE',
  '99140': 'SUISSE',
  '99243': 'VIET NAM',
  '99341': 'SENEGAL',
};

export interface SyntheticPerson {
  lastName: string;
  firstNames: string[];
  sex: 'M' | 'F';
  birthDate: string;
  birthCode: string;
  birthCity: string;
  birthCountry: string;
  deathDate: string;
  deathCode: string;
  certificateId: string;
}

interface Weighted<T> {
  items: T[];
  cumulative: Float64Array;
}
function weighted<T>(items: T[], weight: (t: T) => number): Weighted<T> {
  const cumulative = new Float64Array(items.length);
  let s = 0;
  items.forEach((x, i) => {
    s += weight(x);
    cumulative[i] = s;
  });
  return { items, cumulative };
}
function draw<T>(r: Rng, w: Weighted<T>): T {
  const x = r() * w.cumulative[w.cumulative.length - 1]!;
  let lo = 0;
  let hi = w.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w.cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return w.items[lo]!;
}

let places: { communes: Weighted<CogCommune>; arrondissements: Map<string, CogCommune[]>; formers: CogCommune[] } | null = null;
function placeTables() {
  if (places) return places;
  const c = cog();
  const current = c.currentCommunes();
  const arrondissements = new Map<string, CogCommune[]>();
  for (const code of ['75056', '69123', '13055']) arrondissements.set(code, []);
  for (let i = 1; i <= 20; i++) {
    const a = c.commune(`751${String(i).padStart(2, '0')}`);
    if (a) arrondissements.get('75056')!.push(a);
  }
  for (let i = 1; i <= 9; i++) {
    const a = c.commune(`6938${i}`);
    if (a) arrondissements.get('69123')!.push(a);
  }
  for (let i = 1; i <= 16; i++) {
    const a = c.commune(`132${String(i).padStart(2, '0')}`);
    if (a) arrondissements.get('13055')!.push(a);
  }
  // Former codes: delegated communes of merged communes and Corsica's `20xxx` codes.
  const allFormer = ['01015', '01120', '20004', '01119', '50041'].map((k) => c.commune(k)).filter((x): x is CogCommune => !!x && x.code !== x.currentCode);
  places = { communes: weighted(current, (x) => Math.max(50, x.population)), arrondissements, formers: allFormer };
  return places;
}

function lastName(r: Rng): string {
  if (r() < 0.45) {
    // Zipf-like rank law over the frequent names.
    const rank = Math.floor(LAST_NAMES.length * Math.pow(r(), 1.4));
    return LAST_NAMES[rank]!;
  }
  return pick(r, SYL_A) + pick(r, SYL_B) + pick(r, SYL_C);
}

function pad2(n: number) {
  return String(n).padStart(2, '0');
}

/** Draws one invented person (before the file's defects are applied). */
export function syntheticPerson(r: Rng): SyntheticPerson {
  const t = placeTables();
  const sex: 'M' | 'F' = r() < 0.5 ? 'M' : 'F';
  const pool = sex === 'M' ? MALE : FEMALE;
  const n = r() < 0.35 ? 1 : r() < 0.75 ? 2 : 3;
  const firstNames: string[] = [];
  while (firstNames.length < n) {
    const f = pick(r, pool);
    if (!firstNames.includes(f)) firstNames.push(f);
  }
  const deathYear = 1970 + Math.floor(Math.pow(r(), 0.8) * 55);
  const deathMonth = 1 + Math.floor(r() * 12);
  const deathDay = 1 + Math.floor(r() * 28);
  let age: number;
  if (r() < 0.01) age = 0;
  else {
    // Roughly normal around 79 (sum of uniforms), bounded to 1..108.
    age = Math.round(79 + (r() + r() + r() + r() - 2) * 22);
    age = Math.max(1, Math.min(108, age));
  }
  const by = deathYear - age;
  const bm = 1 + Math.floor(r() * 12);
  const bd = 1 + Math.floor(r() * 28);
  let birthDate = `${by}${pad2(bm)}${pad2(bd)}`;
  if (`${pad2(bm)}${pad2(bd)}` > `${pad2(deathMonth)}${pad2(deathDay)}` && age > 0) birthDate = `${by - 1}${pad2(bm)}${pad2(bd)}`;
  let birthCode: string;
  let birthCity: string;
  let birthCountry = '';
  if (r() < 0.09) {
    birthCode = draw(
      r,
      weighted(FOREIGN_BIRTH, ([, w]) => w),
    )[0];
    birthCountry = COUNTRY_IN_CLEAR[birthCode] ?? COUNTRIES[birthCode]!.name.toUpperCase();
    birthCity = pick(r, [
      'ALGER',
      'ORAN',
      'CASABLANCA',
      'NAPLES',
      'MADRID',
      'PORTO',
      'TUNIS',
      'VARSOVIE',
      'BRUXELLES',
      'BERLIN',
      'GENEVE',
      'HANOI',
      'DAKAR',
      'CONSTANTINE',
      'RABAT',
      'TURIN',
    ]);
  } else {
    let c = draw(r, t.communes);
    const arr = t.arrondissements.get(c.code);
    if (arr?.length) c = pick(r, arr);
    birthCode = c.code;
    birthCity = normalize(c.name).replace(/ (\d+)E ARRONDISSEMENT$/, ' $1E  ARRONDISSEMENT');
  }
  let deathCode: string;
  if (r() < 0.006) deathCode = pick(r, ['99127', '99134', '99139', '99352', '99350', '99140']);
  else {
    let c = draw(r, t.communes);
    const arr = t.arrondissements.get(c.code);
    if (arr?.length) c = pick(r, arr);
    deathCode = c.code;
  }
  const certificateId =
    r() < 0.03 ? 'N' : r() < 0.1 ? `${1 + Math.floor(r() * 900)}/${pad2(deathYear % 100)}` : String(1 + Math.floor(r() * (r() < 0.5 ? 50 : 3000)));
  return {
    lastName: lastName(r),
    firstNames,
    sex,
    birthDate,
    birthCode,
    birthCity,
    birthCountry,
    deathDate: `${deathYear}${pad2(deathMonth)}${pad2(deathDay)}`,
    deathCode,
    certificateId,
  };
}

/** Applies the real file's defects (in place), with the file's rough frequencies. */
export function applyFileDefects(p: SyntheticPerson, r: Rng): SyntheticPerson {
  const x = r();
  if (x < 0.015) p.birthDate = p.birthDate.slice(0, 6) + '00';
  else if (x < 0.02) p.birthDate = p.birthDate.slice(0, 4) + '0000';
  else if (x < 0.021) p.birthDate = p.birthDate.slice(0, 4) + '0230';
  if (r() < 0.004 && !p.birthCode.startsWith('99')) {
    p.birthCode = p.birthCode.slice(0, 2) + '990';
    p.birthCity = 'COMMUNE FICTIVE';
  } else if (r() < 0.01 && !p.birthCode.startsWith('99')) {
    const former = pick(r, placeTables().formers);
    if (former) {
      p.birthCode = former.code;
      p.birthCity = normalize(former.name);
    }
  }
  if (r() < 0.0005) p.lastName = `${p.lastName} ${'DE LA ROCHEFOUCAULD DE MONTMORENCY LAVAL'}`;
  return p;
}

/** Renders a person as one fixed-width line (176 characters, no line feed). */
export function toLine(p: SyntheticPerson): string {
  const name = `${p.lastName}*${p.firstNames.join(' ')}/`;
  const fields = [name, p.sex === 'M' ? '1' : '2', p.birthDate, p.birthCode, p.birthCity, p.birthCountry, p.deathDate, p.deathCode, p.certificateId];
  return fields.map((f, i) => f.padEnd(FIELD_WIDTHS[i]!, ' ').slice(0, FIELD_WIDTHS[i]!)).join('');
}

/** Yields `count` lines (plus ~0.2 % duplicated lines, as across INSEE's files) for a seed. */
export function* generateLines(count: number, seed: number): Generator<string> {
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const line = toLine(applyFileDefects(syntheticPerson(r), r));
    yield line;
    if (r() < 0.002 && i + 1 < count) {
      yield line;
      i++;
    }
  }
}
