/**
 * Gateway contract: the control plane (`/api/gateway/...`: APIs, plans, OpenAPI versions, applications,
 * keys, OAuth2 clients, subscriptions, usage, availability, declarative configuration) and the OAuth2
 * endpoints (`/oauth/token`, `/oauth/introspect`, `/.well-known/...`). The data plane (`/gw/:slug/*`)
 * proxies the upstream's bytes and has no schema of its own.
 */
import { z } from 'zod';
import { labels, timestamp } from './common.ts';

// ---------- enums and their French labels ----------

/** Who may subscribe: anyone at once, or on request validated by the producer. */
export const gwVisibilities = ['public', 'restricted'] as const;
export const gwVisibility = z.enum(gwVisibilities);
export type GwVisibility = z.infer<typeof gwVisibility>;
export const gwVisibilityLabels = labels(gwVisibilities, { public: 'public', restricted: 'restreint' });
/** What each visibility means for a consumer (shown next to the label). */
export const gwVisibilityHints = labels(gwVisibilities, {
  public: 'abonnement immédiat',
  restricted: 'sur demande, validée par le producteur',
});

/** How a plan's subscriptions are approved. */
export const gwApprovals = ['auto', 'manual'] as const;
export const gwApproval = z.enum(gwApprovals);
export const gwApprovalLabels = labels(gwApprovals, { auto: 'automatique', manual: 'sur validation' });

export const gwSubscriptionStates = ['pending', 'active', 'rejected', 'revoked'] as const;
export const gwSubscriptionState = z.enum(gwSubscriptionStates);
export type GwSubscriptionState = z.infer<typeof gwSubscriptionState>;
export const gwSubscriptionStateLabels = labels(gwSubscriptionStates, {
  pending: 'en attente de validation',
  active: 'actif',
  rejected: 'refusé',
  revoked: 'révoqué',
});

/** What the data plane does when the shared rate-limit store is unreachable. */
export const gwFailPolicies = ['open', 'closed'] as const;
export const gwFailPolicy = z.enum(gwFailPolicies);
export const gwFailPolicyLabels = labels(gwFailPolicies, {
  open: 'ouverte (les appels passent sans limite)',
  closed: 'fermée (les appels sont refusés)',
});

/** How an OAuth2 client authenticates at the token endpoint. */
export const gwAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export const gwAuthMethod = z.enum(gwAuthMethods);
export type GwAuthMethod = z.infer<typeof gwAuthMethod>;
export const gwAuthMethodLabels = labels(gwAuthMethods, {
  client_secret_basic: 'secret (en-tête Basic)',
  client_secret_post: 'secret (dans le corps de la requête)',
  private_key_jwt: 'clé privée (assertion JWT signée)',
});

/** A producer's decision on a subscription. */
export const gwDecisions = ['approve', 'reject', 'revoke'] as const;
export const gwDecision = z.enum(gwDecisions);
export type GwDecision = z.infer<typeof gwDecision>;
export const gwDecisionLabels = labels(gwDecisions, { approve: 'accepter', reject: 'refuser', revoke: 'révoquer' });

export const gwGranularities = ['minute', 'hour', 'day'] as const;
export const gwGranularity = z.enum(gwGranularities);
export type GwGranularity = z.infer<typeof gwGranularity>;
export const gwGranularityLabels = labels(gwGranularities, { minute: 'par minute', hour: 'par heure', day: 'par jour' });

// ---------- request schemas (HTTP routes and the declarative configuration) ----------

export const slugSchema = z
  .string()
  .min(2, '2 caractères au moins')
  .max(60, '60 caractères au plus')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lettres minuscules, chiffres et tirets (ni au début ni à la fin)');

/** `{api}` of `/api/gateway/apis/{api}/…`: the API's id (UUID) or its slug, for every method. */
export const gwApiParams = z.object({ api: z.string().min(1).max(60).describe('Identifiant (UUID) ou identifiant d’URL (slug) de l’API') });

const limit = z.number().int().min(1, 'au moins 1').max(10_000_000).nullable();
const scope = z.string().regex(/^[\w:.-]{1,100}$/, 'portée invalide');

