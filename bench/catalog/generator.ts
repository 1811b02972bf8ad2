// Realistic synthetic catalogue: French titles and descriptions built from the ministry's domains,
// kinds in the proportions of a real application map, owners among the seeded organisations.

/** Small deterministic PRNG (mulberry32), so that runs are comparable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const domains = [
  ['immatriculation des véhicules', 'véhicules'],
  ['permis de conduire', 'permis'],
  ['élections municipales', 'élections'],
  ['associations', 'associations'],
  ['titres de séjour', 'étrangers'],
  ['demandes d’asile', 'étrangers'],
  ['interventions des sapeurs-pompiers', 'sécurité civile'],
  ['armes et explosifs', 'armes'],
  ['accidents de la route', 'sécurité routière'],
  ['infractions constatées', 'délinquance'],
  ['cartes nationales d’identité', 'titres'],
  ['passeports', 'titres'],
  ['agents du ministère', 'ressources humaines'],
  ['dotations aux collectivités', 'collectivités'],
  ['préfectures et sous-préfectures', 'administration territoriale'],
  ['radars automatiques', 'sécurité routière'],
  ['personnes décédées', 'décès'],
  ['adresses des usagers', 'adresse'],
  ['marchés publics', 'achats'],
  ['crises et alertes', 'sécurité civile'],
] as const;
const places = [
  'national',
  'Île-de-France',
  'Bretagne',
  'Occitanie',
  'Grand Est',
  'Hauts-de-France',
  'Auvergne-Rhône-Alpes',
  'Nouvelle-Aquitaine',
  'Normandie',
  'Corse',
  'outre-mer',
  'Provence-Alpes-Côte d’Azur',
];
const heads: Record<string, string[]> = {
  application: [
    'Application de gestion des',
    'Système d’information des',
    'Portail des',
    'Outil de suivi des',
    'Téléservice de déclaration des',
    'Infocentre des',
  ],
  dataset: ['Fichier des', 'Statistiques des', 'Base de données des', 'Référentiel des', 'Liste des', 'Séries mensuelles des'],
  data_model: ['Modèle de données des', 'Dictionnaire des données des', 'Schéma de la base des'],
  api: ['API des', 'API de consultation des', 'API de vérification des', 'Service web des'],
  repository: ['Code source de l’outil des', 'Bibliothèque de traitement des', 'Scripts d’analyse des'],
  algorithm: ['Algorithme de répartition des', 'Calcul automatisé des', 'Score de priorisation des', 'Modèle de détection des anomalies des'],
};
const kinds: [string, number][] = [
  ['application', 0.3],
  ['dataset', 0.35],
  ['data_model', 0.08],
  ['api', 0.12],
  ['repository', 0.1],
  ['algorithm', 0.05],
];
const lifecycles = ['projet', 'en_service', 'en_service', 'en_service', 'a_decommissionner', 'decommissionne'];
const openness = ['ferme', 'ferme', 'a_ouvrir', 'ouvert', 'ouvert', 'non_ouvrable'];
const sentences = [
  'Les données sont mises à jour chaque nuit à partir des systèmes sources.',
  'Le traitement est déclaré au registre du ministère et fait l’objet d’une analyse d’impact.',
  'Les agents des préfectures l’utilisent pour instruire les demandes des usagers.',
  'Une réplique est transmise aux services statistiques pour la production d’indicateurs.',
  'L’hébergement est assuré par le centre de données ministériel.',
  'Un export annuel est publié sur data.gouv.fr sous Licence Ouverte.',
  'Les échanges avec les partenaires passent par une API authentifiée.',
  'Le dictionnaire des données est en cours de rédaction par l’administrateur des données métier.',
];

export interface GeneratedAsset {
  kind: string;
  slug: string;
  title: string;
  description: string;
  ownerIndex: number;
  tags: string[];
  lifecycle: string;
  openness: string;
  opennessReason: string | null;
  personalData: boolean;
  spec: Record<string, unknown>;
}

export function generateAsset(i: number, r: () => number): GeneratedAsset {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  let x = r();
  let kind = 'application';
  for (const [k, p] of kinds) {
    if (x < p) {
      kind = k;
      break;
    }
    x -= p;
  }
  const [domain, tag] = pick(domains);
  const place = pick(places);
  const title = `${pick(heads[kind]!)} ${domain} (${place}) n° ${i}`;
  const desc = Array.from({ length: 2 + Math.floor(r() * 4) }, () => pick(sentences)).join(' ');
  const open = pick(openness);
  const personal = open !== 'ouvert' && r() < 0.4;
  return {
    kind,
    slug: `${kind.replace('_', '-')}-${i}`,
    title,
    description: `${title} : ${desc}`,
    ownerIndex: Math.floor(r() * 1000),
    tags: [tag, ...(r() < 0.3 ? [pick(domains)[1]] : [])],
    lifecycle: pick(lifecycles),
    openness: open,
    opennessReason: open === 'non_ouvrable' ? 'Secret protégé (article L311-5 du CRPA)' : null,
    personalData: personal,
    spec:
      kind === 'dataset'
        ? { licence: 'Licence Ouverte 2.0', frequency: pick(['daily', 'monthly', 'annual']), spatialCoverage: place }
        : kind === 'application'
          ? { hosting: 'Centre de données ministériel', purpose: `Gérer les ${domain}` }
          : {},
  };
}

/** What people type: words, prefixes while typing, several words, typos, accents left out. */
export const queries = [
  'permis',
  'pe',
  'perm',
  'immatriculation',
  'immatriculation vehicules',
  'élections',
  'elections municipales',
  'associations',
  'titres de séjour',
  'asile',
  'sapeurs pompiers',
  'pompier',
  'armes',
  'accidents route',
  'radars',
  'décès',
  'deces',
  'personnes décédées',
  'passeport',
  'api verification',
  'algorithme repartition',
  'statistiques',
  'dotations collectivites',
  'prefectures',
  'bretagne',
  'outre-mer',
  'occitanie radars',
  'immatriculaton',
  'asociations',
  'sécurité civile',
  'adresse usagers',
  'marchés publics',
  'dictionnaire',
  'code source',
  'infocentre',
];

/**
 * Queries whose words are not all in one asset (issue 11): strict matching finds too little, so the
 * search corrects, uses synonyms and relaxes to « at least m of the n words » (ADR 0106).
 */
export const relaxedQueries = [
  'données décès',
  'donnees deces',
  'jeu de données décès',
  'résultats des élections municipales',
  'sécurité civile pompiers',
  'candylib',
  'carte grise volée',
  'effectifs rh',
  'radars bretagne accidents nuit',
  'statistiques asile prefecture guyane',
];
