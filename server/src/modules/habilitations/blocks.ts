import { contactFields, contactKinds, volumetryTiers, type BlockKind } from '@patrimoine/contracts/habilitations';

/** A field of a form, as compiled from its blocks. */
export interface FieldRule {
  key: string;
  block: BlockKind;
  label: string;
  type: 'text' | 'longtext' | 'email' | 'phone' | 'url' | 'siret' | 'integer' | 'date' | 'boolean' | 'scopes' | 'document' | 'choice';
  required: boolean;
  max?: number;
  min?: number;
  choices?: readonly (string | number)[];
}

export interface DefinitionShape {
  blocks: readonly BlockKind[];
  scopes: readonly { value: string; included: boolean }[];
}

export interface Problem {
  field: string;
  message: string;
}

/** Whether a SIRET passes the Luhn check (La Poste's establishments use their own rule). */
export function validSiret(s: string): boolean {
  if (!/^\d{14}$/.test(s)) return false;
  if (s.startsWith('356000000')) return [...s].reduce((n, d) => n + Number(d), 0) % 5 === 0;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(s[13 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const contactLabels: Record<(typeof contactFields)[number], string> = {
  family_name: 'nom',
  given_name: 'prénom',
  email: 'adresse électronique',
  phone_number: 'téléphone',
  job_title: 'fonction',
};

/** The fields of each block (DataPass's data keys). */
export function fieldsOf(block: BlockKind): FieldRule[] {
  const f = (key: string, label: string, type: FieldRule['type'], required = true, extra: Partial<FieldRule> = {}): FieldRule => ({
    key,
    block,
    label,
    type,
    required,
    ...extra,
  });
  switch (block) {
    case 'basic_infos':
      return [f('intitule', 'nom du projet', 'text', true, { max: 200 }), f('description', 'description du projet', 'longtext', true, { max: 5000 })];
    case 'organisation':
      return [f('siret', 'SIRET', 'siret'), f('raison_sociale', 'raison sociale', 'text', true, { max: 300 })];
    case 'legal':
      return [
        f('cadre_juridique_nature', 'nature du cadre juridique', 'longtext', true, { max: 2000 }),
        f('cadre_juridique_url', 'lien vers le texte', 'url', false, { max: 2000 }),
        f('cadre_juridique_document', 'texte du cadre juridique (PDF)', 'document', false),
      ];
    case 'personal_data':
      return [
        f('destinataire_donnees_caractere_personnel', 'destinataires des données', 'longtext', true, { max: 2000 }),
        f('duree_conservation_donnees_caractere_personnel', 'durée de conservation (mois)', 'integer', true, { min: 1, max: 600 }),
        f('duree_conservation_donnees_caractere_personnel_justification', 'justification de la durée de conservation', 'longtext', false, { max: 2000 }),
      ];
    case 'scopes':
      return [f('scopes', 'données demandées', 'scopes')];
    case 'contacts':
      return contactKinds.flatMap((k) =>
        contactFields.map((c) =>
          f(
            `${k}_${c}`,
            contactLabels[c],
            c === 'email' ? 'email' : c === 'phone_number' ? 'phone' : 'text',
            c !== 'job_title' || k !== 'delegue_protection_donnees',
            {
              max: 200,
            },
          ),
        ),
      );
    case 'volumetrie':
      return [
        f('volumetrie_appels_par_minute', 'appels par minute', 'choice', true, { choices: volumetryTiers }),
        f('volumetrie_justification', 'justification de la volumétrie', 'longtext', false, { max: 2000 }),
      ];
    case 'safety_certification':
      return [
        f('safety_certification_authority_name', 'autorité d’homologation', 'text', true, { max: 200 }),
        f('safety_certification_authority_function', 'fonction de l’autorité', 'text', true, { max: 200 }),
        f('safety_certification_begin_date', 'date de début d’homologation', 'date'),
        f('safety_certification_end_date', 'date de fin d’homologation', 'date'),
        f('safety_certification_document', 'décision d’homologation (PDF)', 'document', false),
      ];
    case 'cgu':
      return [f('terms_of_service_accepted', 'acceptation des conditions générales d’utilisation', 'boolean')];
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Compiled schema of a definition's forms: checks the data of a request, for a draft (types) or a submission (everything). */
export function compileSchema(def: DefinitionShape) {
  const fields = def.blocks.flatMap(fieldsOf);
  const byKey = new Map(fields.map((x) => [x.key, x]));
  const scopeValues = new Set(def.scopes.map((s) => s.value));

  function check(data: Record<string, unknown>, mode: 'draft' | 'submit', documents: ReadonlySet<string> = new Set()): Problem[] {
    const out: Problem[] = [];
    const err = (field: string, message: string) => out.push({ field: `data.${field}`, message });
    for (const k of Object.keys(data)) if (!byKey.has(k)) err(k, 'champ inconnu pour ce formulaire');
    for (const r of fields) {
      const v = data[r.key];
      if (isEmpty(v)) {
        if (mode === 'submit' && r.required) err(r.key, `${r.label} : à renseigner`);
        continue;
      }
      switch (r.type) {
        case 'text':
        case 'longtext':
        case 'email':
        case 'phone':
        case 'url':
        case 'siret':
        case 'date':
          if (typeof v !== 'string') {
            err(r.key, `${r.label} : texte attendu`);
            break;
          }
          if (r.max && v.length > r.max) err(r.key, `${r.label} : ${r.max} caractères au plus`);
          else if (r.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) err(r.key, `${r.label} : adresse électronique invalide`);
          else if (r.type === 'phone' && !/^\+?[0-9 .()-]{6,20}$/.test(v)) err(r.key, `${r.label} : numéro de téléphone invalide`);
          else if (r.type === 'url' && !/^https?:\/\/[^\s]+$/.test(v)) err(r.key, `${r.label} : adresse web (https://…) attendue`);
          else if (r.type === 'siret' && !validSiret(v.replace(/\s/g, ''))) err(r.key, 'SIRET invalide (14 chiffres, clé de contrôle)');
          else if (r.type === 'date' && (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v)))) err(r.key, `${r.label} : date AAAA-MM-JJ attendue`);
          break;
        case 'integer':
          if (typeof v !== 'number' || !Number.isInteger(v)) err(r.key, `${r.label} : nombre entier attendu`);
          else if ((r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max)) err(r.key, `${r.label} : entre ${r.min} et ${r.max}`);
          break;
        case 'choice':
          if (!r.choices!.includes(v as never)) err(r.key, `${r.label} : valeur parmi ${r.choices!.join(', ')}`);
          break;
        case 'boolean':
          if (typeof v !== 'boolean') err(r.key, `${r.label} : oui ou non`);
          else if (mode === 'submit' && r.key === 'terms_of_service_accepted' && !v) err(r.key, 'vous devez accepter les conditions générales d’utilisation');
          break;
        case 'scopes':
          if (!Array.isArray(v) || v.some((s) => typeof s !== 'string') || v.length > 200) err(r.key, `${r.label} : liste de valeurs attendue`);
          else {
            const unknown = v.filter((s) => !scopeValues.has(s as string));
            if (unknown.length) err(r.key, `données inconnues : ${unknown.slice(0, 5).join(', ')}`);
          }
          break;
        case 'document':
          if (typeof v !== 'string' || !documents.has(v)) err(r.key, `${r.label} : document introuvable, déposez-le à nouveau`);
          break;
      }
    }
    if (mode === 'submit') {
      if (byKey.has('cadre_juridique_url') && isEmpty(data.cadre_juridique_url) && isEmpty(data.cadre_juridique_document))
        err('cadre_juridique_url', 'indiquez le lien vers le texte ou déposez-le en PDF');
      const months = data.duree_conservation_donnees_caractere_personnel;
      if (
        byKey.has('duree_conservation_donnees_caractere_personnel') &&
        typeof months === 'number' &&
        months > 36 &&
        isEmpty(data.duree_conservation_donnees_caractere_personnel_justification)
      )
        err('duree_conservation_donnees_caractere_personnel_justification', 'au-delà de 36 mois, justifiez la durée de conservation');
      const calls = data.volumetrie_appels_par_minute;
      if (byKey.has('volumetrie_appels_par_minute') && typeof calls === 'number' && calls > volumetryTiers[0] && isEmpty(data.volumetrie_justification))
        err('volumetrie_justification', `au-delà de ${volumetryTiers[0]} appels par minute, justifiez la volumétrie`);
      const b = data.safety_certification_begin_date;
      const e = data.safety_certification_end_date;
      if (typeof b === 'string' && typeof e === 'string' && e < b) err('safety_certification_end_date', 'la fin de l’homologation précède son début');
    }
    return out;
  }

  /** The data with the always-included scopes added. */
  function normalise(data: Record<string, unknown>): Record<string, unknown> {
    if (!byKey.has('scopes')) return data;
    const included = def.scopes.filter((s) => s.included).map((s) => s.value);
    if (!included.length) return data;
    const cur = Array.isArray(data.scopes) ? (data.scopes as string[]) : [];
    return { ...data, scopes: [...new Set([...included, ...cur])] };
  }

  return { fields, check, normalise };
}

/** Changes between two versions of the data: `{ key: [before, after] }` (DataPass's changelog). */
export function diffData(before: Record<string, unknown> | null, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const k of keys) {
    const a = before?.[k] ?? null;
    const b = after[k] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[k] = [a, b];
  }
  return out;
}

/** Whether bytes are a PDF (magic bytes `%PDF-`). */
export const isPdf = (b: Buffer) => b.length >= 5 && b.subarray(0, 5).toString('latin1') === '%PDF-';
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
