/**
 * Catalogue contract: the assets of the ministry (applications, datasets, data models, APIs, source
 * code, algorithms), their relations, search, graph and impact, dashboards, import/export and the
 * exchange formats of the national platforms. The server validates and serialises with these
 * schemas; the web app reads `WireOf<…>` of the same schemas.
 */
import { z } from 'zod';
import { isoDay, labels, timestamp, uuid } from './common.ts';

// ---------------------------------------------------------------------------------------------
// Vocabularies and their French labels

/** The kinds of assets the catalogue describes. */
export const assetKinds = ['application', 'dataset', 'data_model', 'api', 'repository', 'algorithm'] as const;
export const assetKind = z.enum(assetKinds);
export type AssetKind = z.infer<typeof assetKind>;
export const kindLabels = labels(assetKinds, {
  application: 'Application',
  dataset: 'Jeu de données',
  data_model: 'Modèle de données',
  api: 'API',
  repository: 'Code source',
  algorithm: 'Algorithme',
});
export const kindPluralLabels = labels(assetKinds, {
  application: 'Applications',
  dataset: 'Jeux de données',
  data_model: 'Modèles de données',
  api: 'API',
  repository: 'Codes sources',
  algorithm: 'Algorithmes',
});

export const lifecycles = ['projet', 'en_service', 'a_decommissionner', 'decommissionne'] as const;
export const lifecycle = z.enum(lifecycles);
export type Lifecycle = z.infer<typeof lifecycle>;
export const lifecycleLabels = labels(lifecycles, {
  projet: 'Projet',
  en_service: 'En service',
  a_decommissionner: 'À décommissionner',
  decommissionne: 'Décommissionné',
});

export const opennessValues = ['ferme', 'a_ouvrir', 'ouvert', 'non_ouvrable'] as const;
export const openness = z.enum(opennessValues);
export type Openness = z.infer<typeof openness>;
export const opennessLabels = labels(opennessValues, {
  ferme: 'Fermé',
  a_ouvrir: 'À ouvrir',
  ouvert: 'Ouvert',
  non_ouvrable: 'Non ouvrable',
});

export const contactRoles = ['responsable_fonctionnel', 'administrateur_donnees', 'referent_technique', 'dpo', 'contact_public', 'autre'] as const;
export const contactRole = z.enum(contactRoles);
export type ContactRole = z.infer<typeof contactRole>;
export const contactRoleLabels = labels(contactRoles, {
  responsable_fonctionnel: 'Responsable fonctionnel',
  administrateur_donnees: 'Administrateur des données métier',
  referent_technique: 'Référent technique',
  dpo: 'Délégué à la protection des données (DPO)',
  contact_public: 'Contact public',
  autre: 'Autre',
});

/** How an API or a dataset is reached. */
export const accessTypes = ['open', 'open_with_account', 'restricted'] as const;
export const accessTypeLabels = labels(accessTypes, { open: 'Ouvert', open_with_account: 'Ouvert avec compte', restricted: 'Restreint' });

