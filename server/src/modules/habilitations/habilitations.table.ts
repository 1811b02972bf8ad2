import { pgTable, text, uuid, timestamp, boolean, integer, jsonb, index, primaryKey, customType, uniqueIndex, doublePrecision } from 'drizzle-orm/pg-core';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import { users } from '../../platform/auth/auth.table.ts';
import {
  blockKinds,
  credentialKinds,
  definitionRoles,
  eventNames,
  habilitationStates,
  requestStates,
  type webhookEvents,
  type BlockKind,
} from '@patrimoine/contracts/habilitations';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

type ScopeDef = { value: string; label: string; group: string; sensitive: boolean; included: boolean };
type Eligibility = { who: string; answer: 'yes' | 'no' | 'condition'; detail: string };
void blockKinds;

/** Habilitation definitions (DataPass's authorization definitions): one per restricted API or dataset. */
export const habDefinitions = pgTable('hab_definitions', {
  /** Stable identifier (DataPass's definition id, e.g. `api_rga`). */
  id: text('id').primaryKey(),
  /** Name shown to applicants. */
  name: text('name').notNull(),
  /** What the API or dataset gives access to (Markdown). */
  description: text('description').notNull().default(''),
  /** Provider organisation: its data administrators manage the definition. */
  providerId: uuid('provider_id')
    .notNull()
    .references(() => organisations.id),
  /** Terms of use the applicant accepts. */
  cguUrl: text('cgu_url'),
  /** Gateway API (slug) the approval subscribes to. */
  apiSlug: text('api_slug'),
  /** Gateway plan (slug, within the API) granted on approval. */
  planSlug: text('plan_slug'),
  /** Catalogue asset (`api` kind, slug) describing the API. */
  catalogAssetSlug: text('catalog_asset_slug'),
  /** Credential issued on approval: an API key or an OAuth2 client. */
  credentialKind: text('credential_kind', { enum: credentialKinds }).notNull().default('oauth_client'),
  /** Scopes that may be requested: value, label, group, sensitive flag, always-included flag. */
  scopes: jsonb('scopes').$type<ScopeDef[]>().notNull().default([]),
  /** Ordered blocks of the forms (steps). */
  blocks: jsonb('blocks').$type<BlockKind[]>().notNull(),
  /** « Qui êtes-vous ? » eligibility rules shown before the form. */
  eligibility: jsonb('eligibility').$type<Eligibility[]>().notNull().default([]),
  /** Validity of habilitations in months; null when they do not expire. */
  validityMonths: integer('validity_months'),
  /** Listed on the public page. */
  public: boolean('public').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Forms of a definition: the free one and pre-filled ones (a use case, a software editor). */
export const habForms = pgTable(
  'hab_forms',
  {
    /** Stable identifier (DataPass's form uid). */
    uid: text('uid').primaryKey(),
    /** Definition the form belongs to. */
    definitionId: text('definition_id')
      .notNull()
      .references(() => habDefinitions.id, { onDelete: 'cascade' }),
    /** Name shown to applicants. */
    name: text('name').notNull(),
    /** What the form is for. */
    description: text('description').notNull().default(''),
    /** Use case the form is pre-filled for. */
    useCase: text('use_case'),
    /** Software editor the form is pre-filled for. */
    editor: text('editor'),
    /** Values pre-filled in new requests. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hab_forms_def_idx').on(t.definitionId)],
);

/** Roles of accounts on a definition: instructors decide, reporters read and comment, managers administer. */
export const habRoles = pgTable(
  'hab_roles',
  {
    /** Definition concerned. */
    definitionId: text('definition_id')
      .notNull()
      .references(() => habDefinitions.id, { onDelete: 'cascade' }),
    /** Account holding the role. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** instructor, reporter or manager. */
    role: text('role', { enum: definitionRoles }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.definitionId, t.userId, t.role] }), index('hab_roles_user_idx').on(t.userId)],
);

/** Message templates of a definition, written by its managers for instructors. */
export const habTemplates = pgTable('hab_templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Definition concerned. */
  definitionId: text('definition_id')
    .notNull()
    .references(() => habDefinitions.id, { onDelete: 'cascade' }),
  /** Title shown in the picker. */
  title: text('title').notNull(),
  /** Message text. */
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Access requests (DataPass's authorization requests). */
export const habRequests = pgTable(
  'hab_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Definition requested. */
    definitionId: text('definition_id')
      .notNull()
      .references(() => habDefinitions.id),
    /** Form used. */
    formUid: text('form_uid').notNull(),
    /** DataPass state. */
    state: text('state', { enum: requestStates }).notNull().default('draft'),
    /** Applicant (null for a draft pre-filled by an instructor until claimed). */
    applicantId: uuid('applicant_id').references(() => users.id, { onDelete: 'set null' }),
    /** Account the pre-filled draft is meant for (claims it). */
    intendedForId: uuid('intended_for_id').references(() => users.id, { onDelete: 'set null' }),
    /** Applicant's organisation: its members see the request. */
    organisationId: uuid('organisation_id').references(() => organisations.id),
    /** Form data (DataPass's flat keys). */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    /** Data as last submitted (to compute the changes of the next submission). */
    submittedData: jsonb('submitted_data').$type<Record<string, unknown>>(),
    /** A validated request being updated (new version). */
    reopening: boolean('reopening').notNull().default(false),
    /** Optimistic lock: bumped by every change. */
    version: integer('version').notNull().default(0),
    /** Project title (copy of `intitule`, for lists). */
    intitule: text('intitule').notNull().default(''),
    /** SIRET (copy of `siret`, for lists and open data). */
    siret: text('siret'),
    /** Last reopening of the validated request. */
    reopenedAt: timestamp('reopened_at', { withTimezone: true }),
    /** First submission (statistics: time to submit). */
    firstSubmittedAt: timestamp('first_submitted_at', { withTimezone: true }),
    /** Last submission. */
    lastSubmittedAt: timestamp('last_submitted_at', { withTimezone: true }),
    /** First decision of an instructor (changes requested, validated or refused). */
    firstDecisionAt: timestamp('first_decision_at', { withTimezone: true }),
    /** Final decision (validated or refused). */
    finalDecisionAt: timestamp('final_decision_at', { withTimezone: true }),
    /** Last validation. */
    lastValidatedAt: timestamp('last_validated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('hab_requests_def_state_idx').on(t.definitionId, t.state),
    index('hab_requests_org_idx').on(t.organisationId),
    index('hab_requests_applicant_idx').on(t.applicantId),
  ],
);

/** Journal of a request (DataPass's event names), with the changes of each submission. */
export const habEvents = pgTable(
  'hab_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Request concerned. */
    requestId: uuid('request_id')
      .notNull()
      .references(() => habRequests.id, { onDelete: 'cascade' }),
    /** DataPass event name. */
    name: text('name', { enum: eventNames }).notNull(),
    /** Account that acted (null: the system). */
    actorId: uuid('actor_id'),
    /** Who acted, as recorded. */
    actorLabel: text('actor_label').notNull(),
    /** Reason or message attached. */
    message: text('message'),
    /** `{ key: [before, after] }` of a submission. */
    diff: jsonb('diff').$type<Record<string, [unknown, unknown]>>(),
    /** When the event happened. */
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('hab_events_req_idx').on(t.requestId, t.at)],
);

/** Messages between the applicant and the instruction. */
export const habMessages = pgTable(
  'hab_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Request concerned. */
    requestId: uuid('request_id')
      .notNull()
      .references(() => habRequests.id, { onDelete: 'cascade' }),
    /** Author. */
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** Author as shown. */
    authorLabel: text('author_label').notNull(),
    /** Written by an instructor or reporter (otherwise by the applicant's side). */
    fromInstruction: boolean('from_instruction').notNull(),
    /** Text. */
    body: text('body').notNull(),
    /** When the message was sent. */
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('hab_messages_req_idx').on(t.requestId, t.at)],
);

/** Documents attached to a request (PDF ≤ 10 MB, checked by their first bytes). */
export const habDocuments = pgTable(
  'hab_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Request concerned. */
    requestId: uuid('request_id')
      .notNull()
      .references(() => habRequests.id, { onDelete: 'cascade' }),
    /** Data key the document answers (`cadre_juridique_document`…). */
    key: text('key').notNull(),
    /** File name given by the applicant. */
    filename: text('filename').notNull(),
    /** Size in bytes. */
    size: integer('size').notNull(),
    /** SHA-256 (hex) of the content. */
    sha256: text('sha256').notNull(),
    /** The PDF. */
    content: bytea('content').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hab_documents_req_idx').on(t.requestId)],
);

/** Habilitations: the frozen data of a validated request, and what was provisioned on the gateway. */
export const habAuthorizations = pgTable(
  'hab_authorizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Public identifier (`<definition>-<n>`). */
    slug: text('slug').notNull().unique(),
    /** Request validated. */
    requestId: uuid('request_id')
      .notNull()
      .references(() => habRequests.id),
    /** Definition. */
    definitionId: text('definition_id')
      .notNull()
      .references(() => habDefinitions.id),
    /** active, obsolete (replaced by a newer version, or expired) or revoked. */
    state: text('state', { enum: habilitationStates }).notNull().default('active'),
    /** Organisation of the applicant. */
    organisationId: uuid('organisation_id').references(() => organisations.id),
    /** Applicant at validation. */
    applicantId: uuid('applicant_id').references(() => users.id, { onDelete: 'set null' }),
    /** Validated data, frozen. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** Scopes granted. */
    scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
    /** Gateway application, subscription and credential provisioned. */
    gatewayApplicationId: uuid('gateway_application_id'),
    /** Gateway subscription granting the scopes. */
    gatewaySubscriptionId: uuid('gateway_subscription_id'),
    /** Kind of credential issued (API key or OAuth2 client). */
    credentialKind: text('credential_kind', { enum: credentialKinds }),
    /** Gateway key id or OAuth2 client row id. */
    credentialId: uuid('credential_id'),
    /** Key prefix or OAuth2 client id (not secret). */
    credentialLabel: text('credential_label'),
    /** Expiry (when the definition has a validity). */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Reminders sent before expiry. */
    remindedD30: boolean('reminded_d30').notNull().default(false),
    /** The D-7 reminder was sent. */
    remindedD7: boolean('reminded_d7').notNull().default(false),
    /** Revocation instant. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('hab_auth_req_idx').on(t.requestId),
    index('hab_auth_def_state_idx').on(t.definitionId, t.state),
    index('hab_auth_expiry_idx').on(t.state, t.expiresAt),
  ],
);

/**
 * One-time links revealing a credential: the secret is encrypted with a key derived from the link's
 * token (only its SHA-256 is stored), so the platform cannot read it back without the link; erased when revealed.
 */
export const habReveals = pgTable('hab_reveals', {
  /** SHA-256 (hex) of the link's token. */
  tokenHash: text('token_hash').primaryKey(),
  /** Habilitation whose credential it reveals. */
  authorizationId: uuid('authorization_id')
    .notNull()
    .references(() => habAuthorizations.id, { onDelete: 'cascade' }),
  /** Technical contact the link was sent to. */
  recipient: text('recipient').notNull(),
  /** `iv.tag.ciphertext` of the credential (JSON), erased once revealed. */
  sealed: text('sealed'),
  /** End of the link's validity (7 days). */
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  /** When the credential was shown (the link no longer works). */
  revealedAt: timestamp('revealed_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Accounts that unsubscribed from the habilitation e-mails. */
export const habUnsubscribes = pgTable('hab_unsubscribes', {
  /** E-mail address. */
  email: text('email').primaryKey(),
  /** When the address unsubscribed. */
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

/** Outbound webhooks of a definition (DataPass's webhooks). */
export const habWebhooks = pgTable(
  'hab_webhooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Definition whose events are sent. */
    definitionId: text('definition_id')
      .notNull()
      .references(() => habDefinitions.id, { onDelete: 'cascade' }),
    /** Receiving endpoint (checked by the outbound policy). */
    url: text('url').notNull(),
    /** HMAC secret, encrypted (AES-256-GCM) with the platform's key. */
    secretEnc: text('secret_enc').notNull(),
    /** Events subscribed to. */
    events: jsonb('events').$type<(typeof webhookEvents)[number][]>().notNull(),
    /** Receives events (disabled after 5 consecutive failures). */
    enabled: boolean('enabled').notNull().default(false),
    /** The test payload was accepted. */
    validated: boolean('validated').notNull().default(false),
    /** Failed deliveries in a row. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** Account that created it (told when it is disabled). */
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hab_webhooks_def_idx').on(t.definitionId)],
);

/** Delivery attempts of webhooks, with the payload (replayable). */
export const habWebhookAttempts = pgTable(
  'hab_webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Webhook. */
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => habWebhooks.id, { onDelete: 'cascade' }),
    /** Request concerned (null for a test payload). */
    requestId: uuid('request_id'),
    /** Event name (`test` for the test payload). */
    event: text('event').notNull(),
    /** JSON body sent. */
    payload: jsonb('payload').notNull(),
    /** HTTP status (null: no answer). */
    statusCode: integer('status_code'),
    /** First 2,000 characters of the answer, or the error. */
    responseBody: text('response_body'),
    /** 1 for the first attempt of a delivery. */
    attempt: integer('attempt').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hab_wh_attempts_idx').on(t.webhookId, t.createdAt)],
);

/** Sequence of habilitation numbers per definition. */
export const habCounters = pgTable(
  'hab_counters',
  {
    /** Definition. */
    definitionId: text('definition_id').notNull(),
    /** Last number given. */
    last: integer('last').notNull().default(0),
  },
  (t) => [uniqueIndex('hab_counters_def_idx').on(t.definitionId)],
);

/**
 * Stored statistics of a definition (ADR 0608): counters kept by a trigger on `hab_requests`, in the
 * transaction of every change of a request, so the statistics endpoint reads them instead of scanning.
 */
export const habStatCounters = pgTable('hab_stat_counters', {
  /** Definition counted. */
  definitionId: text('definition_id').primaryKey(),
  /** Requests of the definition, in any state. */
  total: integer('total').notNull().default(0),
  /** Requests submitted at least once (first submission date set). */
  submitted: integer('submitted').notNull().default(0),
  /** Requests validated at least once (last validation date set). */
  validated: integer('validated').notNull().default(0),
  /** Requests in the `refused` state. */
  refused: integer('refused').notNull().default(0),
  /** Requests reopened at least once. */
  reopened: integer('reopened').notNull().default(0),
  /** Requests waiting for the instruction (`submitted` or `changes_requested`). */
  backlog: integer('backlog').notNull().default(0),
  /** Submitted requests with a first decision (how many durations « to first decision » there are). */
  firstDecided: integer('first_decided').notNull().default(0),
  /** Submitted requests with a final decision (how many durations « to final decision » there are). */
  finalDecided: integer('final_decided').notNull().default(0),
});

/** Per definition and month (UTC): requests first submitted in that month, and requests whose final decision falls in it (the backlog series). */
export const habStatMonths = pgTable(
  'hab_stat_months',
  {
    /** Definition counted. */
    definitionId: text('definition_id').notNull(),
    /** First day of the month (UTC). */
    month: timestamp('month', { withTimezone: true }).notNull(),
    /** Requests whose first submission is in this month. */
    submitted: integer('submitted').notNull().default(0),
    /** Requests whose (current) final decision is in this month. */
    decided: integer('decided').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.definitionId, t.month] })],
);

/** The durations of each request (hours), indexed in order: a percentile is read at its rank instead of sorting every request. */
export const habStatDurations = pgTable(
  'hab_stat_durations',
  {
    /** Request measured (no foreign key: the statement triggers on hab_requests add and remove the rows). */
    requestId: uuid('request_id').notNull(),
    /** `submit` (creation → first submission), `first` (first submission → first decision), `final` (first submission → final decision). */
    kind: text('kind', { enum: ['submit', 'first', 'final'] }).notNull(),
    /** Definition of the request (copied, for the index). */
    definitionId: text('definition_id').notNull(),
    /** The duration in hours, as the statistics computed it from the request's dates. */
    hours: doublePrecision('hours').notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.kind] }), index('hab_stat_durations_rank_idx').on(t.definitionId, t.kind, t.hours)],
);