export const apiInput = z.object({
  slug: slugSchema,
  name: z.string().trim().min(2, 'nom trop court').max(200),
  description: z.string().max(5000).default(''),
  audience: z.string().max(1000).default(''),
  organisationCode: z.string().max(40).optional(),
  visibility: gwVisibility.default('public'),
  upstreamUrl: z.string().max(2000),
  upstreamUrls: z.array(z.string().max(2000)).max(10, '10 amonts supplémentaires au plus').default([]),
  timeoutMs: z.number().int().min(100, '100 ms au moins').max(120_000, '120 s au plus').default(10_000),
  allowPrivateUpstream: z.boolean().default(false),
  requiredScope: scope.nullable().default(null),
  /** Behind FranceConnect (ADR 0012): the consent scopes the citizen's token must carry; null: not behind FranceConnect. */
  franceconnectScopes: z
    .array(z.string().regex(/^[\w:.-]{1,100}$/, 'scope FranceConnect invalide'))
    .min(1, 'au moins un scope FranceConnect')
    .max(30, '30 scopes au plus')
    .nullable()
    .default(null),
  failPolicy: gwFailPolicy.default('open'),
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  enabled: z.boolean().default(true),
  healthPath: z.string().max(500).regex(/^\//, 'commence par /').default('/'),
  catalogAssetId: z.uuid().nullable().optional(),
});
export type ApiInput = z.infer<typeof apiInput>;
/** What callers pass (defaults filled in by the service). */
export type ApiInputRaw = z.input<typeof apiInput>;
// Explicit optional fields: a patch must not fill in the defaults of fields it does not mention.
export const apiPatch = z.object(
  Object.fromEntries(
    Object.entries(apiInput.shape)
      .filter(([k]) => k !== 'slug')
      .map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()]),
  ),
) as unknown as z.ZodObject<{
  [K in Exclude<keyof typeof apiInput.shape, 'slug'>]: z.ZodOptional<
    z.ZodType<NonNullable<z.infer<typeof apiInput>[K]> | (null extends z.infer<typeof apiInput>[K] ? null : never)>
  >;
}>;
export type ApiPatch = z.infer<typeof apiPatch>;

export const planInput = z
  .object({
    slug: slugSchema,
    name: z.string().trim().min(2, 'nom trop court').max(200),
    keyless: z.boolean().default(false),
    perSecond: limit.default(null),
    perMinute: limit.default(null),
    perDay: limit.default(null),
    perMonth: limit.default(null),
    approval: gwApproval.default('auto'),
    scopes: z.array(scope).max(50).default([]),
  })
  .refine((p) => !p.keyless || p.perSecond !== null || p.perMinute !== null || p.perDay !== null, {
    message: 'un plan sans clé doit avoir une limite',
    path: ['perSecond'],
  });
export type PlanInput = z.infer<typeof planInput>;
export type PlanInputRaw = z.input<typeof planInput>;
export const planPatch = z.object({
  name: z.string().trim().min(2).max(200).optional(),
  perSecond: limit.optional(),
  perMinute: limit.optional(),
  perDay: limit.optional(),
  perMonth: limit.optional(),
  approval: gwApproval.optional(),
  scopes: z.array(scope).max(50).optional(),
});
export type PlanPatch = z.infer<typeof planPatch>;

export const appInput = z.object({
  slug: slugSchema.optional(),
  name: z.string().trim().min(2, 'nom trop court').max(200),
  description: z.string().max(2000).default(''),
  organisationCode: z.string().max(40).optional(),
});
export type AppInput = z.infer<typeof appInput>;

export const subscribeInput = z.object({ planId: z.uuid(), reason: z.string().max(2000).default('') });
export const keyInput = z.object({
  name: z.string().trim().max(100).default(''),
  expiresInDays: z.number().int().min(1).max(730).nullable().default(365),
});
export type KeyInput = z.infer<typeof keyInput>;
export const rotateKeyInput = z.object({ overlapHours: z.number().int().min(0).max(720).default(24) });
export const clientInput = z.object({
  authMethod: gwAuthMethod.default('client_secret_basic'),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).max(10) }).optional(),
});
export type ClientInput = z.infer<typeof clientInput>;
export const decisionParams = z.object({ id: z.uuid(), decision: gwDecision });