/** Update frequencies: udata's whole vocabulary (opendatateam/udata, udata/core/dataset/constants.py, UpdateFrequency), in its order. */
export const frequencies = [
  'continuous',
  'oneMinute',
  'fiveMinutes',
  'tenMinutes',
  'fifteenMinutes',
  'thirtyMinutes',
  'hourly',
  'bihourly',
  'trihourly',
  'twelveHours',
  'severalTimesADay',
  'threeTimesADay',
  'semidaily',
  'daily',
  'fiveTimesAWeek',
  'threeTimesAWeek',
  'semiweekly',
  'weekly',
  'biweekly',
  'threeTimesAMonth',
  'semimonthly',
  'monthly',
  'bimonthly',
  'quarterly',
  'threeTimesAYear',
  'semiannual',
  'annual',
  'biennial',
  'triennial',
  'quadrennial',
  'quinquennial',
  'decennial',
  'bidecennial',
  'tridecennial',
  'punctual',
  'irregular',
  'never',
  'notPlanned',
  'other',
  'unknown',
] as const;
export const frequencyLabels = labels(frequencies, {
  continuous: 'En continu (temps réel)',
  oneMinute: 'Toutes les minutes',
  fiveMinutes: 'Toutes les cinq minutes',
  tenMinutes: 'Toutes les dix minutes',
  fifteenMinutes: 'Tous les quarts d’heure',
  thirtyMinutes: 'Toutes les demi-heures',
  hourly: 'Toutes les heures',
  bihourly: 'Toutes les deux heures',
  trihourly: 'Toutes les trois heures',
  twelveHours: 'Toutes les douze heures',
  severalTimesADay: 'Plusieurs fois par jour',
  threeTimesADay: 'Trois fois par jour',
  semidaily: 'Deux fois par jour',
  daily: 'Quotidienne',
  fiveTimesAWeek: 'Cinq fois par semaine',
  threeTimesAWeek: 'Trois fois par semaine',
  semiweekly: 'Deux fois par semaine',
  weekly: 'Hebdomadaire',
  biweekly: 'Toutes les deux semaines',
  threeTimesAMonth: 'Trois fois par mois',
  semimonthly: 'Deux fois par mois',
  monthly: 'Mensuelle',
  bimonthly: 'Tous les deux mois',
  quarterly: 'Trimestrielle',
  threeTimesAYear: 'Trois fois par an',
  semiannual: 'Semestrielle',
  annual: 'Annuelle',
  biennial: 'Tous les deux ans',
  triennial: 'Tous les trois ans',
  quadrennial: 'Tous les quatre ans',
  quinquennial: 'Tous les cinq ans',
  decennial: 'Tous les dix ans',
  bidecennial: 'Tous les vingt ans',
  tridecennial: 'Tous les trente ans',
  punctual: 'Ponctuelle',
  irregular: 'Irrégulière',
  never: 'Jamais',
  notPlanned: 'Non planifiée',
  other: 'Autre',
  unknown: 'Inconnue',
});

/** publiccode.yml's development statuses, software types and maintenance types. */
export const developmentStatuses = ['concept', 'development', 'beta', 'stable', 'obsolete'] as const;
export const developmentStatusLabels = labels(developmentStatuses, {
  concept: 'Concept',
  development: 'Développement',
  beta: 'Bêta',
  stable: 'Stable',
  obsolete: 'Obsolète',
});
export const softwareTypes = [
  'standalone/mobile',
  'standalone/iot',
  'standalone/desktop',
  'standalone/web',
  'standalone/backend',
  'standalone/other',
  'addon',
  'library',
  'configurationFiles',
] as const;
export const softwareTypeLabels = labels(softwareTypes, {
  'standalone/mobile': 'Application mobile',
  'standalone/iot': 'Objet connecté',
  'standalone/desktop': 'Logiciel de bureau',
  'standalone/web': 'Application web',
  'standalone/backend': 'Service (back-end)',
  'standalone/other': 'Autre logiciel autonome',
  addon: 'Extension',
  library: 'Bibliothèque',
  configurationFiles: 'Fichiers de configuration',
});
export const maintenanceTypes = ['internal', 'contract', 'community', 'none'] as const;
export const maintenanceLabels = labels(maintenanceTypes, { internal: 'Interne', contract: 'Prestataire', community: 'Communauté', none: 'Aucune' });
export const openingPriorities = ['haute', 'moyenne', 'basse'] as const;
export const openingPriorityLabels = labels(openingPriorities, { haute: 'Haute', moyenne: 'Moyenne', basse: 'Basse' });

/** Public algorithms: degree of automation and type. */
export const automations = ['fully_automated', 'decision_aid'] as const;
export const automationLabels = labels(automations, { fully_automated: 'Décision entièrement automatisée', decision_aid: 'Aide à la décision' });
export const algorithmTypes = ['rules', 'machine_learning'] as const;
export const algorithmTypeLabels = labels(algorithmTypes, { rules: 'Règles', machine_learning: 'Apprentissage automatique' });
/** Scope of the decision (Etalab's inventory: « Portée de la décision »). */
export const decisionScopes = ['external', 'internal'] as const;
export const decisionScopeLabels = labels(decisionScopes, {
  external: 'Portée externe (usagers, entreprises, collectivités…)',
  internal: 'Procédure interne (ex. mobilité des agents)',
});

/** What a version of the history records. */
export const versionActions = ['create', 'update', 'delete', 'import'] as const;
export const versionActionLabels = labels(versionActions, { create: 'Création', update: 'Modification', delete: 'Suppression', import: 'Import' });

// ---------------------------------------------------------------------------------------------
// Relations

export const relationTypes = ['produces', 'exposes', 'implements', 'uses', 'dependsOn', 'partOf', 'describes'] as const;
export const relationType = z.enum(relationTypes);
export type RelationType = z.infer<typeof relationType>;

