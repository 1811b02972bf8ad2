/** The kind-specific fields of the edit form and the asset page (the contract's specSchemas; option labels from the contract). */
import {
  accessTypeLabels,
  algorithmTypeLabels,
  automationLabels,
  decisionScopeLabels,
  developmentStatusLabels,
  frequencyLabels,
  maintenanceLabels,
  openingPriorityLabels,
  softwareTypeLabels,
  type AssetKind,
} from '@patrimoine/contracts/catalog';

export type SpecField =
  | { key: string; label: string; type: 'text' | 'textarea' | 'date' | 'url' | 'number'; hint?: string }
  | { key: string; label: string; type: 'select'; options: [string, string][] }
  | { key: string; label: string; type: 'bool' }
  | { key: string; label: string; type: 'list'; hint?: string }
  | { key: string; label: string; type: 'json'; hint: string };

/** The options of a select, in the order of the contract's labels. */
const options = (labels: Readonly<Record<string, string>>): [string, string][] => Object.entries(labels);
const access = options(accessTypeLabels);

export const specFields: Record<AssetKind, SpecField[]> = {
  application: [
    { key: 'purpose', label: 'Finalité', type: 'textarea' },
    { key: 'users', label: 'Utilisateurs', type: 'text' },
    { key: 'hosting', label: 'Hébergement', type: 'text' },
    { key: 'technologies', label: 'Technologies', type: 'list', hint: 'Séparées par des virgules' },
    { key: 'startedOn', label: 'Mise en service', type: 'date' },
    { key: 'hasUpToDateSchema', label: 'Schéma de base de données à jour', type: 'bool' },
    { key: 'hasDataDictionary', label: 'Dictionnaire des données disponible', type: 'bool' },
  ],
  dataset: [
    {
      key: 'frequency',
      label: 'Fréquence de mise à jour',
      type: 'select',
      options: options(frequencyLabels),
    },
    { key: 'temporalCoverageStart', label: 'Couverture temporelle : début', type: 'date' },
    { key: 'temporalCoverageEnd', label: 'Couverture temporelle : fin', type: 'date' },
    { key: 'spatialCoverage', label: 'Couverture géographique', type: 'text' },
    { key: 'licence', label: 'Licence', type: 'text', hint: 'Licence Ouverte 2.0 par défaut' },
    { key: 'accessType', label: 'Type d’accès', type: 'select', options: access },
    { key: 'schemaRef', label: 'Schéma de données (référence schema.data.gouv.fr)', type: 'text' },
    { key: 'datagouvId', label: 'Identifiant data.gouv.fr', type: 'text' },
    { key: 'datagouvUrl', label: 'Page data.gouv.fr', type: 'url' },
    { key: 'resources', label: 'Ressources (JSON)', type: 'json', hint: '[{ "title": "…", "url": "https://…", "format": "csv", "size": 1024 }]' },
  ],
  data_model: [
    {
      key: 'tables',
      label: 'Tables et colonnes (JSON)',
      type: 'json',
      hint: '[{ "name": "table", "columns": [{ "name": "col", "type": "text", "description": "…", "personalData": false }] }]',
    },
  ],
  api: [
    { key: 'baseUrl', label: 'URL de base', type: 'url' },
    { key: 'openapiUrl', label: 'URL du document OpenAPI', type: 'url' },
    {
      key: 'openapi',
      label: 'Document OpenAPI (JSON)',
      type: 'json',
      hint: 'Collez le document OpenAPI 3.x ou Swagger 2.0 au format JSON ; il est vérifié à l’enregistrement',
    },
    { key: 'accessType', label: 'Type d’accès', type: 'select', options: access },
    { key: 'rateLimit', label: 'Limites d’usage', type: 'text' },
    { key: 'availability', label: 'Disponibilité', type: 'text' },
    { key: 'apiGouvRef', label: 'Référence api.gouv.fr', type: 'text' },
  ],
  repository: [
    { key: 'url', label: 'URL du dépôt', type: 'url' },
    { key: 'licence', label: 'Licence (identifiant SPDX)', type: 'text', hint: 'ex. MIT, EUPL-1.2, AGPL-3.0-or-later' },
    {
      key: 'developmentStatus',
      label: 'Statut de développement',
      type: 'select',
      options: options(developmentStatusLabels),
    },
    {
      key: 'softwareType',
      label: 'Type de logiciel',
      type: 'select',
      options: options(softwareTypeLabels),
    },
    {
      key: 'maintenance',
      label: 'Maintenance',
      type: 'select',
      options: options(maintenanceLabels),
    },
    { key: 'platforms', label: 'Plateformes', type: 'list', hint: 'web, linux, windows…' },
    {
      key: 'openingPriority',
      label: 'Priorité d’ouverture',
      type: 'select',
      options: options(openingPriorityLabels),
    },
    { key: 'openingReasons', label: 'Motifs (ouverture ou non)', type: 'textarea' },
  ],
  // In the order and the four groups of Etalab's inventory (the name is the title, the directorate the owner).
  algorithm: [
    {
      key: 'administration',
      label: 'Administration concernée',
      type: 'text',
      hint: 'Ex. Ministère de l’Intérieur (la direction est l’organisation propriétaire)',
    },
    { key: 'contact', label: 'Contact', type: 'text' },
    { key: 'infoUpdatedOn', label: 'Date de mise à jour des informations', type: 'date' },
    { key: 'context', label: 'Contexte global', type: 'textarea', hint: 'Pourquoi la décision est prise, qui en sont les acteurs, quelles tâches' },
    { key: 'purpose', label: 'Finalité', type: 'textarea' },
    {
      key: 'decisionRole',
      label: 'Comment et quand l’algorithme intervient dans la décision',
      type: 'textarea',
      hint: 'Le processus complet et la part qu’en prend l’algorithme',
    },
    {
      key: 'automation',
      label: 'Degré d’automatisation',
      type: 'select',
      options: options(automationLabels),
    },
    { key: 'legalBasis', label: 'Base juridique', type: 'textarea' },
    { key: 'relatedResources', label: 'Ressources connexes (métier)', type: 'textarea', hint: 'Ex. lien vers la plateforme où remplir le formulaire' },
    { key: 'individualDecisions', label: 'Fonde des décisions administratives individuelles', type: 'bool' },
    { key: 'decisionsPerYear', label: 'Décisions par an', type: 'number' },
    {
      key: 'decisionScope',
      label: 'Portée de la décision',
      type: 'select',
      options: options(decisionScopeLabels),
    },
    { key: 'publicConcerned', label: 'Public concerné', type: 'text' },
    { key: 'impactResources', label: 'Ressources connexes (impact)', type: 'textarea' },
    { key: 'dataUsed', label: 'Données utilisées', type: 'textarea' },
    { key: 'dataSources', label: 'Source des données', type: 'textarea', hint: 'Qui les fournit et comment (dossier, API…)' },
    { key: 'collectionMode', label: 'Mode de collecte des données', type: 'textarea' },
    {
      key: 'algorithmType',
      label: 'Type',
      type: 'select',
      options: options(algorithmTypeLabels),
    },
    { key: 'operations', label: 'Opérations effectuées', type: 'textarea' },
    {
      key: 'parameters',
      label: 'Paramètres et pondération (JSON)',
      type: 'json',
      hint: '[{ "name": "Ancienneté de la demande", "weight": 2, "description": "…" }]',
    },
    { key: 'codeOrFlowchartUrl', label: 'Lien vers le code ou le logigramme', type: 'url' },
    { key: 'technicalResources', label: 'Ressources connexes (fonctionnement)', type: 'textarea' },
  ],
};

/** How a kind-specific value reads on the asset page: the label of a select's value (« Ouvert », not « open »). */
export function specValueLabel(f: SpecField, v: unknown): unknown {
  if (f.type === 'select' && typeof v === 'string') return f.options.find(([k]) => k === v)?.[1] ?? v;
  return v;
}
