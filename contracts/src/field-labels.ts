/**
 * The names people read for request fields: the labels the web forms give them. The server names the
 * field this way in problem+json (`errors[].label`, `detail`), the web app in its error summaries, so
 * that nobody reads `body.slug` (issue 11). A field absent from this list is named by its own key.
 */
export const FIELD_LABELS: Record<string, string> = {
  actionCode: 'Action concernée',
  alias: 'Nom de la ressource dans la requête',
  assets: 'Actifs du catalogue utilisés',
  availableOn: 'Disponible le',
  body: 'Message',
  candidateNumber: 'Candidats par ligne',
  cards: 'Cartes',
  code: 'Code',
  column: 'Colonne',
  comment: 'Commentaire',
  contacts: 'Contacts',
  contributors: 'Contributeurs',
  currentPassword: 'Mot de passe actuel',
  dateFormat: 'Format des dates',
  deadline: 'Échéance',
  decision: 'Décision',
  decommissionPlannedOn: 'Décommissionnement prévu le',
  decommissionedOn: 'Décommissionné le',
  description: 'Description',
  displayName: 'Nom affiché',
  dueOn: 'Échéance',
  email: 'Courriel',
  emailDomain: 'Domaine de courriel',
  file: 'Fichier',
  filters: 'Filtres',
  groupBy: 'Regroupements',
  idpId: 'Fournisseur d’identité',
  kind: 'Type d’actif',
  letter: 'Lettre de mission',
  lifecycle: 'Cycle de vie',
  login: 'Identifiant de connexion',
  measures: 'Mesures',
  message: 'Motif',
  name: 'Nom',
  newPassword: 'Nouveau mot de passe',
  note: 'Note',
  openness: 'Ouverture',
  opennessReason: 'Motif juridique de non-ouverture',
  organisation: 'Direction',
  organisationCode: 'Organisation',
  organisationId: 'Organisation',
  organisations: 'Directions',
  owner: 'Organisation propriétaire',
  parentCode: 'Rattachement',
  password: 'Mot de passe',
  personalData: 'Données personnelles',
  planId: 'Plan',
  progress: 'Avancement',
  proof: 'Preuve',
  proofUrl: 'Lien vers la preuve',
  q: 'Recherche',
  quarter: 'Trimestre',
  questionId: 'Question',
  reason: 'Motif',
  region: 'Région',
  resourceId: 'Ressource',
  role: 'Rôle',
  schema: 'Schéma',
  signatory: 'Signataire',
  signedOn: 'Signée le',
  siret: 'SIRET',
  slug: 'Identifiant',
  sources: 'Ressources de la requête',
  spec: 'Champs propres au type',
  sql: 'Requête SQL',
  status: 'Statut',
  tags: 'Mots-clés',
  targetRoadmap: 'Feuille de route',
  terms: 'Expressions équivalentes',
  text: 'Texte',
  title: 'Titre',
  ttlHours: 'Durée de validité du lien (heures)',
  url: 'Adresse (URL)',
  visibility: 'Visibilité',
  visualization: 'Affichage',
};

/** The part of the request a field belongs to, as the server reports it (`body.slug`, `query.page`). */
const LOCATIONS = new Set(['body', 'querystring', 'query', 'params', 'headers']);

/**
 * The name of a field as a person reads it: `body.slug` → « Identifiant »,
 * `body.contacts.1.email` → « Courriel (contacts, n° 2) », `query.page` → « page ».
 */
export function fieldLabel(field: string): string {
  const parts = field.split('.').filter(Boolean);
  if (parts.length > 1 && LOCATIONS.has(parts[0]!)) parts.shift();
  if (parts.length === 0) return FIELD_LABELS.body!;
  const named = [...parts].reverse().find((p) => !/^\d+$/.test(p))!;
  const label = FIELD_LABELS[named] ?? named;
  const index = parts.findIndex((p) => /^\d+$/.test(p));
  if (index > 0 && parts[index - 1] !== named) {
    const list = FIELD_LABELS[parts[index - 1]!] ?? parts[index - 1]!;
    return `${label} (${list.toLowerCase()}, n° ${Number(parts[index]) + 1})`;
  }
  if (index > 0) return `${label} (n° ${Number(parts[index]) + 1})`;
  return label;
}
