import { pgTable, text, uuid, timestamp, boolean, integer, jsonb, bigint, doublePrecision, index, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import { users } from '../../platform/auth/auth.table.ts';

import { gwApprovals, gwAuthMethods, gwFailPolicies, gwSubscriptionStates, gwVisibilities } from '@patrimoine/contracts/gateway';

/** APIs published through the gateway (Gravitee's « API », Kong's service + route). */
export const gwApis = pgTable(
  'gw_apis',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** URL segment of the data plane: `/gw/{slug}/…`; lower-case letters, digits and dashes. */
    slug: text('slug').notNull().unique(),
    /** Name shown in the portal. */
    name: text('name').notNull(),
    /** Description shown in the portal (Markdown). */
    description: text('description').notNull().default(''),
    /** Who the API is for (« Administrations, collectivités… »), shown on the portal. */
    audience: text('audience').notNull().default(''),
    /** Producer organisation: its data administrators manage the API. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    /** `public` (anyone may subscribe, automatic approval by default) or `restricted` (on request). */
    visibility: text('visibility', { enum: gwVisibilities }).notNull().default('public'),
    /** Base URL of the upstream; the path after `/gw/{slug}` is appended to it. */
    upstreamUrl: text('upstream_url').notNull(),
    /** Further upstream base URLs serving the same API: calls are spread round-robin over all of them, and idempotent calls fail over to the next one when a connection fails. */
    upstreamUrls: jsonb('upstream_urls').$type<string[]>().notNull().default([]),
    /** Time allowed for the upstream's response headers and between body chunks, in ms. */
    timeoutMs: integer('timeout_ms').notNull().default(10000),
    /** Allows loopback and private-network upstreams (never link-local/metadata addresses unless allowMetadata). */
    allowPrivateUpstream: boolean('allow_private_upstream').notNull().default(false),
    /** Scope a bearer token must carry to call the API (null: any token for this audience). */
    requiredScope: text('required_scope'),
    /** Consent scopes a citizen's FranceConnect access token must carry to call the API (ADR 0012); null: the API is not behind FranceConnect. */
    franceconnectScopes: jsonb('franceconnect_scopes').$type<string[]>(),
    /** Behaviour when Redis (shared rate-limit state) is unreachable: let calls through or refuse them. */
    failPolicy: text('fail_policy', { enum: gwFailPolicies }).notNull().default('open'),
    /** Maximum request body forwarded, in bytes. */
    maxBodyBytes: integer('max_body_bytes').notNull().default(1048576),
    /** Disabled APIs answer 503 on the data plane and are hidden from the portal. */
    enabled: boolean('enabled').notNull().default(true),
    /** The catalogue's `api` asset describing this API, when the catalogue module has one. */
    catalogAssetId: uuid('catalog_asset_id'),
    /** Current OpenAPI document version number (see gw_api_specs). */
    specVersion: integer('spec_version').notNull().default(0),
    /** Path probed for availability (GET), relative to the upstream URL. */
    healthPath: text('health_path').notNull().default('/'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('gw_apis_org_idx').on(t.organisationId)],
);

/** Every version of an API's OpenAPI document (validated on upload; older versions kept). */
export const gwApiSpecs = pgTable(
  'gw_api_specs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** API documented. */
    apiId: uuid('api_id')
      .notNull()
      .references(() => gwApis.id, { onDelete: 'cascade' }),
    /** 1, 2, 3… per API. */
    version: integer('version').notNull(),
    /** The OpenAPI 3.x document as JSON. */
    document: jsonb('document').notNull(),
    /** Who uploaded this version. */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('gw_api_specs_version_idx').on(t.apiId, t.version)],
);

