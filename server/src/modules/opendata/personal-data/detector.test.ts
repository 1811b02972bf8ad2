import { describe, expect, it } from 'vitest';
import { emailKind, isIban, isNir, PersonalDataScanner, type PersonalKind } from './detector.ts';

/**
 * Labelled sample, generated here independently of the detector (own name lists, own NIR/IBAN
 * builders, its own negative columns), then the targets: recall ≥ 0.98 NIR/IBAN, ≥ 0.95
 * e-mail/phone, ≥ 0.80 names; column precision ≥ 0.95.
 */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(16);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');

// Independent lists (frequent names plus rarer ones the detector's lists may not hold).
const FIRST = [
  'Marie',
  'Jean',
  'Nathalie',
  'Kévin',
  'Inès',
  'Léa',
  'Mohamed',
  'Sylvie',
  'Jean-Luc',
  'Maëlys',
  'Thibault',
  'Ginette',
  'Enzo',
  'Océane',
  'Rémi',
  'Yasmine',
  'Gaston',
  'Hélène',
  'Loïc',
  'Brigitte',
  'Timéo',
  'Anaïs',
  'Zoé',
  'Bernadette',
  'Kylian',
];
const LAST = [
  'Martin',
  'Dubois',
  'Lefèvre',
  'Nguyen',
  'Le Goff',
  'Moreau',
  'Garnier',
  'Kerjean',
  'Bouvier',
  'Rousseau',
  'Lemaître',
  'Durand',
  'Haddad',
  'Fontaine',
  'Perrot',
  'Marchal',
  'Tessier',
  'Giraud',
  'Lacombe',
  'Vasseur',
];
const STREETS = [
  'rue de la Paix',
  'avenue Jean Jaurès',
  'boulevard Voltaire',
  'place du Marché',
  'chemin des Vignes',
  'allée des Tilleuls',
  'impasse du Moulin',
];
const COMMUNES = ['Lyon', 'Marseille', 'Saint-Étienne', 'Brest', 'Aurillac', 'Quimper', 'Bastia', 'Ajaccio', 'Pau', 'Tours'];

function nir(): string {
  const sex = pick(['1', '2']);
  const yy = digits(2);
  const mm = String(1 + Math.floor(r() * 12)).padStart(2, '0');
  const dep = pick(['75', '13', '69', '2A', '2B', '59', '33', '97']);
  const body = `${sex}${yy}${mm}${dep}${digits(3)}${digits(3)}`;
  const num = BigInt(body.replace('2A', '19').replace('2B', '18'));
  const key = String(97 - Number(num % 97n)).padStart(2, '0');
  return r() < 0.5
    ? `${body}${key}`
    : `${body.slice(0, 1)} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10)} ${key}`;
}
function iban(): string {
  const bban = `${digits(5)}${digits(5)}${digits(11)}${digits(2)}`;
  const rearranged = `${bban}1527` + '00'; // FR = 15 27
  let rem = 0;
  for (const c of rearranged) rem = (rem * 10 + Number(c)) % 97;
  const key = String(98 - rem).padStart(2, '0');
  const s = `FR${key}${bban}`;
  return r() < 0.5 ? s : s.replace(/(.{4})/g, '$1 ').trim();
}
function siret(): string {
  for (;;) {
    const s = digits(14);
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let d = Number(s[13 - i]);
      if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return s;
  }
}
function phone(): string {
  const n = `0${pick(['1', '2', '3', '4', '5', '6', '7', '9'])}${digits(8)}`;
  const f = Math.floor(r() * 4);
  if (f === 0) return n;
  if (f === 1) return n.replace(/(\d{2})(?=\d)/g, '$1 ');
  if (f === 2) return n.replace(/(\d{2})(?=\d)/g, '$1.');
  return `+33 ${n.slice(1, 2)} ${n.slice(2).replace(/(\d{2})(?=\d)/g, '$1 ')}`;
}
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
function personEmail(): string {
  return `${ascii(pick(FIRST))}.${ascii(pick(LAST))}${r() < 0.3 ? digits(2) : ''}@${pick(['gmail.com', 'orange.fr', 'interieur.gouv.fr', 'laposte.net', 'free.fr'])}`;
}
function birth(): string {
  const y = 1930 + Math.floor(r() * 80);
  const m = String(1 + Math.floor(r() * 12)).padStart(2, '0');
  const d = String(1 + Math.floor(r() * 28)).padStart(2, '0');
  return r() < 0.5 ? `${y}-${m}-${d}` : `${d}/${m}/${y}`;
}