/** A minimal structural check of an OpenAPI 3 document (the portal renders paths and operations). */
export const openApiDocument = z
  .object({
    openapi: z.string().regex(/^3\.\d+(\.\d+)?$/, 'version OpenAPI 3.x attendue (champ openapi)'),
    info: z.object({ title: z.string().min(1, 'titre requis'), version: z.string().min(1, 'version requise') }).passthrough(),
    paths: z.record(z.string().regex(/^\//, 'un chemin commence par /'), z.record(z.string(), z.unknown())),
  })
  .passthrough();
/** Body of `PUT …/openapi`: any JSON object, checked by the service (shape, then the official schema). */
export const specInput = z.record(z.string(), z.unknown()).describe('Document OpenAPI 3 (JSON)');
export const specQuery = z.object({ version: z.coerce.number().int().min(1).optional().describe('Version du document (par défaut : la dernière)') });

export const usageQuery = z.object({
  apiId: z.uuid().optional(),
  applicationId: z.uuid().optional(),
  granularity: gwGranularity.default('hour'),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv : les lignes agrégées en CSV'),
});

export const configApplyInput = z.object({ yaml: z.string().max(2 * 1024 * 1024), dryRun: z.boolean().default(true) });

// ---------- response schemas ----------

export const gwPlan = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  keyless: z.boolean(),
  perSecond: z.number().int().nullable(),
  perMinute: z.number().int().nullable(),
  perDay: z.number().int().nullable(),
  perMonth: z.number().int().nullable(),
  approval: gwApproval,
  scopes: z.array(z.string()),
});
export type GwPlan = z.output<typeof gwPlan>;

/** An API as its producer registered it. */
export const gwApi = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  audience: z.string(),
  visibility: gwVisibility,
  upstreamUrl: z.string(),
  upstreamUrls: z.array(z.string()),
  timeoutMs: z.number().int(),
  allowPrivateUpstream: z.boolean(),
  requiredScope: z.string().nullable(),
  franceconnectScopes: z.array(z.string()).nullable().describe('Scopes FranceConnect que le jeton du citoyen doit porter (null : API non FranceConnectée)'),
  failPolicy: gwFailPolicy,
  maxBodyBytes: z.number().int(),
  enabled: z.boolean(),
  catalogAssetId: z.uuid().nullable(),
  specVersion: z.number().int().describe('Dernière version du document OpenAPI (0 : aucun)'),
  healthPath: z.string(),
  updatedAt: timestamp,
});
export type GwApi = z.output<typeof gwApi>;

/** Where an API's traffic goes: shown to those who manage the API only (never to the public portal). */
const managedOnly = {
  upstreamUrl: z.string().optional().describe('Présent pour les gestionnaires de l’API seulement'),
  upstreamUrls: z.array(z.string()).optional().describe('Présent pour les gestionnaires de l’API seulement'),
  allowPrivateUpstream: z.boolean().optional().describe('Présent pour les gestionnaires de l’API seulement'),
  healthPath: z.string().optional().describe('Présent pour les gestionnaires de l’API seulement'),
  lastProbe: z
    .object({ at: timestamp, ok: z.boolean(), reason: z.string().nullable() })
    .nullable()
    .optional()
    .describe('Dernière sonde de disponibilité (gestionnaires de l’API seulement)'),
};
export const MANAGED_ONLY_FIELDS = Object.keys(managedOnly) as (keyof typeof managedOnly)[];

/** An API in the portal's catalogue: with its producer, plans and 30-day availability. */
export const gwApiSummary = gwApi.extend({
  ...managedOnly,
  organisationCode: z.string(),
  organisationName: z.string(),
  canManage: z.boolean().describe('Le demandeur gère cette API'),
  availability: z.number().min(0).max(1).nullable().describe('Part des sondes réussies sur 30 jours (null : pas encore mesurée)'),
  plans: z.array(gwPlan),
});
export type GwApiSummary = z.output<typeof gwApiSummary>;