/** Plans of an API: limits, quotas, credential requirement and approval mode. */
export const gwPlans = pgTable(
  'gw_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** API the plan applies to. */
    apiId: uuid('api_id')
      .notNull()
      .references(() => gwApis.id, { onDelete: 'cascade' }),
    /** Identifier within the API (`standard`, `ouvert`…). */
    slug: text('slug').notNull(),
    /** Name of the plan shown to consumers. */
    name: text('name').notNull(),
    /** Keyless plan: calls without a credential are limited per client IP address. */
    keyless: boolean('keyless').notNull().default(false),
    /** Sliding-window rate limits (null: none). */
    perSecond: integer('per_second'),
    /** Calls allowed per minute (sliding window); null for no limit. */
    perMinute: integer('per_minute'),
    /** Calendar quotas, UTC day and month (null: none). */
    perDay: integer('per_day'),
    /** Calls allowed per calendar month (UTC); null for no quota. */
    perMonth: integer('per_month'),
    /** Subscription approval: automatic or by the producer. */
    approval: text('approval', { enum: gwApprovals }).notNull().default('auto'),
    /** OAuth2 scopes granted to subscribers of this plan. */
    scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('gw_plans_slug_idx').on(t.apiId, t.slug)],
);

/** Consumer applications, owned by an organisation. */
export const gwApplications = pgTable(
  'gw_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable identifier used by the declarative configuration. */
    slug: text('slug').notNull().unique(),
    /** Name of the consumer application. */
    name: text('name').notNull(),
    /** What the application does with the APIs. */
    description: text('description').notNull().default(''),
    /** Organisation owning the application (its members manage it). */
    organisationId: uuid('organisation_id').references(() => organisations.id),
    /** Account that created the application (it manages it with its organisation's data administrators). */
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('gw_apps_org_idx').on(t.organisationId)],
);

/** An application's subscription to a plan (one per application and API). */
export const gwSubscriptions = pgTable(
  'gw_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Subscribing application. */
    applicationId: uuid('application_id')
      .notNull()
      .references(() => gwApplications.id, { onDelete: 'cascade' }),
    /** API subscribed to. */
    apiId: uuid('api_id')
      .notNull()
      .references(() => gwApis.id, { onDelete: 'cascade' }),
    /** Plan chosen. */
    planId: uuid('plan_id')
      .notNull()
      .references(() => gwPlans.id, { onDelete: 'cascade' }),
    /** pending, active, rejected or revoked. */
    state: text('state', { enum: gwSubscriptionStates }).notNull().default('pending'),
    /** Why the consumer needs the API (for restricted APIs). */
    reason: text('reason').notNull().default(''),
    /** Who approved or rejected the request. */
    decidedBy: text('decided_by'),
    /** When it was approved or rejected. */
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** Scopes granted to this subscription (a habilitation's approved scopes); null: the plan's. */
    scopes: jsonb('scopes').$type<string[]>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('gw_subs_app_api_idx').on(t.applicationId, t.apiId), index('gw_subs_api_idx').on(t.apiId)],
);

