import { z } from 'zod';

/** The kinds of assets the catalogue describes. */
export const assetKinds = ['application', 'dataset', 'data_model', 'api', 'repository', 'algorithm'] as const;
export type AssetKind = (typeof assetKinds)[number];

export const kindLabels: Record<AssetKind, string> = {
  application: 'Application (système d’information)',
  dataset: 'Jeu de données',
  data_model: 'Modèle de données',
  api: 'API',
  repository: 'Code source',
  algorithm: 'Algorithme public',
};

export const lifecycles = ['projet', 'en_service', 'a_decommissionner', 'decommissionne'] as const;
export type Lifecycle = (typeof lifecycles)[number];

export const opennessValues = ['ferme', 'a_ouvrir', 'ouvert', 'non_ouvrable'] as const;
export type Openness = (typeof opennessValues)[number];

export const contactRoles = ['responsable_fonctionnel', 'administrateur_donnees', 'referent_technique', 'dpo', 'contact_public', 'autre'] as const;

const slugRe = /^[a-z0-9][a-z0-9-]{0,79}$/;
export const slugSchema = z.string().regex(slugRe, 'minuscules, chiffres et tirets (1 à 80 caractères), sans accent');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');
const url = z.url('adresse web invalide').max(2000);
const shortText = z.string().max(500);
const longText = z.string().max(10_000);
const accessTypes = ['open', 'open_with_account', 'restricted'] as const;

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
      frequency: z
        .enum(['unknown', 'punctual', 'continuous', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'semiannual', 'annual', 'irregular'])
        .optional(),
      temporalCoverageStart: isoDate.optional(),
      temporalCoverageEnd: isoDate.optional(),
      spatialCoverage: shortText.optional(),
      licence: shortText.optional(),
      accessType: z.enum(accessTypes).optional(),
      schemaRef: shortText.optional(),
      datagouvId: z.string().max(100).optional(),
      datagouvUrl: url.optional(),
      resources: z
        .array(z.object({ title: z.string().min(1).max(300), url, format: z.string().max(50).optional(), size: z.number().int().min(0).optional() }).strict())
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
      baseUrl: url.optional(),
      openapiUrl: url.optional(),
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
      url: url.optional(),
      licence: z.string().max(100).optional(),
      developmentStatus: z.enum(['concept', 'development', 'beta', 'stable', 'obsolete']).optional(),
      softwareType: z
        .enum([
          'standalone/mobile',
          'standalone/iot',
          'standalone/desktop',
          'standalone/web',
          'standalone/backend',
          'standalone/other',
          'addon',
          'library',
          'configurationFiles',
        ])
        .optional(),
      maintenance: z.enum(['internal', 'contract', 'community', 'none']).optional(),
      platforms: z.array(z.string().max(50)).max(20).optional(),
      openingPriority: z.enum(['haute', 'moyenne', 'basse']).optional(),
      openingReasons: longText.optional(),
    })
    .strict(),
  algorithm: z
    .object({
      purpose: longText.optional(),
      legalBasis: longText.optional(),
      individualDecisions: z.boolean().optional(),
      automation: z.enum(['fully_automated', 'decision_aid']).optional(),
      decisionsPerYear: z.number().int().min(0).optional(),
      publicConcerned: shortText.optional(),
      dataUsed: longText.optional(),
      algorithmType: z.enum(['rules', 'machine_learning']).optional(),
      codeOrFlowchartUrl: url.optional(),
      contact: shortText.optional(),
    })
    .strict(),
} satisfies Record<AssetKind, z.ZodType>;

export type AssetSpec<K extends AssetKind = AssetKind> = z.infer<(typeof specSchemas)[K]>;

export const contactSchema = z
  .object({ role: z.enum(contactRoles), name: z.string().min(1).max(200), email: z.email('adresse électronique invalide').max(200).optional() })
  .strict();

/** The editable envelope of an asset, as the API, the UI and the YAML import receive it. */
export const assetInputSchema = z
  .object({
    kind: z.enum(assetKinds),
    slug: slugSchema,
    title: z.string().trim().min(2, 'titre trop court').max(300),
    description: z.string().max(50_000).default(''),
    /** Owning organisation's code (DNUM, DSR…). */
    owner: z.string().max(20).nullable().default(null),
    contacts: z.array(contactSchema).max(50).default([]),
    tags: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
    lifecycle: z.enum(lifecycles).default('en_service'),
    decommissionPlannedOn: isoDate.nullable().default(null),
    decommissionedOn: isoDate.nullable().default(null),
    openness: z.enum(opennessValues).default('ferme'),
    opennessReason: z.string().max(2000).nullable().default(null),
    personalData: z.boolean().default(false),
    spec: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type AssetInput = z.infer<typeof assetInputSchema>;

/** Cross-field rules zod's shape cannot express; returns `[field, message]` pairs. */
export function envelopeProblems(a: AssetInput): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (a.openness === 'non_ouvrable' && !a.opennessReason?.trim()) {
    out.push({
      field: 'opennessReason',
      message: 'motif juridique obligatoire pour un actif non ouvrable (ex. secret protégé par l’article L311-5 du CRPA, données personnelles)',
    });
  }
  if (a.lifecycle === 'decommissionne' && !a.decommissionedOn)
    out.push({ field: 'decommissionedOn', message: 'date de décommissionnement obligatoire pour un actif décommissionné' });
  if (a.openness === 'ouvert' && a.personalData)
    out.push({ field: 'personalData', message: 'un actif contenant des données personnelles ne peut pas être ouvert tel quel' });
  return out;
}

/** Validates the kind-specific fields; errors are prefixed `spec.`. */
export function parseSpec(
  kind: AssetKind,
  spec: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: { field: string; message: string }[] } {
  const r = specSchemas[kind].safeParse(spec ?? {});
  if (r.success) return { ok: true, value: dropUndefined(r.data as Record<string, unknown>) };
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({
      field: ['spec', ...i.path.map(String)].join('.'),
      message: i.code === 'unrecognized_keys' ? `champ inconnu pour le type ${kind} : ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
    })),
  };
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------------------------
// Relations

export const relationTypes = ['produces', 'exposes', 'implements', 'uses', 'dependsOn', 'partOf', 'describes'] as const;
export type RelationType = (typeof relationTypes)[number];

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

/** Null when `from -type-> to` is allowed, otherwise the reason in French. */
export function relationProblem(type: RelationType, fromKind: AssetKind, toKind: AssetKind, sameAsset: boolean): string | null {
  if (sameAsset) return 'un actif ne peut pas être relié à lui-même';
  const r = relationRules[type];
  if (!r.from.includes(fromKind) || !r.to.includes(toKind)) {
    return `la relation « ${type} » relie ${r.from.join(', ')} → ${r.to.join(', ')} ; pas ${fromKind} → ${toKind}`;
  }
  return null;
}

/** `kind:slug` reference parsing. */
export function parseRef(ref: string): { kind: AssetKind; slug: string } | null {
  const m = /^([a-z_]+):(.+)$/.exec(ref.trim());
  if (!m || !(assetKinds as readonly string[]).includes(m[1]!) || !slugRe.test(m[2]!)) return null;
  return { kind: m[1] as AssetKind, slug: m[2]! };
}
