import fs from 'node:fs';
import { contributorAliases } from '../../platform/organisations/organisations.seed.ts';
import { normalisePeriod } from './periods.ts';
import type { OpeningStatus, OpeningType } from '@patrimoine/contracts/roadmap';

/** The reference roadmap every installation carries (seed/roadmap-2021-2023.json, see seed/SOURCE.md). */
export const REFERENCE_ROADMAP = {
  slug: 'dac-2021-2023',
  title: 'Feuille de route Données, Algorithmes, Codes sources 2021-2023',
  startYear: 2021,
  endYear: 2023,
  parts: {
    '1': 'Enjeux : améliorer l’action publique grâce à la donnée',
    '2': 'Faciliter et valoriser l’ouverture, le partage et l’exploitation des données',
    '3': 'Développer le capital humain : acculturation et gestion des compétences',
    '4': 'Mobiliser et évaluer : gouvernance et pilotage',
    '5': 'Ressources et moyens',
  } as Record<string, string>,
};

export interface SeedJson {
  actions: {
    code: string;
    deadline: string;
    deadlineEnd: string | null;
    title: string;
    section: string;
    sectionTitle: string;
    shortTitle?: string;
    contributors: string[];
    note?: string;
  }[];
  subActions: { code: string; title: string; contributors: string; deadline: string }[];
  openings: { category: string; title: string; due: string; status: string }[];
  source: string;
}

export interface SeedAction {
  code: string;
  parentCode: string | null;
  position: number;
  title: string;
  shortTitle: string | null;
  section: string;
  sectionTitle: string;
  deadline: string;
  deadlineEnd: string | null;
  sourceContributors: string[];
  organisationCodes: string[];
  collectiveContributors: string[];
  sourceNote: string | null;
}

export interface SeedOpening {
  position: number;
  category: string;
  title: string;
  type: OpeningType;
  due: string;
  status: OpeningStatus;
}

/** The source's notes (in English in the extraction) as shown to users. */
const NOTES_FR: Record<string, string> = {
  A10: 'Deux échéances dans la source : 2021 S2 pour le premier jeu de données, 2022 S2 pour le second.',
  A41: 'Contributeur absent du tableau en annexe ; le corps du texte (section 2.5) confie l’action à la sous-direction de l’innovation et de la transformation numérique de la DNUM.',
  A57: 'Le tableau en annexe donne 2021 S1 comme échéance ; le code de l’action dans le corps du texte indique 21S2 (retenu ici).',
};

const OPENING_STATUS: Record<string, OpeningStatus> = {
  planifié: 'planifie',
  'en cours': 'en_cours',
  disponible: 'disponible',
  reporté: 'reporte',
  abandonné: 'abandonne',
};

/** Type of an opening from its title: the source's table mixes datasets and APIs. */
export function openingTypeOf(title: string): OpeningType {
  if (/^API\b/i.test(title.trim())) return 'api';
  if (/code[s]? source/i.test(title)) return 'code_source';
  if (/algorithm/i.test(title)) return 'algorithme';
  return 'jeu_de_donnees';
}

/** Splits the source's contributor names into organisation codes and collective contributors kept as text. */
export function resolveContributors(names: string[], knownCodes: Set<string>): { organisationCodes: string[]; collective: string[] } {
  const orgs: string[] = [];
  const collective: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    let code: string | null | undefined = name in contributorAliases ? contributorAliases[name] : undefined;
    if (code === undefined) code = knownCodes.has(name.toUpperCase()) ? name.toUpperCase() : null;
    if (code) {
      if (!orgs.includes(code)) orgs.push(code);
    } else collective.push(name.replace(/^et\s+/, ''));
  }
  // Aliases mapping to null are fragments of a name whose organisation is already resolved
  // (« de la transformation numérique) »): keep them only when nothing else names an organisation.
  const meaningful = collective.filter((c) => !/^de la |\)$/.test(c));
  return { organisationCodes: orgs, collective: meaningful };
}

/** Converts the extracted roadmap into rows; throws on anything the module could not represent. */
export function parseSeed(json: SeedJson, knownCodes: Set<string>): { actions: SeedAction[]; openings: SeedOpening[]; source: string } {
  const actions: SeedAction[] = [];
  json.actions.forEach((a, i) => {
    const deadline = normalisePeriod(a.deadline);
    const deadlineEnd = a.deadlineEnd ? normalisePeriod(a.deadlineEnd) : null;
    if (!deadline || (a.deadlineEnd && !deadlineEnd)) throw new Error(`${a.code}: invalid deadline ${a.deadline}/${a.deadlineEnd}`);
    const c = resolveContributors(a.contributors, knownCodes);
    actions.push({
      code: a.code,
      parentCode: null,
      position: (i + 1) * 10,
      title: a.title,
      shortTitle: a.shortTitle && a.shortTitle !== a.title ? a.shortTitle : null,
      section: a.section,
      sectionTitle: a.sectionTitle,
      deadline,
      deadlineEnd,
      sourceContributors: a.contributors,
      organisationCodes: c.organisationCodes,
      collectiveContributors: c.collective,
      sourceNote: a.note ? (NOTES_FR[a.code] ?? a.note) : null,
    });
  });
  json.subActions.forEach((s, i) => {
    const parentCode = s.code.split('-')[0]!;
    const parent = actions.find((a) => a.code === parentCode);
    if (!parent) throw new Error(`${s.code}: parent ${parentCode} not found`);
    const deadline = normalisePeriod(s.deadline);
    if (!deadline) throw new Error(`${s.code}: invalid deadline ${s.deadline}`);
    const names = s.contributors.split('/');
    const c = resolveContributors(names, knownCodes);
    actions.push({
      code: s.code,
      parentCode,
      position: parent.position + i + 1,
      title: s.title,
      shortTitle: null,
      section: parent.section,
      sectionTitle: parent.sectionTitle,
      deadline,
      deadlineEnd: null,
      sourceContributors: names.filter((n) => n.trim()),
      organisationCodes: c.organisationCodes,
      collectiveContributors: c.collective,
      sourceNote: null,
    });
  });
  const openings = json.openings.map((o, i) => {
    const due = normalisePeriod(o.due);
    if (!due || !due.includes('-T')) throw new Error(`opening ${o.title}: invalid due quarter ${o.due}`);
    const status = OPENING_STATUS[o.status.trim().toLowerCase()];
    if (!status) throw new Error(`opening ${o.title}: unknown status ${o.status}`);
    return { position: i + 1, category: o.category, title: o.title.replace(/;\s*$/, ''), type: openingTypeOf(o.title), due, status };
  });
  return { actions, openings, source: json.source };
}

/** The extracted roadmap shipped with the module. */
export function loadReferenceSeed(): SeedJson {
  return JSON.parse(fs.readFileSync(new URL('./seed/roadmap-2021-2023.json', import.meta.url), 'utf8')) as SeedJson;
}