/**
 * Which kinds each relation may join (from → to), its names read from each end, and the direction
 * in which a change propagates (for the impact list): `forward` when the target is affected by a
 * change of the source (an application and the datasets it produces), `backward` otherwise (the
 * API that exposes a dataset is affected when the dataset changes).
 */
export const relationRules: Record<
  RelationType,
  { from: readonly AssetKind[]; to: readonly AssetKind[]; label: string; inverse: string; impact: 'forward' | 'backward' }
> = {
  produces: { from: ['application'], to: ['dataset', 'data_model'], label: 'produit', inverse: 'est produit par', impact: 'forward' },
  exposes: { from: ['api'], to: ['dataset', 'data_model', 'application'], label: 'expose', inverse: 'est exposé par', impact: 'backward' },
  implements: { from: ['repository'], to: ['application', 'api', 'algorithm'], label: 'implémente', inverse: 'est implémenté par', impact: 'forward' },
  uses: {
    from: ['algorithm', 'application', 'api'],
    to: ['dataset', 'api', 'application', 'data_model'],
    label: 'utilise',
    inverse: 'est utilisé par',
    impact: 'backward',
  },
  dependsOn: {
    from: ['application', 'api', 'repository', 'algorithm', 'dataset'],
    to: ['application', 'api', 'dataset', 'repository', 'data_model'],
    label: 'dépend de',
    inverse: 'est une dépendance de',
    impact: 'backward',
  },
  partOf: { from: assetKinds, to: assetKinds, label: 'fait partie de', inverse: 'comprend', impact: 'backward' },
  describes: { from: ['data_model'], to: ['application', 'dataset', 'api'], label: 'décrit', inverse: 'est décrit par', impact: 'backward' },
};
/** A relation's name read from its source (« produit »). */
export const relationLabels = labels(relationTypes, {
  produces: relationRules.produces.label,
  exposes: relationRules.exposes.label,
  implements: relationRules.implements.label,
  uses: relationRules.uses.label,
  dependsOn: relationRules.dependsOn.label,
  partOf: relationRules.partOf.label,
  describes: relationRules.describes.label,
});

// ---------------------------------------------------------------------------------------------
// Input: the editable content of an asset

export const slugPattern = /^[a-z0-9][a-z0-9-]{0,79}$/;
export const slug = z.string().regex(slugPattern, 'minuscules, chiffres et tirets (1 à 80 caractères), sans accent');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');
const isoDateTime = z.iso.datetime({ offset: true, error: 'date et heure ISO 8601 attendues (2024-03-01T10:00:00Z)' });
/**
 * A web address the catalogue stores, shows as a link and publishes (DCAT, publiccode.yml): only
 * `http:` and `https:` — `javascript:`, `data:`, `file:`… are refused — with a message naming the
 * field (`label`). Every URL field of the catalogue uses it.
 */
export const httpUrl = (label: string) =>
  z
    .url({ protocol: /^https?$/, error: `${label} : adresse web http:// ou https:// attendue (javascript:, data: et autres schémas refusés)` })
    .max(2000, `${label} : 2000 caractères au plus`);
const shortText = z.string().max(500);
const longText = z.string().max(10_000);

