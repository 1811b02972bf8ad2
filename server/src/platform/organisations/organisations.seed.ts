/**
 * The ministry's directorates and services named as contributors in the roadmap
 * « Données, Algorithmes, Codes sources 2021-2023 » (shared/data/roadmap-2021-2023.json),
 * with their full names as the roadmap text gives them (or the ministry's organisation chart).
 */
export const ministryOrganisations: { code: string; name: string; kind: string; parent?: string }[] = [
  { code: 'SG', name: 'Secrétariat général', kind: 'secretariat_general' },
  { code: 'DNUM', name: 'Direction du numérique', kind: 'direction', parent: 'SG' },
  { code: 'DRH', name: 'Direction des ressources humaines', kind: 'direction', parent: 'SG' },
  { code: 'DMAT', name: "Direction de la modernisation et de l'administration territoriale", kind: 'direction', parent: 'SG' },
  { code: 'DEPAFI', name: "Direction de l'évaluation, de la performance, de l'achat, des finances et de l'immobilier", kind: 'direction', parent: 'SG' },
  { code: 'DLPAJ', name: 'Direction des libertés publiques et des affaires juridiques', kind: 'direction', parent: 'SG' },
  { code: 'SCAE', name: 'Service central des armes et explosifs', kind: 'service', parent: 'SG' },
  { code: 'DMIA', name: "Délégation ministérielle à l'intelligence artificielle", kind: 'delegation', parent: 'SG' },
  { code: 'DGPN', name: 'Direction générale de la police nationale', kind: 'direction_generale' },
  { code: 'DGGN', name: 'Direction générale de la gendarmerie nationale', kind: 'direction_generale' },
  { code: 'DGSCGC', name: 'Direction générale de la sécurité civile et de la gestion des crises', kind: 'direction_generale' },
  { code: 'DGEF', name: 'Direction générale des étrangers en France', kind: 'direction_generale' },
  { code: 'DSED', name: 'Département des statistiques, des études et de la documentation', kind: 'service', parent: 'DGEF' },
  { code: 'DGCL', name: 'Direction générale des collectivités locales', kind: 'direction_generale' },
  { code: 'DSR', name: 'Délégation à la sécurité routière', kind: 'delegation' },
  { code: 'SSMSI', name: 'Service statistique ministériel de la sécurité intérieure', kind: 'service' },
  { code: 'SGAR', name: 'Secrétariats généraux pour les affaires régionales (préfectures de région)', kind: 'prefecture' },
  { code: 'ANTS', name: 'Agence nationale des titres sécurisés', kind: 'operateur' },
];

/**
 * How the roadmap's free-text contributor names map to organisation codes. Collective names
 * (« directions métiers ») map to null: they are kept as text on the action.
 */
export const contributorAliases: Record<string, string | null> = {
  RH: 'DRH',
  'Secrétariat Général': 'SG',
  'DGS CGC': 'DGSCGC',
  "DNUM (sous-direction de l'innovation": 'DNUM',
  'de la transformation numérique)': null,
  'Préfectures de région (SGAR)': 'SGAR',
  'directions métiers': null,
  'toutes directions métiers': null,
  'et DR INSEE': null,
  'et services statistiques du ministère': null,
};