export const gwIncident = z.object({ start: timestamp, end: timestamp.nullable(), probes: z.number().int(), reason: z.string() });
export const gwSpecVersion = z.object({ version: z.number().int(), createdBy: z.string(), createdAt: timestamp });
export const gwApiDetail = gwApiSummary.extend({
  catalogAsset: z.object({ kind: z.string(), slug: z.string(), title: z.string() }).nullable(),
  probes: z.number().int().describe('Sondes de disponibilité sur 30 jours'),
  incidents: z.array(gwIncident),
  specVersions: z.array(gwSpecVersion),
});
export type GwApiDetail = z.output<typeof gwApiDetail>;

export const specVersionCreated = z.object({ version: z.number().int() });
/** Loose on purpose: the producer's document, as stored (checked at upload). */
export const storedOpenApiDocument = z.looseObject({}).describe('Document OpenAPI 3 déposé par le producteur');

export const identityKey = z.object({
  algorithm: z.string(),
  key: z.string().describe('Clé HMAC (base64)'),
  header: z.string(),
  signatureHeader: z.string(),
  format: z.string(),
});

/** A subscription as stored (answer of a request or a decision). */
export const gwSubscription = z.object({
  id: z.uuid(),
  applicationId: z.uuid(),
  apiId: z.uuid(),
  planId: z.uuid(),
  state: gwSubscriptionState,
  reason: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: timestamp.nullable(),
  createdAt: timestamp,
});
/** A subscription seen by the API's producer. */
export const gwApiSubscription = z.object({
  id: z.uuid(),
  state: gwSubscriptionState,
  reason: z.string(),
  createdAt: timestamp,
  application: z.object({ id: z.uuid(), name: z.string(), organisationCode: z.string().nullable() }),
  plan: z.string().describe('Nom du plan'),
});
export type GwApiSubscription = z.output<typeof gwApiSubscription>;

export const gwApp = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  organisationId: z.uuid().nullable(),
  ownerId: z.uuid().nullable(),
  createdAt: timestamp,
});
export type GwApp = z.output<typeof gwApp>;

export const gwKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
});
export type GwKey = z.output<typeof gwKey>;
/** A new key: its value is shown this once. */
export const gwCreatedKey = gwKey.extend({ key: z.string() });
export const gwRotatedKey = gwCreatedKey.extend({ previousExpiresAt: timestamp.describe('Fin de validité de l’ancienne clé') });

export const gwClient = z.object({ id: z.uuid(), clientId: z.string(), authMethod: gwAuthMethod, createdAt: timestamp, revokedAt: timestamp.nullable() });
/** A new OAuth2 client: its secret (null for private_key_jwt) is shown this once. */
export const gwCreatedClient = z.object({
  id: z.uuid(),
  clientId: z.string(),
  authMethod: gwAuthMethod,
  clientSecret: z.string().nullable(),
  createdAt: timestamp,
});

export const gwQuotaUse = z.object({ day: z.number().int(), month: z.number().int() });
export const gwAppSubscription = z.object({
  id: z.uuid(),
  state: gwSubscriptionState,
  reason: z.string(),
  createdAt: timestamp,
  decidedAt: timestamp.nullable(),
  api: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  plan: gwPlan.nullable(),
  quotaUse: gwQuotaUse.nullable().describe('Appels comptés aujourd’hui et ce mois (abonnements actifs)'),
});
export const gwAppDetail = gwApp.extend({ subscriptions: z.array(gwAppSubscription), keys: z.array(gwKey), clients: z.array(gwClient) });
export type GwAppDetail = z.output<typeof gwAppDetail>;

export const gwUsage = z.object({
  totals: z.object({
    calls: z.number().int(),
    s2xx: z.number().int(),
    s3xx: z.number().int(),
    s4xx: z.number().int(),
    s5xx: z.number().int(),
    s429: z.number().int(),
    sumMs: z.number(),
    meanMs: z.number().nullable(),
  }),
  latency: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }).describe('Percentiles (ms, borne haute)'),
  series: z.array(z.object({ bucket: timestamp, calls: z.number().int(), errors: z.number().int(), s429: z.number().int() })),
  topConsumers: z.array(z.object({ applicationId: z.string(), name: z.string(), calls: z.number().int() })),
});
export type GwUsage = z.output<typeof gwUsage>;

