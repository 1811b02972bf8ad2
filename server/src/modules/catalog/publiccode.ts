/**
 * publiccode.yml export and import of repository assets (mapping: docs/modules/catalog.md,
 * « publiccode.yml »). The imported file is kept verbatim in `spec.publiccode`; the export starts
 * from it and writes over it only what the catalogue owns (name, url, licence, statuses,
 * maintenance and contacts, description), so nothing is lost on the way. An export that would not
 * pass the parser's rules (publiccode.validate.ts) is refused with what is missing, in French.
 */
import { developmentStatuses, maintenanceTypes, softwareTypes } from '@patrimoine/contracts/catalog';
import { z } from 'zod';
import { stringify as stringifyYaml } from 'yaml';
import { ConflictError, ValidationError, fieldError } from '../../platform/errors.ts';
import { readPubliccodeYaml, validatePubliccodeObject, type PubliccodeIssue } from './publiccode.validate.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** What an export reads of an asset. */
export interface PubliccodeSource {
  title: string;
  description: string;
  tags: string[];
  contacts: { role?: string; name?: string; email?: string }[];
  ownerName?: string | null;
  spec: Record<string, unknown>;
}

/** The language of the description the catalogue edits: fr, else en, else the first one of the file, else fr. */
export function descriptionLanguage(pc: Obj | undefined): string {
  const d = isObj(pc?.description) ? pc.description : {};
  const langs = Object.keys(d);
  return langs.includes('fr') ? 'fr' : langs.includes('en') ? 'en' : (langs[0] ?? 'fr');
}