/** API keys of applications: shown once, only SHA-256 stored, prefix visible. */
export const gwKeys = pgTable(
  'gw_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Application the key belongs to. */
    applicationId: uuid('application_id')
      .notNull()
      .references(() => gwApplications.id, { onDelete: 'cascade' }),
    /** Name given by the consumer. */
    name: text('name').notNull().default(''),
    /** First characters of the key, to recognise it. */
    prefix: text('prefix').notNull(),
    /** SHA-256 (hex) of the key (keys carry 256 random bits: a slow hash adds nothing). */
    hash: text('hash').notNull().unique(),
    /** Expiry; null when the key does not expire. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Revocation instant; a revoked key is refused. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** Last call made with the key (approximate). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('gw_keys_app_idx').on(t.applicationId)],
);

/** OAuth2 clients (client credentials) of applications. */
export const gwOauthClients = pgTable(
  'gw_oauth_clients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Application the OAuth2 client belongs to. */
    applicationId: uuid('application_id')
      .notNull()
      .references(() => gwApplications.id, { onDelete: 'cascade' }),
    /** Public OAuth2 client identifier. */
    clientId: text('client_id').notNull().unique(),
    /** `client_secret_basic`/`client_secret_post` (secret) or `private_key_jwt` (public JWKS). */
    authMethod: text('auth_method', { enum: gwAuthMethods }).notNull(),
    /** SHA-256 (hex) of the client secret; null for private_key_jwt clients. */
    secretHash: text('secret_hash'),
    /** Public keys (JWKS) for private_key_jwt. */
    jwks: jsonb('jwks').$type<{ keys: Record<string, unknown>[] }>(),
    /** Revocation instant; a revoked client gets no token. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('gw_clients_app_idx').on(t.applicationId)],
);

/** Token signing keys (ES256); private key encrypted with the gateway secret (AES-256-GCM). */
export const gwSigningKeys = pgTable('gw_signing_keys', {
  /** Key identifier published in the JWKS. */
  kid: text('kid').primaryKey(),
  /** Signature algorithm (ES256). */
  alg: text('alg').notNull(),
  /** Public key, published in the JWKS. */
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  /** `iv.tag.ciphertext` (base64url) of the private JWK. */
  privateEnc: text('private_enc').notNull(),
  /** The key signing new tokens (one at a time). */
  active: boolean('active').notNull().default(true),
  /** After rotation, the key stays in the JWKS until its last token has expired. */
  retireAfter: timestamp('retire_after', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Usage rolled up per minute, hour and day, per API and application (zero UUID: anonymous). */
export const gwUsage = pgTable(
  'gw_usage',
  {
    /** `minute`, `hour` or `day`. */
    granularity: text('granularity').notNull(),
    /** Start of the minute, hour or day aggregated. */
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    /** API called. */
    apiId: uuid('api_id').notNull(),
    /** Calling application (null for anonymous calls). */
    applicationId: uuid('application_id').notNull(),
    /** Number of calls. */
    calls: bigint('calls', { mode: 'number' }).notNull().default(0),
    /** Calls answered 2xx. */
    s2xx: bigint('s2xx', { mode: 'number' }).notNull().default(0),
    /** Calls answered 3xx. */
    s3xx: bigint('s3xx', { mode: 'number' }).notNull().default(0),
    /** Calls answered 4xx. */
    s4xx: bigint('s4xx', { mode: 'number' }).notNull().default(0),
    /** Calls answered 5xx. */
    s5xx: bigint('s5xx', { mode: 'number' }).notNull().default(0),
    /** Calls refused by a limit or quota (429). */
    s429: bigint('s429', { mode: 'number' }).notNull().default(0),
    /** Sum of latencies in milliseconds (for averages). */
    sumMs: doublePrecision('sum_ms').notNull().default(0),
    /** Latency histogram: counts per bucket of LATENCY_BOUNDS_MS (last: above). */
    hist: jsonb('hist').$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.granularity, t.bucket, t.apiId, t.applicationId] }), index('gw_usage_api_idx').on(t.apiId, t.granularity, t.bucket)],
);

/** Health probes of upstreams (one node probes at a time). */
export const gwProbes = pgTable(
  'gw_probes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** API whose upstream was probed. */
    apiId: uuid('api_id')
      .notNull()
      .references(() => gwApis.id, { onDelete: 'cascade' }),
    /** When the probe ran. */
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Whether the upstream answered correctly. */
    ok: boolean('ok').notNull(),
    /** HTTP status returned by the upstream. */
    status: integer('status'),
    /** Response time in milliseconds. */
    ms: integer('ms'),
    /** Error message when the probe failed. */
    error: text('error'),
  },
  (t) => [index('gw_probes_api_idx').on(t.apiId, t.at)],
);

/** Configuration version, bumped by every change: nodes poll it and rebuild their route table. */
export const gwState = pgTable('gw_state', {
  /** Name of the shared state (probe lease, configuration version…). */
  key: text('key').primaryKey(),
  /** `config` version, or lease holder for `probe-leader`. */
  version: bigint('version', { mode: 'number' }).notNull().default(0),
  /** Node holding the lease. */
  holder: text('holder'),
  /** End of the lease. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
});