export const configDiffLine = z.object({
  op: z.enum(['create', 'update', 'unchanged']),
  kind: z.enum(['api', 'plan', 'application', 'subscription', 'key']),
  id: z.string(),
  changes: z.array(z.string()).optional(),
});
export type ConfigDiffLine = z.infer<typeof configDiffLine>;
export const configApplyResult = z.object({ diff: z.array(configDiffLine), text: z.string(), applied: z.boolean() });

export const signingKeyRotated = z.object({ kid: z.string() });

export const gwNodeMetrics = z.object({
  dataPlane: z.object({
    requests: z.number().int(),
    upstreamErrors: z.number().int(),
    upstreamTimeouts: z.number().int(),
    reloads: z.number().int(),
    configVersion: z.number().int(),
    failovers: z.number().int(),
  }),
  limiter: z.object({ redisErrors: z.number().int(), failOpen: z.number().int(), failClosed: z.number().int() }),
  analytics: z.object({
    recorded: z.number().int(),
    dropped: z.number().int(),
    flushes: z.number().int(),
    flushErrors: z.number().int(),
    lostInFailedFlush: z.number().int(),
  }),
  memory: z.number().int().describe('RSS du processus (octets)'),
});

// ---------- OAuth2 endpoints ----------

/** Form fields of `POST /oauth/token` (application/x-www-form-urlencoded). */
export const tokenRequest = z.looseObject({
  grant_type: z.string().optional().describe('client_credentials'),
  scope: z.string().optional(),
  resource: z.string().optional().describe('URL de l’API visée (RFC 8707), ou son identifiant'),
  audience: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional().describe('client_secret_post (seulement pour un client enregistré avec cette méthode)'),
  client_assertion_type: z.string().optional().describe('private_key_jwt : urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
  client_assertion: z.string().optional(),
});
export type TokenRequest = z.infer<typeof tokenRequest>;
export const introspectionRequest = tokenRequest.extend({ token: z.string().optional() });

export const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
});
export const oauthErrorCodes = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
] as const;
export const oauthError = z.object({ error: z.enum(oauthErrorCodes), error_description: z.string() }).describe('Erreur OAuth2 (RFC 6749 §5.2)');
/** RFC 7662: `active`, and the token's claims when it is active. */
export const introspectionResponse = z.looseObject({
  active: z.boolean(),
  token_type: z.string().optional(),
  client_id: z.string().optional(),
  scope: z.string().optional(),
  sub: z.string().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
  jti: z.string().optional(),
});
export const jwks = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional() })),
});
export const authorizationServerMetadata = z.object({
  issuer: z.string(),
  token_endpoint: z.string(),
  introspection_endpoint: z.string(),
  jwks_uri: z.string(),
  grant_types_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  token_endpoint_auth_signing_alg_values_supported: z.array(z.string()),
  introspection_endpoint_auth_methods_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  scopes_supported: z.array(z.string()),
});

// ---------- the local FranceConnect of the demo (ADR 0012) ----------

const fcScope = z.string().regex(/^[\w:.-]{1,100}$/, 'scope FranceConnect invalide');
/** What the local provider playing FranceConnect's role offers (demo and development only). */
export const fcDemoInfo = z.object({
  enabled: z.boolean().describe('Le fournisseur FranceConnect de démonstration fonctionne sur cette plateforme'),
  checktokenUrl: z.string().nullable().describe('Son point de vérification des jetons (contrat « checktoken » de FranceConnect)'),
  citizens: z.array(
    z.object({
      id: z.string(),
      given_name: z.string(),
      family_name: z.string(),
      birthdate: z.string(),
      gender: z.string(),
      birthplace: z.string(),
      birthcountry: z.string(),
    }),
  ),
  scopes: z.array(z.string()),
});
export const fcDemoTokenInput = z.object({
  citizen: z.string().min(1, 'choisissez un citoyen').max(40),
  scopes: z.array(fcScope).min(1, 'au moins un scope').max(20, '20 scopes au plus'),
  expiresIn: z.number().int().min(1, '1 s au moins').max(3600, '1 heure au plus').default(600),
});
export const fcDemoToken = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  scopes: z.array(z.string()),
  citizen: z.object({ given_name: z.string(), family_name: z.string(), birthdate: z.string() }),
});