/** A short description of 150 characters at most, cut at a word. */
function shortOf(text: string): string {
  const first = text
    .trim()
    .split(/\n\s*\n/)[0]!
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...first];
  if (chars.length <= 150) return first;
  const cut = chars.slice(0, 149).join('');
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 100)).trimEnd()}…`;
}

/** The publiccode.yml object of an asset (before validation). */
export function buildPubliccode(a: PubliccodeSource): Obj {
  const s = a.spec as {
    url?: string;
    licence?: string;
    developmentStatus?: string;
    softwareType?: string;
    maintenance?: string;
    platforms?: string[];
    publiccode?: Obj;
  };
  const base: Obj = isObj(s.publiccode) ? clone(s.publiccode) : {};
  const doc: Obj = { publiccodeYmlVersion: '0.4', ...base };
  doc.name = a.title;
  if (s.url) doc.url = s.url;
  if (s.platforms?.length) doc.platforms = s.platforms;
  else if (!Array.isArray(doc.platforms) && s.softwareType === 'standalone/web') doc.platforms = ['web'];
  if (s.developmentStatus) doc.developmentStatus = s.developmentStatus;
  if (s.softwareType) doc.softwareType = s.softwareType;

  const lang = descriptionLanguage(base);
  const descriptions: Obj = isObj(doc.description) ? doc.description : {};
  const d: Obj = isObj(descriptions[lang]) ? descriptions[lang] : {};
  const text = a.description.trim();
  const kept = typeof d.longDescription === 'string' ? d.longDescription : d.shortDescription;
  if (text && (typeof kept !== 'string' || text !== kept.trim())) d.longDescription = a.description;
  if (typeof d.shortDescription !== 'string' && text) d.shortDescription = shortOf(text);
  if (!Array.isArray(d.features) && a.tags.length) d.features = [...a.tags];
  if (Object.keys(d).length) descriptions[lang] = d;
  doc.description = descriptions;

  const legal: Obj = isObj(doc.legal) ? doc.legal : {};
  if (s.licence) legal.license = s.licence;
  // The copyright owner of an imported file is the file's; the owning organisation only for software described here.
  if (!isObj(s.publiccode) && typeof legal.mainCopyrightOwner !== 'string' && a.ownerName) legal.mainCopyrightOwner = a.ownerName;
  doc.legal = legal;

  const m: Obj = isObj(doc.maintenance) ? doc.maintenance : {};
  if (s.maintenance) m.type = s.maintenance;
  const previous = Array.isArray(m.contacts) ? (m.contacts as Obj[]) : [];
  const named = a.contacts.filter((c) => c.name);
  const technical = named.filter((c) => c.role === 'referent_technique');
  const people = technical.length ? technical : named;
  if (people.length) {
    m.contacts = people.map((c) => {
      const before = previous.find((p) => isObj(p) && p.name === c.name);
      const out: Obj = { ...(before ?? {}), name: c.name };
      if (c.email) out.email = c.email;
      return out;
    });
  } else if (m.type === 'none' || !previous.length) delete m.contacts;
  doc.maintenance = m;

  if (!isObj(doc.localisation)) doc.localisation = { localisationReady: false, availableLanguages: [lang] };
  return doc;
}

const frenchField: [RegExp, string, string][] = [
  [/^url$/, 'spec.url', 'adresse du dépôt de code (https://github.com/organisation/depot, pas celle d’une organisation)'],
  [/^legal\.license$/, 'spec.licence', 'licence en identifiant SPDX valide (ex. EUPL-1.2, AGPL-3.0-or-later ; NOASSERTION refusé)'],
  [/^description.*\.longDescription$/, 'description', 'description d’au moins 150 caractères (10 000 au plus)'],
  [/^description.*\.shortDescription$/, 'description', 'description courte de 150 caractères au plus'],
  [/^description.*\.features$/, 'tags', 'au moins une fonctionnalité (les mots-clés de l’actif en tiennent lieu)'],
  [/^description$/, 'description', 'description à renseigner'],
  [/^developmentStatus$/, 'spec.developmentStatus', 'statut de développement à renseigner'],
  [/^softwareType$/, 'spec.softwareType', 'type de logiciel à renseigner'],
  [/^platforms$/, 'spec.platforms', 'plateformes à renseigner (web, linux, windows…)'],
  [/^maintenance\.type$/, 'spec.maintenance', 'type de maintenance à renseigner'],
  [/^maintenance\.contacts$/, 'contacts', 'au moins un contact nommé pour une maintenance interne ou communautaire'],
  [
    /^maintenance\.contractors$/,
    'spec.maintenance',
    'maintenance par prestataire : le prestataire (nom, date de fin) n’est pas décrit dans le catalogue — importez le publiccode.yml du dépôt ou choisissez un autre type',
  ],
  [/^name$/, 'title', 'titre à renseigner'],
];

/** What keeps an asset from giving a valid publiccode.yml, as French field errors (empty: exportable). */
export function publiccodeProblems(a: PubliccodeSource): { field: string; message: string }[] {
  return frenchProblems(validatePubliccodeObject(buildPubliccode(a)));
}

function frenchProblems(issues: PubliccodeIssue[]): { field: string; message: string }[] {
  const out = new Map<string, { field: string; message: string }>();
  for (const i of issues) {
    const f = frenchField.find(([re]) => re.test(i.key));
    const e = f
      ? { field: f[1], message: f[2] }
      : { field: `publiccode.${i.key}`, message: `champ du publiccode.yml importé à corriger dans le dépôt : ${i.message}` };
    out.set(`${e.field}|${e.message}`, e);
  }
  return [...out.values()];
}

/** The publiccode.yml text of an asset; refuses (409, with what is missing) what would not be valid. */
export function toPubliccode(a: PubliccodeSource): string {
  const doc = buildPubliccode(a);
  const problems = frenchProblems(validatePubliccodeObject(doc));
  if (problems.length)
    throw new ConflictError(`Cet actif ne donne pas un publiccode.yml valide : ${problems.map((p) => `${p.field} (${p.message})`).join(' ; ')}.`, {
      errors: problems,
    });
  return stringifyYaml(doc, { lineWidth: 0 });
}

const email = z.email();

/** The fields a publiccode.yml gives a repository asset, the whole file being kept in `spec.publiccode`. */
export function fromPubliccode(text: string): {
  title: string;
  description: string | undefined;
  contacts: { role: 'referent_technique'; name: string; email?: string }[];
  spec: Record<string, unknown>;
} {
  const r = readPubliccodeYaml(text);
  if ('error' in r) throw fieldError('content', `publiccode.yml illisible : ${r.error}`);
  if (!isObj(r.value)) throw fieldError('content', 'publiccode.yml : un dictionnaire de clés est attendu');
  const p = r.value;
  const errors: { field: string; message: string }[] = [];
  if (typeof p.name !== 'string' || p.name.trim().length < 2) errors.push({ field: 'publiccode.name', message: 'nom du logiciel obligatoire' });
  if (typeof p.url !== 'string' || !/^https?:\/\//i.test(p.url)) errors.push({ field: 'publiccode.url', message: 'adresse http(s) du dépôt obligatoire' });
  if (errors.length) throw new ValidationError('publiccode.yml invalide.', errors);
  const spec: Record<string, unknown> = { url: p.url, publiccode: p };
  const legal = isObj(p.legal) ? p.legal : {};
  // Only values the model accepts become fields; the file keeps the others (the export gives them back).
  const oneOf = (list: readonly string[], v: unknown) => typeof v === 'string' && list.includes(v);
  if (typeof legal.license === 'string' && legal.license.length <= 100) spec.licence = legal.license;
  if (oneOf(developmentStatuses, p.developmentStatus)) spec.developmentStatus = p.developmentStatus;
  if (oneOf(softwareTypes, p.softwareType)) spec.softwareType = p.softwareType;
  const m = isObj(p.maintenance) ? p.maintenance : {};
  if (oneOf(maintenanceTypes, m.type)) spec.maintenance = m.type;
  if (Array.isArray(p.platforms) && p.platforms.length <= 20 && p.platforms.every((x) => typeof x === 'string' && x.length <= 50)) spec.platforms = p.platforms;
  const lang = descriptionLanguage(p);
  const d = isObj(p.description) && isObj(p.description[lang]) ? p.description[lang] : {};
  const description = typeof d.longDescription === 'string' ? d.longDescription : typeof d.shortDescription === 'string' ? d.shortDescription : undefined;
  const contacts = (Array.isArray(m.contacts) ? m.contacts : [])
    .filter((c): c is Obj => isObj(c) && typeof c.name === 'string' && c.name.length > 0)
    .map((c) => ({
      role: 'referent_technique' as const,
      name: String(c.name).slice(0, 200),
      ...(typeof c.email === 'string' && email.safeParse(c.email).success ? { email: c.email } : {}),
    }));
  return { title: p.name as string, description, contacts, spec };
}
