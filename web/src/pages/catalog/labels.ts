/** French labels of the catalogue's vocabularies. */
export const kindLabels: Record<string, string> = {
  application: 'Application',
  dataset: 'Jeu de données',
  data_model: 'Modèle de données',
  api: 'API',
  repository: 'Code source',
  algorithm: 'Algorithme',
};
export const kindPlural: Record<string, string> = {
  application: 'Applications',
  dataset: 'Jeux de données',
  data_model: 'Modèles de données',
  api: 'API',
  repository: 'Codes sources',
  algorithm: 'Algorithmes',
};
export const lifecycleLabels: Record<string, string> = {
  projet: 'Projet',
  en_service: 'En service',
  a_decommissionner: 'À décommissionner',
  decommissionne: 'Décommissionné',
};
export const opennessLabels: Record<string, string> = {
  ferme: 'Fermé',
  a_ouvrir: 'À ouvrir',
  ouvert: 'Ouvert',
  non_ouvrable: 'Non ouvrable',
};
export const contactRoleLabels: Record<string, string> = {
  responsable_fonctionnel: 'Responsable fonctionnel',
  administrateur_donnees: 'Administrateur des données métier',
  referent_technique: 'Référent technique',
  dpo: 'Délégué à la protection des données (DPO)',
  contact_public: 'Contact public',
  autre: 'Autre',
};
export const relationLabels: Record<string, string> = {
  produces: 'produit',
  exposes: 'expose',
  implements: 'implémente',
  uses: 'utilise',
  dependsOn: 'dépend de',
  partOf: 'fait partie de',
  describes: 'décrit',
};
/** Colours of kinds in the graph and charts (DSFR illustrative palette, readable on white). */
export const kindColors: Record<string, string> = {
  application: '#000091',
  dataset: '#18753c',
  data_model: '#695240',
  api: '#a94645',
  repository: '#3a3a3a',
  algorithm: '#6e445a',
};
export const opennessColors: Record<string, string> = { ouvert: '#18753c', a_ouvrir: '#b34000', ferme: '#666666', non_ouvrable: '#ce0500' };

export const assetPath = (a: { kind: string; slug: string }) => `/catalogue/${a.kind}/${a.slug}`;
export const label = (m: Record<string, string>, k: string) => m[k] ?? k;