/** Kind-specific fields. Every field is optional (completeness says what is missing); unknown keys are refused. */
export const specSchemas = {
  application: z
    .object({
      purpose: longText.optional(),
      users: shortText.optional(),
      hosting: shortText.optional(),
      technologies: z.array(z.string().max(100)).max(50).optional(),
      startedOn: isoDate.optional(),
      hasUpToDateSchema: z.boolean().optional(),
      hasDataDictionary: z.boolean().optional(),
    })
    .strict(),
  dataset: z
    .object({
      frequency: z.enum(frequencies).optional(),
      temporalCoverageStart: isoDate.optional(),
      temporalCoverageEnd: isoDate.optional(),
      spatialCoverage: shortText.optional(),
      licence: shortText.optional(),
      accessType: z.enum(accessTypes).optional(),
      schemaRef: shortText.optional(),
      datagouvId: z.string().max(100).optional(),
      datagouvUrl: httpUrl('adresse de la page data.gouv.fr').optional(),
      /** data.gouv.fr's status of an imported dataset: a private, archived or deleted one is never published (openness stays closed). */
      datagouvStatus: z.enum(['private', 'archived', 'deleted']).optional(),
      archivedAt: isoDateTime.optional(),
      acronym: z.string().max(100).optional(),
      /** The source organisation of an imported dataset (data.gouv.fr's), kept by name when it is not one of ours. */
      publisher: z
        .object({
          name: z.string().min(1).max(300),
          acronym: z.string().max(100).optional(),
          datagouvId: z.string().max(100).optional(),
          url: httpUrl('adresse de l’organisation source').optional(),
        })
        .strict()
        .optional(),
      /** Contact points as data.gouv.fr gives them (role: contact, publisher, creator…). */
      contactPoints: z
        .array(
          z
            .object({
              name: z.string().min(1).max(255),
              email: z.email('adresse électronique invalide').max(255).optional(),
              contactForm: httpUrl('formulaire de contact').optional(),
              role: z.string().max(50).optional(),
            })
            .strict(),
        )
        .max(20)
        .optional(),
      /** The schema the data follows (schema.data.gouv.fr name and version, or a URL). */
      schema: z
        .object({ name: z.string().max(300).optional(), version: z.string().max(50).optional(), url: httpUrl('adresse du schéma').optional() })
        .strict()
        .optional(),
      /** Covered zones as udata's GeoZone ids (country:fr, fr:commune:35327…), their granularity, and the GeoJSON geometry. */
      spatialZones: z.array(z.string().max(200)).max(500).optional(),
      spatialGranularity: z.string().max(100).optional(),
      spatialGeometry: z
        .object({ type: z.enum(['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon']), coordinates: z.array(z.unknown()) })
        .strict()
        .refine((g) => JSON.stringify(g).length <= 1_000_000, { message: 'géométrie trop volumineuse (1 Mo au plus)' })
        .optional(),
      /** Creation and last modification of the data at the source (data.gouv.fr's created_at, last_modified). */
      issued: isoDateTime.optional(),
      modified: isoDateTime.optional(),
      resources: z
        .array(
          z
            .object({
              title: z.string().min(1).max(300),
              url: httpUrl('adresse de la ressource'),
              format: z.string().max(50).optional(),
              size: z.number().int().min(0).optional(),
              /** udata's resource type: main, documentation, update, api, code, other. */
              type: z.string().max(50).optional(),
              description: longText.optional(),
              mime: z.string().max(200).optional(),
              checksum: z
                .object({ type: z.string().max(20), value: z.string().max(200) })
                .strict()
                .optional(),
              issued: isoDateTime.optional(),
              modified: isoDateTime.optional(),
            })
            .strict(),
        )
        .max(200)
        .optional(),
    })
    .strict(),
  data_model: z
    .object({
      tables: z
        .array(
          z
            .object({
              name: z.string().min(1).max(200),
              description: z.string().max(2000).optional(),
              columns: z
                .array(
                  z
                    .object({
                      name: z.string().min(1).max(200),
                      type: z.string().max(100).optional(),
                      description: z.string().max(2000).optional(),
                      personalData: z.boolean().optional(),
                      example: z.string().max(500).optional(),
                    })
                    .strict(),
                )
                .max(1000),
            })
            .strict(),
        )
        .max(1000)
        .optional(),
    })
    .strict(),
  api: z
    .object({
      baseUrl: httpUrl('URL de base de l’API').optional(),
      openapiUrl: httpUrl('adresse du document OpenAPI').optional(),
      /** OpenAPI document (JSON object): the structure every OpenAPI 3.x / Swagger 2.0 document has. */
      openapi: z
        .looseObject({
          openapi: z
            .string()
            .regex(/^3\.\d+\.\d+$/, 'version OpenAPI 3.x attendue (ex. 3.0.3)')
            .optional(),
          swagger: z.literal('2.0').optional(),
          info: z.looseObject({ title: z.string().min(1, 'info.title obligatoire'), version: z.string().min(1, 'info.version obligatoire') }),
          paths: z.record(z.string().regex(/^\//, 'chaque chemin commence par /'), z.unknown()).optional(),
        })
        .refine((d) => d.openapi !== undefined || d.swagger !== undefined, { message: 'champ « openapi » (3.x) ou « swagger » (2.0) manquant' })
        .refine((d) => JSON.stringify(d).length <= 2_000_000, { message: 'document OpenAPI trop volumineux (2 Mo au plus)' })
        .optional(),
      accessType: z.enum(accessTypes).optional(),
      rateLimit: shortText.optional(),
      availability: shortText.optional(),
      apiGouvRef: shortText.optional(),
    })
    .strict(),
  repository: z
    .object({
      url: httpUrl('adresse du dépôt de code').optional(),
      licence: z.string().max(100).optional(),
      developmentStatus: z.enum(developmentStatuses).optional(),
      softwareType: z.enum(softwareTypes).optional(),
      maintenance: z.enum(maintenanceTypes).optional(),
      platforms: z.array(z.string().max(50)).max(20).optional(),
      openingPriority: z.enum(openingPriorities).optional(),
      openingReasons: longText.optional(),
      /** The imported publiccode.yml, kept verbatim (keys the model has no field for are given back on export). */
      publiccode: z
        .record(z.string(), z.unknown())
        .refine((d) => JSON.stringify(d).length <= 1_000_000, { message: 'publiccode.yml trop volumineux (1 Mo au plus)' })
        .optional(),
    })
    .strict(),
  /**
   * A public algorithm: the fields of Etalab's fiche pratique « l'inventaire des principaux traitements algorithmiques »
   * (four groups: administration, business, impact of the decision, internal working) and the parameters with their
   * weighting that article R311-3-1-2 CRPA asks to explain. The directorate is the asset's owner, the name its title.
   */
  algorithm: z
    .object({
      // Administration
      /** « Nom de l'administration concernée » (ministry, authority), apart from the directorate (the owner). */
      administration: shortText.optional(),
      contact: shortText.optional(),
      /** « Date de mise à jour des informations » (the asset's last modification when absent). */
      infoUpdatedOn: isoDate.optional(),
      // Business: the algorithm and the decision
      /** « Contexte global »: why the decision is taken, by whom, what tasks. */
      context: longText.optional(),
      purpose: longText.optional(),
      /** « Comment et quand l'algorithme intervient-il dans la prise de décision ? » */
      decisionRole: longText.optional(),
      automation: z.enum(automations).optional(),
      legalBasis: longText.optional(),
      /** « Ressources connexes » of the business group (e.g. the platform where the form is filled). */
      relatedResources: longText.optional(),
      // Impact of the decision
      individualDecisions: z.boolean().optional(),
      decisionsPerYear: z.number().int().min(0).optional(),
      decisionScope: z.enum(decisionScopes).optional(),
      publicConcerned: shortText.optional(),
      /** « Ressources connexes » of the impact group. */
      impactResources: longText.optional(),
      // Internal working
      dataUsed: longText.optional(),
      /** « Source des données traitées »: who provides them and how (a file, an API…). */
      dataSources: longText.optional(),
      /** « Mode de collecte des données traitées ». */
      collectionMode: longText.optional(),
      algorithmType: z.enum(algorithmTypes).optional(),
      /** « Opérations effectuées par l'algorithme ». */
      operations: longText.optional(),
      /** Parameters of the processing and, where applicable, their weighting (R311-3-1-2 CRPA, 3°). */
      parameters: z
        .array(
          z
            .object({
              name: z.string().trim().min(1, 'nom du paramètre obligatoire').max(200),
              weight: z.union([z.number(), z.string().max(200)]).optional(),
              description: shortText.optional(),
            })
            .strict(),
        )
        .max(200)
        .optional(),
      codeOrFlowchartUrl: httpUrl('lien vers le code ou le logigramme').optional(),
      /** « Ressources connexes » of the internal-working group, besides the code or flowchart link. */
      technicalResources: longText.optional(),
    })
    .strict(),
} satisfies Record<AssetKind, z.ZodType>;
export type AssetSpec<K extends AssetKind = AssetKind> = z.infer<(typeof specSchemas)[K]>;

export const contactInput = z
  .object({ role: contactRole, name: z.string().min(1).max(200), email: z.email('adresse électronique invalide').max(200).optional() })
  .strict();

/** The editable envelope of an asset, as the API, the UI and the YAML import receive it. */
export const assetInput = z
  .object({
    kind: assetKind,
    slug,
    title: z.string().trim().min(2, 'titre trop court').max(300),
    description: z.string().max(50_000).default(''),
    /** Owning organisation's code (DNUM, DSR…). */
    owner: z.string().max(20).nullable().default(null),
    contacts: z.array(contactInput).max(50).default([]),
    tags: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
    lifecycle: lifecycle.default('en_service'),
    decommissionPlannedOn: isoDate.nullable().default(null),
    decommissionedOn: isoDate.nullable().default(null),
    openness: openness.default('ferme'),
    opennessReason: z.string().max(2000).nullable().default(null),
    personalData: z.boolean().default(false),
    /** Kind-specific fields, checked against the kind's schema (`specSchemas`) by the service. */
    spec: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type AssetInput = z.output<typeof assetInput>;

// ---------------------------------------------------------------------------------------------
// Output

/** An asset as the API returns it. */
export const asset = z.object({
  id: uuid,
  kind: assetKind,
  slug: z.string(),
  /** `kind:slug`, how relations and files refer to the asset. */
  ref: z.string(),
  title: z.string(),
  description: z.string(),
  /** Owning organisation's code, and its name. */
  owner: z.string().nullable(),
  ownerName: z.string().nullable(),
  organisationId: uuid.nullable(),
  contacts: z.array(z.object({ role: contactRole, name: z.string(), email: z.string().optional() })),
  tags: z.array(z.string()),
  lifecycle,
  decommissionPlannedOn: isoDay.nullable(),
  decommissionedOn: isoDay.nullable(),
  openness,
  opennessReason: z.string().nullable(),
  personalData: z.boolean(),
  spec: z.record(z.string(), z.unknown()),
  /** Completeness score, 0–100. */
  completeness: z.number().int(),
  /** Demo content, not real ministry data. */
  isDemo: z.boolean(),
  version: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** Login of who changed the asset last (`system` for the platform: show it with `actorLabel`). */
  updatedBy: z.string(),
  /** Last confirmation of the description by its owner (an edit or a review campaign), or null. */
  lastConfirmedAt: timestamp.nullable(),
  /** Not confirmed for longer than the review policy's period (A28). */
  stale: z.boolean(),
});
export type Asset = z.output<typeof asset>;

export const completenessCheck = z.object({ id: z.string(), label: z.string(), ok: z.boolean() });
export const completenessResult = z.object({ score: z.number().int(), checks: z.array(completenessCheck) });
export type CompletenessCheck = z.output<typeof completenessCheck>;

const assetSummary = z.object({ id: uuid, kind: assetKind, slug: z.string(), title: z.string() });

/** A relation as read from one of its ends. */
export const assetRelation = z.object({
  id: uuid,
  type: relationType,
  direction: z.enum(['outgoing', 'incoming']),
  /** The relation's name read from this end (« produit », « est produit par »). */
  label: z.string(),
  from: z.string(),
  to: z.string(),
  other: assetSummary.nullable(),
  note: z.string().nullable(),
  since: isoDay.nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
});

/** An asset page: the asset, its completeness checks, its relations (both directions), and whether the caller may edit it. */
export const assetDetail = z.object({
  asset,
  completeness: completenessResult,
  relations: z.array(assetRelation),
  canEdit: z.boolean(),
  /** Why the caller may not change the asset (French, for a read-only view), or null when they may. */
  editRefusal: z.string().nullable(),
});
export type AssetDetail = z.output<typeof assetDetail>;

export const facetKeys = ['kind', 'owner', 'lifecycle', 'openness', 'personalData', 'tags'] as const;
export type FacetKey = (typeof facetKeys)[number];
const counts = z.record(z.string(), z.number().int());
/** Count of matches per value, for each facet (owner by code, personalData as oui/non, the 30 most used tags). */
export const facets = z.object({ kind: counts, owner: counts, lifecycle: counts, openness: counts, personalData: counts, tags: counts });
export type Facets = z.output<typeof facets>;

/** A comma-separated or repeated query parameter. */
const list = (max = 20) =>
  z
    .preprocess(
      (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).filter(Boolean)),
      z.array(z.string().max(100)).max(max),
    )
    .optional();

export const searchQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1.'),
  pageSize: z.coerce.number().int().min(1).max(500).default(50).describe('Items per page (max 500).'),
  q: z
    .string()
    .max(200)
    .optional()
    .describe(
      'Recherche en français : accents, pluriels, fautes de frappe et synonymes tolérés ; résultats classés par nombre de mots trouvés (titre, puis mots-clés, puis description), chaque mot devenant facultatif quand tous ensemble trouvent trop peu',
    ),
  kind: list(),
  owner: list(),
  lifecycle: list(),
  openness: list(),
  tags: list(),
  personalData: z.enum(['true', 'false', 'oui', 'non']).optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: download every match as CSV.'),
});

/** How the query was understood (ADR 0106): words kept, corrections, synonyms, relaxed matching. */
export const searchInterpretation = z.object({
  /** Query words (or synonym expressions) that count, French stop words apart. */
  terms: z.array(z.string()),
  /** Words found nowhere, with the title word tried in their place. */
  corrections: z.array(z.object({ word: z.string(), correction: z.string() })),
  /** Expressions of the query with the synonyms also searched (the data team's list). */
  synonyms: z.array(z.object({ expression: z.string(), alternatives: z.array(z.string()) })),
  /**
   * Least number of terms an item matches: `terms.length` when every term must match (strict);
   * fewer when strict matching found too little and the search was relaxed.
   */
  minMatched: z.number().int(),
  relaxed: z.boolean(),
});
export type SearchInterpretation = z.output<typeof searchInterpretation>;

/** What a search that found nothing offers instead. */
export const searchSuggestions = z.object({
  /** Queries to try, words replaced by the closest title words (less strict than the automatic correction). */
  queries: z.array(z.string()),
  /** Assets whose title resembles the query, whatever the filters (visible to the caller). */
  related: z.array(z.object({ kind: assetKind, slug: z.string(), title: z.string() })),
  /** How many assets match the query without the filters, when filters were set (counted up to 1,000). */
  withoutFilters: z.number().int().nullable(),
});

export const searchResult = z.object({
  items: z.array(asset),
  total: z.number().int(),
  facets,
  estimated: z
    .boolean()
    .describe('True when total and facets were extrapolated from a sample of the catalogue (very large match sets, ADR 0102); the items are exact.'),
  interpretation: searchInterpretation.nullable().describe('How the query was understood (null without a query).'),
  suggestions: searchSuggestions.nullable().describe('Only when a query found nothing: corrections to try and related assets.'),
});

// ---------------------------------------------------------------------------------------------
// Synonyms of the search (edited by the data team)

const synonymTerm = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/[\p{L}\p{N}]/u, 'au moins une lettre ou un chiffre');
/** A group of equivalent expressions: searching one also searches the others. */
export const synonymInput = z.object({
  terms: z
    .array(synonymTerm)
    .min(2, 'au moins deux expressions équivalentes')
    .max(12, 'au plus 12 expressions')
    .describe('Expressions équivalentes (« carte grise », « certificat d’immatriculation »)'),
  note: z.string().trim().max(500).optional().nullable(),
});
export type SynonymInput = z.input<typeof synonymInput>;
export const synonymGroup = z.object({
  id: uuid,
  terms: z.array(z.string()),
  note: z.string().nullable(),
  updatedBy: z.string(),
  updatedAt: timestamp,
});
export type SynonymGroup = z.output<typeof synonymGroup>;
export type SearchResult = z.output<typeof searchResult>;

