import type { AssetKind } from './catalog.model.ts';
import { publiccodeProblems } from './publiccode.ts';

/** What completeness looks at: the envelope (owner as a code) and the kind-specific fields. */
export interface CompletenessInput {
  kind: AssetKind;
  description: string;
  owner: string | null;
  contacts: { role: string; name?: string; email?: string }[];
  tags: string[];
  lifecycle: string;
  decommissionPlannedOn: string | null;
  openness: string;
  spec: Record<string, unknown>;
}

export interface CompletenessCheck {
  id: string;
  label: string;
  ok: boolean;
}

type Check = {
  id: string;
  label: string | ((a: CompletenessInput, s: Record<string, unknown>) => string);
  test: (a: CompletenessInput, s: Record<string, unknown>) => boolean;
};

/** What keeps a repository from giving a valid publiccode.yml (the title is always there; contacts always have a name). */
const repositoryPubliccodeProblems = (a: CompletenessInput, s: Record<string, unknown>) =>
  publiccodeProblems({
    title: 'titre',
    description: a.description,
    tags: a.tags,
    contacts: a.contacts.map((c) => ({ role: c.role, name: c.name ?? c.role, ...(c.email ? { email: c.email } : {}) })),
    spec: s,
  });

const has = (v: unknown) => (typeof v === 'string' ? v.trim().length > 0 : Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null);

/** Checks every asset must pass, in the spirit of udata's quality score. */
const common: Check[] = [
  { id: 'description', label: 'Description d’au moins 100 caractères', test: (a) => a.description.trim().length >= 100 },
  { id: 'owner', label: 'Organisation propriétaire renseignée', test: (a) => !!a.owner },
  { id: 'contacts', label: 'Au moins un contact', test: (a) => a.contacts.length > 0 },
  { id: 'tags', label: 'Au moins un mot-clé', test: (a) => a.tags.length > 0 },
];

