/**
 * Personal-data gate: per column, which kinds of personal data its cells hold and in what share.
 * Kinds: NIR (social security number, key checked, Corsica 2A/2B), IBAN (mod 97), e-mail (a person's,
 * not a service address), French phone, first name, last name, birth date, postal address.
 * SIRET/SIREN never count as NIR (length and key differ). Cheap pre-filters keep the scan cost low;
 * at most `maxSamples` non-empty cells per column are looked at.
 */
import type { CellObserver } from '../validation/validate.ts';
import { FIRST_NAMES, LAST_NAMES } from './names.ts';

export const PERSONAL_KINDS = ['nir', 'iban', 'email', 'phone', 'firstName', 'lastName', 'birthDate', 'address'] as const;
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

export interface ColumnVerdict {
  fieldName: string;
  kinds: PersonalKind[];
  /** Share of the sampled non-empty cells matching one of `kinds` (0..1). */
  share: number;
  sampled: number;
}

const FIRST = new Set(FIRST_NAMES);
const LAST = new Set(LAST_NAMES);

export function normalizeName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[-']/g, ' ')
    .trim();
}

/** NIR: sex digit, year, month (01-12, 20-99 for unknown), department (incl. 2A/2B), commune, order, key. */
export function isNir(raw: string): boolean {
  const s = raw.replace(/[\s.-]/g, '').toUpperCase();
  if (s.length !== 15) return false;
  const m = /^([1-478])(\d{2})(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$/.exec(s);
  if (!m) return false;
  const body = s.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const key = Number(s.slice(13));
  const n = BigInt(body);
  return key === 97 - Number(n % 97n);
}

export function isIban(raw: string): boolean {
  const s = raw.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const c of moved) {
    const code = c.charCodeAt(0);
    const v = code >= 65 ? String(code - 55) : c;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

const EMAIL = /^[^@\s<>,;]+@[^@\s<>,;]+\.[a-z]{2,}$/i;
const GENERIC_LOCAL =
  /^(contact|info|infos|information|accueil|secretariat|communication|mairie|dpo|rgpd|cnil|support|assistance|ne-?pas-?repondre|no-?reply|noreply|webmaster|presse|press|courrier|direction|standard|admin|administration|bureau|cabinet|service|services|sg|drh|rh|recrutement|compta|comptabilite|facturation|juridique|commande|marches|marchespublics|bal|pref|ddt|dreal|ars|ddpp|dgfip|sip|sie|cdg|tresorerie|hello|bonjour|office|team|equipe|mail|email|postmaster|abuse|newsletter|relation|usagers|public|citoyens)([._-].*)?$/i;

/** Is `raw` an e-mail address of a person (and not of a service)? */
export function emailKind(raw: string): 'person' | 'generic' | null {
  const s = raw.trim();
  if (!EMAIL.test(s)) return null;
  const local = s.slice(0, s.indexOf('@'));
  if (GENERIC_LOCAL.test(local)) return 'generic';
  return 'person';
}

export function isFrenchPhoneNumber(raw: string): boolean {
  const t = raw.replace(/[\s.\-()/]/g, '');
  return /^0[1-9]\d{8}$/.test(t) || /^(\+|00)33\(?0?\)?[1-9]\d{8}$/.test(t) || /^(\+|00)(262|269|590|594|596|508|681|687|689)\d{6,9}$/.test(t);
}

const DATE_RE = /^(?:(\d{4})-(\d{2})-(\d{2})|(\d{2})\/(\d{2})\/(\d{4}))(?:[T ].*)?$/;
function isDate(raw: string): boolean {
  const m = DATE_RE.exec(raw.trim());
  if (!m) return false;
  const y = Number(m[1] ?? m[6]);
  return y >= 1890 && y <= 2030;
}

const STREET =
  /^\s*\d{1,4}\s?(?:bis|ter|quater|[a-d])?\s*,?\s+(?:rue|r\.|avenue|av\.?|boulevard|bd|place|pl\.|chemin|ch\.|all[ée]e|impasse|imp\.|route|rte|quai|cours|square|sq\.|voie|rond-point|faubourg|fg|passage|sentier|hameau|r[ée]sidence|lotissement|cit[ée]|esplanade|parvis|promenade|mont[ée]e|traverse|villa|lieu-dit|zone|za|zi)\b/i;

function isAddress(raw: string): boolean {
  return STREET.test(raw);
}

/** Words that make a value the name of a place or a body, not of a person. */
const INSTITUTION =
  /\b(ecole|école|college|collège|lycee|lycée|universite|université|mairie|commune|ville|rue|avenue|place|centre|center|association|hopital|hôpital|clinique|gare|parc|stade|musee|musée|eglise|église|saint|sainte|st|ste|cite|cité|residence|résidence|groupe|societe|société|sarl|sas|sa|eurl|gip|syndicat|departement|département|region|région|prefecture|préfecture|service|direction|agence|caserne|gendarmerie|commissariat|bibliotheque|bibliothèque|mediatheque|médiathèque|piscine|gymnase|salle|maison|foyer|ehpad|creche|crèche|pharmacie|auto[- ]?ecole|auto[- ]?école)\b/i;

const NAME_SHAPE = /^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ' -]{0,40}$/;

type HeaderCue = 'firstName' | 'lastName' | 'fullName' | 'weakName' | 'birthDate' | 'nir' | 'iban' | 'email' | 'phone' | 'address' | null;

function headerKey(h: string): string {
  return normalizeName(h)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

export function headerCue(h: string): HeaderCue {
  const k = headerKey(h);
  if (/^(prenoms?|prenom_usuel|first_?name|given_?name|prenom_\w*|\w*_prenoms?)$/.test(k)) return 'firstName';
  if (/^(nom_prenom|prenom_nom|nom_et_prenom|nom_complet|full_?name|identite|nom_prenoms?)$/.test(k)) return 'fullName';
  if (
    /^(nom_(de_)?famille|nom_naissance|nom_de_naissance|nom_usage|nom_d_usage|nom_marital|patronyme|last_?name|surname|family_?name|nom_(du_)?(titulaire|beneficiaire|agent|demandeur|contribuable|patient|eleve|redacteur|declarant|representant|responsable|signataire|elu|candidat|deces|defunt))$/.test(
      k,
    )
  )
    return 'lastName';
  if (/^(nom|name|noms)$/.test(k)) return 'weakName';
  if (/(naissance|birth|^ddn$|^dob$|date_nais|datenais|^ne_le$|^nee?_le$)/.test(k)) return 'birthDate';
  if (/^(nir|nss|numero_(de_)?securite_sociale|num_secu|secu|insee_personne|n_ss)$/.test(k)) return 'nir';
  if (/(^|_)(iban|rib)($|_)/.test(k)) return 'iban';
  if (/(^|_)(e_?mail|courriel|mel|adresse_electronique)($|_)/.test(k)) return 'email';
  if (/(^|_)(tel|telephone|phone|portable|mobile|gsm|fax)($|_)/.test(k)) return 'phone';
  if (/^(adresse|address|adresse_postale|adresse_domicile|domicile|adresse_\w+)$/.test(k)) return 'address';
  return null;
}

interface ColumnState {
  cue: HeaderCue;
  sampled: number;
  nir: number;
  iban: number;
  email: number;
  phone: number;
  first: number;
  last: number;
  nameShape: number;
  birth: number;
  date: number;
  address: number;
}

export interface ScannerOptions {
  maxSamples?: number;
  /** Share of sampled cells from which a kind is reported. */
  threshold?: number;
}

export class PersonalDataScanner implements CellObserver {
  private header: string[] = [];
  private cols: ColumnState[] = [];
  private readonly maxSamples: number;
  private readonly threshold: number;

  constructor(opts: ScannerOptions = {}) {
    this.maxSamples = opts.maxSamples ?? 20_000;
    this.threshold = opts.threshold ?? 0.5;
  }

  begin(header: string[]): void {
    this.header = header;
    this.cols = header.map((h) => ({
      cue: headerCue(h),
      sampled: 0,
      nir: 0,
      iban: 0,
      email: 0,
      phone: 0,
      first: 0,
      last: 0,
      nameShape: 0,
      birth: 0,
      date: 0,
      address: 0,
    }));
  }

  observe(column: number, value: string): void {
    const c = this.cols[column];
    if (!c || c.sampled >= this.maxSamples) return;
    c.sampled++;
    const len = value.length;
    if (len > 200) return;
    const ch = value.charCodeAt(0);
    const startsDigitOrPlus = (ch >= 48 && ch <= 57) || ch === 43 || ch === 40;
    if (startsDigitOrPlus) {
      if (len >= 15 && len <= 21 && isNir(value)) {
        c.nir++;
        return;
      }
      if (len >= 10 && len <= 20 && isFrenchPhoneNumber(value)) {
        c.phone++;
        return;
      }
      if (len >= 8 && len <= 25 && isDate(value)) {
        c.date++;
        return;
      }
      if (len > 8 && isAddress(value)) c.address++;
      return;
    }
    if (value.indexOf('@') >= 0) {
      if (emailKind(value) === 'person') c.email++;
      return;
    }
    if (len >= 15 && ch >= 65 && ch <= 90 && value.charCodeAt(1) >= 65 && isIban(value)) {
      c.iban++;
      return;
    }
    if (len <= 42 && NAME_SHAPE.test(value) && !INSTITUTION.test(value)) {
      c.nameShape++;
      const n = normalizeName(value);
      const parts = n.split(/\s+/);
      if (parts.length === 1) {
        if (FIRST.has(n)) c.first++;
        if (LAST.has(n)) c.last++;
      } else if (parts.length <= 4) {
        // "Marie Dupont", "DUPONT Marie", "Jean-Pierre Le Gall"
        const anyFirst = parts.some((p) => FIRST.has(p));
        const anyLast = parts.some((p) => LAST.has(p));
        if (anyFirst && (anyLast || parts.length <= 3)) {
          c.first++;
          c.last++;
        } else if (FIRST.has(n.replace(/ /g, '-')) || FIRST.has(parts.join(' '))) c.first++;
      }
    }
  }

  verdicts(): ColumnVerdict[] {
    return this.cols.map((c, i) => this.verdict(c, this.header[i] ?? `colonne ${i + 1}`)).filter((v): v is ColumnVerdict => v !== null);
  }

  private verdict(c: ColumnState, fieldName: string): ColumnVerdict | null {
    if (c.sampled === 0) return null;
    const n = c.sampled;
    const t = this.threshold;
    const cueT = 0.2;
    const kinds: [PersonalKind, number][] = [];
    const add = (k: PersonalKind, count: number, thr: number) => {
      if (count / n >= thr) kinds.push([k, count]);
    };
    add('nir', c.nir, c.cue === 'nir' ? cueT : t);
    add('iban', c.iban, c.cue === 'iban' ? cueT : t);
    add('email', c.email, c.cue === 'email' ? cueT : t);
    add('phone', c.phone, c.cue === 'phone' ? cueT : t);
    add('address', c.address, c.cue === 'address' ? cueT : t);
    if (c.cue === 'birthDate') add('birthDate', c.date, cueT);
    // Names: a clear header with name-shaped values, or values found in the lists.
    if (c.cue === 'firstName') add('firstName', c.nameShape, t);
    else if (c.cue === 'lastName') add('lastName', c.nameShape, t);
    else if (c.cue === 'fullName') {
      add('firstName', c.nameShape, t);
      add('lastName', c.nameShape, t);
    } else if (c.cue === 'weakName') {
      // "nom" is also the name of a place or a body: require names from the lists.
      if (c.last / n >= 0.3 || c.first / n >= 0.3) {
        if (c.first / n >= 0.3) kinds.push(['firstName', c.first]);
        if (c.last / n >= 0.3 || c.first / n < 0.3) kinds.push(['lastName', Math.max(c.last, c.first)]);
      }
    } else {
      add('firstName', c.first, t);
      if (c.first / n < t) add('lastName', c.last, t);
      else if (c.last / n >= t) kinds.push(['lastName', c.last]);
    }
    if (kinds.length === 0) return null;
    const share = Math.min(1, Math.max(...kinds.map(([, k]) => k)) / n);
    return { fieldName, kinds: kinds.map(([k]) => k), share: Math.round(share * 1000) / 1000, sampled: n };
  }
}