/** Kinds, vocabularies and relation rules (for clients that do not bundle this contract). */
export const catalogMeta = z.object({
  kinds: z.record(z.string(), z.string()),
  lifecycles: z.array(lifecycle),
  openness: z.array(openness),
  contactRoles: z.array(contactRole),
  relations: z.record(z.string(), z.object({ from: z.array(assetKind), to: z.array(assetKind), label: z.string(), inverse: z.string() })),
});

export const refParams = z.object({ kind: assetKind, slug });
export const slugParams = z.object({ slug });

export const historyItem = z.object({
  version: z.number().int(),
  action: z.enum(versionActions),
  /** Login of who made the change (`system` for the platform: show it with `actorLabel`). */
  actor: z.string(),
  at: timestamp,
  snapshot: z.record(z.string(), z.unknown()),
});
export type HistoryItem = z.output<typeof historyItem>;

export const graphQuery = z.object({ depth: z.coerce.number().int().min(1).max(3).default(1), types: list(10) });
export const graph = z.object({
  root: uuid,
  truncated: z.boolean(),
  nodes: z.array(
    z.object({ id: uuid, ref: z.string(), kind: assetKind, slug: z.string(), title: z.string(), owner: z.string().nullable(), depth: z.number().int() }),
  ),
  edges: z.array(z.object({ id: uuid, type: relationType, from: uuid, to: uuid, note: z.string().nullable() })),
});
export type Graph = z.output<typeof graph>;