const byKind: Record<AssetKind, Check[]> = {
  application: [
    { id: 'purpose', label: 'Finalité décrite', test: (_a, s) => has(s.purpose) },
    { id: 'users', label: 'Utilisateurs décrits', test: (_a, s) => has(s.users) },
    { id: 'hosting', label: 'Hébergement renseigné', test: (_a, s) => has(s.hosting) },
    { id: 'technologies', label: 'Technologies renseignées', test: (_a, s) => has(s.technologies) },
    { id: 'schema', label: 'Schéma de base de données à jour', test: (_a, s) => s.hasUpToDateSchema === true },
    { id: 'dictionary', label: 'Dictionnaire des données disponible', test: (_a, s) => s.hasDataDictionary === true },
    {
      id: 'decommission',
      label: 'Date de décommissionnement prévue (si à décommissionner)',
      test: (a) => a.lifecycle !== 'a_decommissionner' || !!a.decommissionPlannedOn,
    },
  ],
  dataset: [
    { id: 'licence', label: 'Licence renseignée', test: (_a, s) => has(s.licence) },
    { id: 'frequency', label: 'Fréquence de mise à jour', test: (_a, s) => has(s.frequency) && s.frequency !== 'unknown' },
    { id: 'temporal', label: 'Couverture temporelle', test: (_a, s) => has(s.temporalCoverageStart) },
    { id: 'spatial', label: 'Couverture géographique', test: (_a, s) => has(s.spatialCoverage) },
    { id: 'resources', label: 'Au moins une ressource (fichier ou lien)', test: (_a, s) => has(s.resources) },
    {
      id: 'resourceFormats',
      label: 'Format de chaque ressource',
      test: (_a, s) => has(s.resources) && (s.resources as { format?: string }[]).every((r) => has(r.format)),
    },
    { id: 'datagouv', label: 'Référence data.gouv.fr (si ouvert)', test: (a, s) => a.openness !== 'ouvert' || has(s.datagouvId) || has(s.datagouvUrl) },
  ],
  data_model: [
    { id: 'tables', label: 'Au moins une table décrite', test: (_a, s) => has(s.tables) },
    {
      id: 'columnsDescribed',
      label: 'Chaque colonne a une description',
      test: (_a, s) =>
        has(s.tables) &&
        (s.tables as { columns: { description?: string }[] }[]).every((t) => t.columns.length > 0 && t.columns.every((c) => has(c.description))),
    },
    {
      id: 'columnTypes',
      label: 'Chaque colonne a un type',
      test: (_a, s) => has(s.tables) && (s.tables as { columns: { type?: string }[] }[]).every((t) => t.columns.every((c) => has(c.type))),
    },
  ],
  api: [
    { id: 'baseUrl', label: 'URL de base', test: (_a, s) => has(s.baseUrl) },
    { id: 'openapi', label: 'Document OpenAPI (fichier ou URL)', test: (_a, s) => has(s.openapi) || has(s.openapiUrl) },
    { id: 'accessType', label: 'Type d’accès', test: (_a, s) => has(s.accessType) },
    { id: 'rateLimit', label: 'Limites d’usage', test: (_a, s) => has(s.rateLimit) },
    { id: 'availability', label: 'Disponibilité annoncée', test: (_a, s) => has(s.availability) },
  ],
  repository: [
    { id: 'url', label: 'URL du dépôt', test: (_a, s) => has(s.url) },
    { id: 'licence', label: 'Licence (SPDX)', test: (_a, s) => has(s.licence) },
    { id: 'developmentStatus', label: 'Statut de développement', test: (_a, s) => has(s.developmentStatus) },
    { id: 'maintenance', label: 'Type de maintenance', test: (_a, s) => has(s.maintenance) },
    {
      id: 'openingPriority',
      label: 'Priorité d’ouverture et motifs (si non ouvert)',
      test: (a, s) => a.openness === 'ouvert' || (has(s.openingPriority) && has(s.openingReasons)),
    },
    {
      id: 'publiccode',
      label: (a, s) => {
        const missing = repositoryPubliccodeProblems(a, s);
        return missing.length
          ? `publiccode.yml publiable — à compléter : ${missing.map((p) => p.message).join(' ; ')}`
          : 'publiccode.yml publiable (règles du standard publiccode.yml)';
      },
      test: (a, s) => repositoryPubliccodeProblems(a, s).length === 0,
    },
  ],
  algorithm: [
    { id: 'purpose', label: 'Finalité', test: (_a, s) => has(s.purpose) },
    { id: 'legalBasis', label: 'Base juridique', test: (_a, s) => has(s.legalBasis) },
    { id: 'individualDecisions', label: 'Décisions individuelles : oui ou non', test: (_a, s) => typeof s.individualDecisions === 'boolean' },
    { id: 'automation', label: 'Degré d’automatisation', test: (_a, s) => has(s.automation) },
    { id: 'publicConcerned', label: 'Public concerné', test: (_a, s) => has(s.publicConcerned) },
    { id: 'dataUsed', label: 'Données utilisées', test: (_a, s) => has(s.dataUsed) },
    { id: 'algorithmType', label: 'Type (règles ou apprentissage)', test: (_a, s) => has(s.algorithmType) },
    { id: 'codeOrFlowchart', label: 'Lien vers le code ou le logigramme', test: (_a, s) => has(s.codeOrFlowchartUrl) },
    // The other fields of Etalab's inventory (fiche pratique « l'inventaire des principaux traitements algorithmiques »).
    { id: 'context', label: 'Contexte global', test: (_a, s) => has(s.context) },
    { id: 'decisionRole', label: 'Comment et quand l’algorithme intervient dans la décision', test: (_a, s) => has(s.decisionRole) },
    { id: 'decisionScope', label: 'Portée de la décision (externe ou interne)', test: (_a, s) => has(s.decisionScope) },
    { id: 'dataSources', label: 'Source des données traitées', test: (_a, s) => has(s.dataSources) },
    { id: 'collectionMode', label: 'Mode de collecte des données', test: (_a, s) => has(s.collectionMode) },
    { id: 'operations', label: 'Opérations effectuées par l’algorithme', test: (_a, s) => has(s.operations) },
    { id: 'contact', label: 'Contact', test: (_a, s) => has(s.contact) },
    {
      id: 'parameters',
      label: 'Paramètres et leur pondération (décisions individuelles, art. R311-3-1-2 CRPA)',
      test: (_a, s) => s.individualDecisions === false || (s.individualDecisions === true && Array.isArray(s.parameters) && s.parameters.length > 0),
    },
  ],
};

/** The transparent list of checks for an asset, and its score (percentage of checks passed). */
export function completeness(a: CompletenessInput): { score: number; checks: CompletenessCheck[] } {
  const checks = [...common, ...byKind[a.kind]].map((c) => ({
    id: c.id,
    label: typeof c.label === 'function' ? c.label(a, a.spec) : c.label,
    ok: c.test(a, a.spec),
  }));
  const score = Math.round((100 * checks.filter((c) => c.ok).length) / checks.length);
  return { score, checks };
}