interface Col {
  header: string;
  truth: PersonalKind[];
  gen: () => string;
}
const positives: Col[] = [
  { header: 'nir', truth: ['nir'], gen: nir },
  { header: 'num_secu', truth: ['nir'], gen: nir },
  { header: 'c7', truth: ['nir'], gen: nir },
  { header: 'iban', truth: ['iban'], gen: iban },
  { header: 'coordonnees_bancaires', truth: ['iban'], gen: iban },
  { header: 'courriel', truth: ['email'], gen: personEmail },
  { header: 'contact_agent', truth: ['email'], gen: personEmail },
  { header: 'telephone', truth: ['phone'], gen: phone },
  { header: 'joindre', truth: ['phone'], gen: phone },
  { header: 'prenom', truth: ['firstName'], gen: () => pick(FIRST) },
  { header: 'nom_famille', truth: ['lastName'], gen: () => pick(LAST).toUpperCase() },
  { header: 'Nom', truth: ['lastName'], gen: () => pick(LAST) },
  { header: 'titulaire', truth: ['firstName', 'lastName'], gen: () => `${pick(FIRST)} ${pick(LAST)}` },
  { header: 'date_naissance', truth: ['birthDate'], gen: birth },
  { header: 'adresse', truth: ['address'], gen: () => `${1 + Math.floor(r() * 120)} ${pick(STREETS)}` },
];
const negatives: Col[] = [
  { header: 'siret', truth: [], gen: siret },
  { header: 'siren', truth: [], gen: () => siret().slice(0, 9) },
  { header: 'code_commune', truth: [], gen: () => digits(5) },
  { header: 'commune', truth: [], gen: () => pick(COMMUNES) },
  { header: 'nom', truth: [], gen: () => `${pick(['École', 'Mairie de', 'Lycée', 'Auto-école', 'Gendarmerie de'])} ${pick(COMMUNES)}` },
  { header: 'montant', truth: [], gen: () => `${Math.floor(r() * 100000) / 100}` },
  { header: 'date_controle', truth: [], gen: birth },
  {
    header: 'email_service',
    truth: [],
    gen: () =>
      `${pick(['contact', 'accueil', 'pref-secretariat', 'communication', 'ddt-urbanisme'])}@${pick(['interieur.gouv.fr', 'haute-loire.gouv.fr', 'mairie-pau.fr'])}`,
  },
  { header: 'code_postal', truth: [], gen: () => digits(5) },
  { header: 'libelle', truth: [], gen: () => pick(['Contrôle de vitesse', 'Radar fixe', 'Radar tronçon', 'Feu rouge']) },
  { header: 'identifiant', truth: [], gen: () => `IND-${digits(3)}` },
  { header: 'nb_votants', truth: [], gen: () => digits(4) },
];

describe('personal-data detector', () => {
  it('checks keys: NIR (2A/2B), IBAN mod 97, SIRET is not a NIR, service e-mails', () => {
    expect(isNir('1 85 05 2A 123 456 78')).toBe(isNir('185052A12345678'));
    expect(isNir('269054958815780')).toBe(true);
    expect(isNir('269054958815781')).toBe(false);
    expect(isNir('73282932000074')).toBe(false); // SIRET
    expect(isIban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(isIban('FR76 3000 6000 0112 3456 7890 188')).toBe(false);
    expect(emailKind('contact@interieur.gouv.fr')).toBe('generic');
    expect(emailKind('jeanne.martin@interieur.gouv.fr')).toBe('person');
  });

  it('meets the recall and precision targets on a labelled sample', () => {
    const cols = [...positives, ...negatives];
    const rows = 400;
    const scanner = new PersonalDataScanner();
    scanner.begin(cols.map((c) => c.header));
    for (let i = 0; i < rows; i++) cols.forEach((c, j) => scanner.observe(j, c.gen()));
    const verdicts = new Map(scanner.verdicts().map((v) => [v.fieldName, v]));

    // Column precision: flagged columns that truly hold personal data.
    const flagged = cols.filter((c) => verdicts.has(c.header));
    const truePos = flagged.filter((c) => c.truth.length > 0);
    expect(truePos.length / flagged.length).toBeGreaterThanOrEqual(0.95);

    // Recall per kind: share of truly personal cells of that kind found in columns flagged with it.
    const recall = (kind: PersonalKind) => {
      const withKind = positives.filter((c) => c.truth.includes(kind));
      let found = 0;
      for (const c of withKind) {
        const v = verdicts.get(c.header);
        if (v?.kinds.includes(kind)) found += v.share * rows;
      }
      return found / (withKind.length * rows);
    };
    expect(recall('nir')).toBeGreaterThanOrEqual(0.98);
    expect(recall('iban')).toBeGreaterThanOrEqual(0.98);
    expect(recall('email')).toBeGreaterThanOrEqual(0.95);
    expect(recall('phone')).toBeGreaterThanOrEqual(0.95);
    expect(recall('firstName')).toBeGreaterThanOrEqual(0.8);
    expect(recall('lastName')).toBeGreaterThanOrEqual(0.8);
    expect(verdicts.get('date_naissance')?.kinds).toEqual(['birthDate']);
    expect(verdicts.get('adresse')?.kinds).toEqual(['address']);
    for (const n of negatives) expect(verdicts.get(n.header), n.header).toBeUndefined();
  });
});