export const impactItem = z.object({
  ref: z.string(),
  kind: assetKind,
  slug: z.string(),
  title: z.string(),
  owner: z.string().nullable(),
  lifecycle,
  depth: z.number().int(),
  /** The relation through which the change propagates to this asset. */
  relation: relationType,
  /** The asset it comes from (`kind:slug`). */
  through: z.string(),
});
export type ImpactItem = z.output<typeof impactItem>;

export const relationsQuery = z.object({
  asset: z.string().max(200).optional().describe('kind:slug: the relations of this asset, both directions'),
  type: relationType.optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: download the list as CSV.'),
});
export const relationListItem = z.object({
  id: uuid,
  type: relationType,
  from: z.string(),
  fromTitle: z.string(),
  to: z.string(),
  toTitle: z.string(),
  /** Relative to `?asset=` (null when listing all relations). */
  direction: z.enum(['outgoing', 'incoming']).nullable(),
  note: z.string().nullable(),
  since: isoDay.nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
});

const refPattern = /^[a-z_]+:[a-z0-9-]+$/;
export const relationInput = z.object({
  type: relationType,
  from: z.string().regex(refPattern, 'référence attendue : type:identifiant'),
  to: z.string().regex(refPattern, 'référence attendue : type:identifiant'),
  note: z.string().max(1000).nullable().optional(),
  since: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ')
    .nullable()
    .optional(),
});
export const relationCreated = z.object({ id: uuid });

export const updateAssetHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^"?\d+"?$/)
    .optional(),
});
export const updateAssetQuery = z.object({ version: z.coerce.number().int().min(1).optional().describe('Expected current version (same as If-Match)') });

export const dashboardQuery = z.object({ owner: z.string().max(20).optional() });
export const dashboard = z.object({
  byKind: z.array(z.object({ kind: assetKind, n: z.number().int(), completeness: z.number().int() })),
  byOpenness: z.array(z.object({ kind: assetKind, openness, n: z.number().int() })),
  byOrg: z.array(
    z.object({
      code: z.string().nullable(),
      name: z.string().nullable(),
      n: z.number().int(),
      completeness: z.number().int(),
      ouvert: z.number().int(),
      a_ouvrir: z.number().int(),
    }),
  ),
  toDecommission: z.array(z.object({ kind: assetKind, slug: z.string(), title: z.string(), lifecycle, planned: isoDay.nullable() })),
  algorithmsToPublish: z.array(z.object({ kind: assetKind, slug: z.string(), title: z.string(), openness })),
  /** Assets that became `ouvert` after having been `a_ouvrir`. */
  openedFromPlan: z.number().int(),
});
export type Dashboard = z.output<typeof dashboard>;

// ---------------------------------------------------------------------------------------------
// Import / export and exchange formats

export const exportQuery = z.object({ format: z.enum(['yaml', 'json']).default('yaml') });

/** The catalogue file (YAML or JSON): every asset (the `assetInput` fields, defaults left out) and relation, without ids or dates. */
export const catalogFile = z.object({
  version: z.literal(1),
  assets: z.array(z.record(z.string(), z.unknown())),
  relations: z.array(z.object({ type: relationType, from: z.string(), to: z.string(), note: z.string().optional(), since: isoDay.optional() })),
});

export const importSummary = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  relationsCreated: z.number().int(),
  relationsUpdated: z.number().int(),
});
/** What an import did (or would do, for a dry run): the summary and a readable diff. */
export const importReport = z.object({ dryRun: z.boolean(), diff: z.string(), summary: importSummary });
export type ImportReport = z.output<typeof importReport>;
/** The report of a catalogue file import, with the changed assets field by field. */
export const catalogImportReport = importReport.extend({
  assets: z.array(
    z.object({
      action: z.enum(['create', 'update', 'unchanged']),
      ref: z.string(),
      changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
    }),
  ),
});

export const importInput = z.object({ content: z.string().min(1, 'fichier vide').max(5_000_000), dryRun: z.boolean().default(false) });
export const dictionaryInput = z.object({
  content: z.string().min(1, 'fichier vide').max(5_000_000),
  format: z.enum(['csv', 'sql']).optional().describe('Detected when absent (CREATE TABLE → sql)'),
  dryRun: z.boolean().default(false),
});
export const publiccodeInput = z.object({
  content: z.string().min(1, 'fichier vide').max(1_000_000),
  slug,
  owner: z.string().max(20).nullable().optional(),
  dryRun: z.boolean().default(false),
});
export const datagouvImportInput = z.object({
  content: z.string().min(1, 'fichier vide').max(20_000_000),
  owner: z.string().min(1, 'organisation obligatoire').max(20),
  dryRun: z.boolean().default(false),
});

/** A text document (RDF, YAML, CSV) as the response of a route that sends one. */
export const textDocument = (description: string) => z.string().describe(description);
