/**
 * Access requests (« demandes d'habilitation ») and habilitations, compatible with DataPass
 * (etalab/data_pass): its definitions, forms, states, event names, API v1 payloads and webhooks.
 */
import { z } from 'zod';
import { labels, timestamp } from './common.ts';

// ---------- enums ----------

/** DataPass's states of an authorization request. */
export const requestStates = ['draft', 'submitted', 'changes_requested', 'validated', 'refused', 'archived', 'revoked'] as const;
export type RequestState = (typeof requestStates)[number];
export const requestStateLabels = labels(requestStates, {
  draft: 'Brouillon',
  submitted: 'En cours d’instruction',
  changes_requested: 'Modifications demandées',
  validated: 'Validée',
  refused: 'Refusée',
  archived: 'Archivée',
  revoked: 'Révoquée',
});

/** DataPass's transitions (events of its state machine) plus `claim` (an applicant takes a pre-filled draft). */
export const transitions = ['submit', 'request_changes', 'approve', 'refuse', 'archive', 'reopen', 'cancel_reopening', 'revoke', 'claim'] as const;
export type Transition = (typeof transitions)[number];
export const transitionLabels = labels(transitions, {
  submit: 'Soumettre',
  request_changes: 'Demander des modifications',
  approve: 'Valider',
  refuse: 'Refuser',
  archive: 'Archiver',
  reopen: 'Mettre à jour (réouvrir)',
  cancel_reopening: 'Annuler la mise à jour',
  revoke: 'Révoquer',
  claim: 'Reprendre ce brouillon',
});

/** DataPass's event names (AuthorizationRequestEvent::NAMES) used here. */
export const eventNames = [
  'create',
  'update',
  'submit',
  'request_changes',
  'approve',
  'refuse',
  'archive',
  'reopen',
  'cancel_reopening',
  'revoke',
  'claim',
  'applicant_message',
  'instructor_message',
  'system_reminder',
  'system_archive',
  'create_by_api',
  'update_by_api',
] as const;
export type EventName = (typeof eventNames)[number];
export const eventNameLabels = labels(eventNames, {
  create: 'Demande créée',
  update: 'Demande mise à jour',
  submit: 'Demande soumise',
  request_changes: 'Modifications demandées',
  approve: 'Demande validée',
  refuse: 'Demande refusée',
  archive: 'Demande archivée',
  reopen: 'Habilitation réouverte pour mise à jour',
  cancel_reopening: 'Mise à jour annulée',
  revoke: 'Habilitation révoquée',
  claim: 'Brouillon pré-rempli repris par le demandeur',
  applicant_message: 'Message du demandeur',
  instructor_message: 'Message de l’instruction',
  system_reminder: 'Rappel automatique',
  system_archive: 'Archivage automatique',
  create_by_api: 'Demande créée par l’API',
  update_by_api: 'Demande mise à jour par l’API',
});

export const habilitationStates = ['active', 'obsolete', 'revoked'] as const;
export type HabilitationState = (typeof habilitationStates)[number];
export const habilitationStateLabels = labels(habilitationStates, { active: 'Active', obsolete: 'Obsolète', revoked: 'Révoquée' });

/** Roles of an account on one definition. */
export const definitionRoles = ['instructor', 'reporter', 'manager'] as const;
export type DefinitionRole = (typeof definitionRoles)[number];
export const definitionRoleLabels = labels(definitionRoles, { instructor: 'Instructeur', reporter: 'Rapporteur', manager: 'Gestionnaire' });

/** Blocks a form is assembled from (DataPass's step names). */
export const blockKinds = ['basic_infos', 'organisation', 'legal', 'personal_data', 'scopes', 'contacts', 'volumetrie', 'safety_certification', 'cgu'] as const;
export type BlockKind = (typeof blockKinds)[number];
export const blockLabels = labels(blockKinds, {
  basic_infos: 'Votre projet',
  organisation: 'Votre organisation',
  legal: 'Cadre juridique',
  personal_data: 'Données personnelles',
  scopes: 'Données demandées',
  contacts: 'Contacts',
  volumetrie: 'Volumétrie',
  safety_certification: 'Homologation de sécurité',
  cgu: 'Conditions générales d’utilisation',
});

export const credentialKinds = ['api_key', 'oauth_client'] as const;
export type CredentialKind = (typeof credentialKinds)[number];
export const credentialKindLabels = labels(credentialKinds, { api_key: 'Clé d’API', oauth_client: 'Client OAuth2 (client credentials)' });

export const eligibilityAnswers = ['yes', 'no', 'condition'] as const;
export const eligibilityAnswerLabels = labels(eligibilityAnswers, { yes: 'Éligible', no: 'Non éligible', condition: 'Éligible sous condition' });

export const contactKinds = ['contact_metier', 'contact_technique', 'delegue_protection_donnees', 'responsable_traitement'] as const;
export const contactKindLabels = labels(contactKinds, {
  contact_metier: 'Contact métier',
  contact_technique: 'Contact technique',
  delegue_protection_donnees: 'Délégué à la protection des données',
  responsable_traitement: 'Responsable de traitement',
});
export const contactFields = ['family_name', 'given_name', 'email', 'phone_number', 'job_title'] as const;

/** Volumetry tiers (calls per minute) offered by the forms; above the smallest, a justification is needed. */
export const volumetryTiers = [50, 200, 1000] as const;

// ---------- definitions ----------

const slugId = z
  .string()
  .min(2)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'identifiant en minuscules, chiffres, tirets et soulignés');

export const scopeDef = z.object({
  value: z.string().min(1).max(120),
  label: z.string().min(1).max(300),
  group: z.string().max(200).default(''),
  sensitive: z.boolean().default(false),
  /** Always granted, cannot be unticked (DataPass's `included`). */
  included: z.boolean().default(false),
});
export const eligibilityRule = z.object({
  /** Who: « une collectivité territoriale », « une entreprise »… */
  who: z.string().min(1).max(200),
  answer: z.enum(eligibilityAnswers),
  /** The condition, or why not. */
  detail: z.string().max(1000).default(''),
});

export const definitionInput = z.object({
  id: slugId,
  name: z.string().min(2).max(200),
  description: z.string().max(5000).default(''),
  /** Provider organisation (code). */
  providerCode: z.string().min(1).max(40),
  cguUrl: z.url().max(2000).nullable().default(null),
  /** Gateway API (slug) and plan (slug) granted on approval. */
  apiSlug: z.string().max(80).nullable().default(null),
  planSlug: z.string().max(80).nullable().default(null),
  catalogAssetSlug: z.string().max(200).nullable().default(null),
  credentialKind: z.enum(credentialKinds).default('oauth_client'),
  scopes: z.array(scopeDef).max(200).default([]),
  blocks: z.array(z.enum(blockKinds)).min(1).max(blockKinds.length),
  eligibility: z.array(eligibilityRule).max(30).default([]),
  /** Validity of habilitations in months (null: no expiry). */
  validityMonths: z.number().int().min(1).max(120).nullable().default(null),
  public: z.boolean().default(true),
});
export type DefinitionInput = z.input<typeof definitionInput>;
export const definitionPatch = definitionInput.omit({ id: true }).partial();

export const definition = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  providerCode: z.string(),
  providerName: z.string(),
  cguUrl: z.string().nullable(),
  apiSlug: z.string().nullable(),
  planSlug: z.string().nullable(),
  catalogAssetSlug: z.string().nullable(),
  credentialKind: z.enum(credentialKinds),
  scopes: z.array(scopeDef),
  blocks: z.array(z.enum(blockKinds)),
  eligibility: z.array(eligibilityRule),
  validityMonths: z.number().nullable(),
  public: z.boolean(),
  /** The caller's roles on this definition. */
  myRoles: z.array(z.enum(definitionRoles)),
  /** Fields of the forms, compiled from the blocks (what the form shows, step by step). */
  fields: z.array(
    z.object({
      key: z.string(),
      block: z.enum(blockKinds),
      label: z.string(),
      type: z.enum(['text', 'longtext', 'email', 'phone', 'url', 'siret', 'integer', 'date', 'boolean', 'scopes', 'document', 'choice']),
      required: z.boolean(),
      choices: z.array(z.number()).optional(),
    }),
  ),
  updatedAt: timestamp,
});
export type Definition = z.output<typeof definition>;

export const formInput = z.object({
  uid: slugId,
  name: z.string().min(2).max(200),
  description: z.string().max(2000).default(''),
  useCase: z.string().max(200).nullable().default(null),
  editor: z.string().max(200).nullable().default(null),
  /** Values the form pre-fills (DataPass's `initialize_with`). */
  data: z.record(z.string(), z.unknown()).default({}),
});
export const form = formInput.extend({ definitionId: z.string() });
export type Form = z.output<typeof form>;

export const roleGrant = z.object({ login: z.string().min(1).max(100), role: z.enum(definitionRoles) });
export const roleAssignment = z.object({ userId: z.string(), login: z.string(), displayName: z.string(), role: z.enum(definitionRoles) });
export const messageTemplateInput = z.object({ title: z.string().min(1).max(200), body: z.string().min(1).max(10_000) });
export const messageTemplate = messageTemplateInput.extend({ id: z.string() });

// ---------- requests ----------

/** The request's data: DataPass's flat keys (`intitule`, `contact_technique_email`, `scopes`…). */
export const requestData = z.record(z.string(), z.unknown());
export const createRequestInput = z.object({
  definitionId: z.string().min(1).max(80),
  formUid: z.string().min(1).max(80).optional(),
  data: requestData.default({}),
  /** An instructor pre-fills a draft for this applicant (login); the applicant claims it. */
  forLogin: z.string().max(100).optional(),
});
export const updateRequestInput = z.object({ data: requestData, version: z.number().int().min(0).optional() });
export const transitionInput = z.object({
  /** Reason (refusal, revocation, requested changes): required for those. */
  message: z.string().max(10_000).optional(),
  /** Scopes granted on approval (default: those requested). */
  scopes: z.array(z.string().max(120)).max(200).optional(),
  /** The version the decider saw: a concurrent change makes the decision fail (409). */
  version: z.number().int().min(0).optional(),
});
export const messageInput = z.object({ body: z.string().trim().min(1, 'message vide').max(10_000) });

export const requestSummary = z.object({
  id: z.string(),
  definitionId: z.string(),
  definitionName: z.string(),
  formUid: z.string(),
  state: z.enum(requestStates),
  intitule: z.string(),
  organisationCode: z.string().nullable(),
  organisationName: z.string().nullable(),
  siret: z.string().nullable(),
  applicant: z.object({ id: z.string().nullable(), login: z.string().nullable(), displayName: z.string().nullable() }),
  reopening: z.boolean(),
  version: z.number(),
  createdAt: timestamp,
  updatedAt: timestamp,
  lastSubmittedAt: timestamp.nullable(),
  lastValidatedAt: timestamp.nullable(),
});
export type RequestSummary = z.output<typeof requestSummary>;

export const requestEvent = z.object({
  id: z.string(),
  name: z.enum(eventNames),
  label: z.string(),
  actor: z.string(),
  at: timestamp,
  message: z.string().nullable(),
  /** Changes since the previous submission: `{ key: [before, after] }` (DataPass's changelog). */
  diff: z.record(z.string(), z.array(z.unknown()).describe('[before, after]')).nullable(),
});
export const message = z.object({ id: z.string(), author: z.string(), fromInstruction: z.boolean(), body: z.string(), at: timestamp });
export const document = z.object({ id: z.string(), key: z.string(), filename: z.string(), size: z.number(), sha256: z.string(), createdAt: timestamp });

export const habilitation = z.object({
  id: z.string(),
  slug: z.string(),
  requestId: z.string(),
  definitionId: z.string(),
  definitionName: z.string(),
  state: z.enum(habilitationStates),
  organisationName: z.string().nullable(),
  siret: z.string().nullable(),
  scopes: z.array(z.string()),
  data: requestData,
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  credential: z.object({ kind: z.enum(credentialKinds), id: z.string().nullable(), label: z.string().nullable() }).nullable(),
  gatewayApplicationId: z.string().nullable(),
});
export type Habilitation = z.output<typeof habilitation>;

/** Live usage of a habilitation's credential, from the gateway's analytics, against its plan's quota. */
export const habilitationUsage = z.object({
  /** Calls over the last 30 days. */
  calls: z.number().int(),
  /** Calls counted today and this month (the counters the quota is enforced on). */
  today: z.number().int(),
  month: z.number().int(),
  limits: z.object({
    perSecond: z.number().int().nullable(),
    perMinute: z.number().int().nullable(),
    perDay: z.number().int().nullable(),
    perMonth: z.number().int().nullable(),
  }),
  at: timestamp,
});
export const habilitationWithUsage = habilitation.extend({ usage: habilitationUsage.nullable() });

/** A published monthly open data file (habilitations active at the end of the month). */
export const openDataExport = z.object({
  month: z.string().describe('YYYY-MM'),
  file: z.string(),
  size: z.number().int(),
  publishedAt: timestamp,
  url: z.string(),
});
export type OpenDataExport = z.output<typeof openDataExport>;

export const requestDetail = requestSummary.extend({
  data: requestData,
  definition: definition,
  events: z.array(requestEvent),
  messages: z.array(message),
  documents: z.array(document),
  habilitations: z.array(habilitation),
  /** Transitions the caller may make now. */
  allowed: z.array(z.enum(transitions)),
  canEdit: z.boolean(),
  canMessage: z.boolean(),
  /** Problems of the data against the form's schema (empty when it can be submitted). */
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type RequestDetail = z.output<typeof requestDetail>;

export const requestsQuery = z.object({
  mine: z.enum(['true', 'false']).optional().describe('true: the caller’s and their organisation’s requests only'),
  state: z.enum(requestStates).optional(),
  definitionId: z.string().max(80).optional(),
  q: z.string().max(200).optional(),
  format: z.enum(['json', 'csv']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export const requestList = z.object({ items: z.array(requestSummary), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export const habilitationsQuery = z.object({
  state: z.enum(habilitationStates).optional(),
  definitionId: z.string().max(80).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

export const transitionResult = z.object({
  request: requestSummary,
  habilitation: habilitation.nullable(),
  /** One-time link to the credential (approval of a first request), for the technical contact. */
  revealUrl: z.string().nullable(),
});
export const revealResult = z.object({
  kind: z.enum(credentialKinds),
  apiSlug: z.string().nullable(),
  /** API key, or OAuth2 client id + secret. */
  key: z.string().nullable(),
  clientId: z.string().nullable(),
  clientSecret: z.string().nullable(),
  tokenUrl: z.string().nullable(),
  scopes: z.array(z.string()),
});
export const revealParams = z.object({ token: z.string().min(20).max(200) });
export const idParam = z.object({ id: z.string().min(1).max(80) });
export const documentQuery = z.object({ key: z.string().regex(/^[a-z_]{1,80}$/, 'clé de document invalide') });

export const statsQuery = z.object({ definitionId: z.string().max(80).optional() });
export const definitionStats = z.object({
  definitionId: z.string(),
  name: z.string(),
  volumes: z.object({ submitted: z.number(), validated: z.number(), refused: z.number(), reopened: z.number(), total: z.number() }),
  backlog: z.number(),
  /** Open backlog at the end of each of the last 12 months. */
  backlogSeries: z.array(z.object({ month: z.string(), backlog: z.number() })),
  /** Hours. */
  timeToSubmit: z.object({ p50: z.number().nullable(), p80: z.number().nullable() }),
  timeToFirstDecision: z.object({ p50: z.number().nullable(), p80: z.number().nullable() }),
  timeToFinalDecision: z.object({ p50: z.number().nullable(), p80: z.number().nullable() }),
});
export const statsResult = z.object({ items: z.array(definitionStats), ms: z.number() });

// ---------- webhooks ----------
export const webhookEvents = [
  'create',
  'update',
  'create_by_api',
  'update_by_api',
  'submit',
  'approve',
  'refuse',
  'revoke',
  'request_changes',
  'archive',
  'reopen',
  'cancel_reopening',
] as const;
export const webhookInput = z.object({
  definitionId: z.string().min(1).max(80),
  url: z.url().max(2000),
  /** Shared secret of the HMAC signature (X-Hub-Signature-256). */
  secret: z.string().min(16, 'au moins 16 caractères').max(200),
  events: z.array(z.enum(webhookEvents)).min(1, 'choisissez au moins un événement'),
});
export const webhook = z.object({
  id: z.string(),
  definitionId: z.string(),
  url: z.string(),
  events: z.array(z.enum(webhookEvents)),
  enabled: z.boolean(),
  validated: z.boolean(),
  consecutiveFailures: z.number(),
  createdAt: timestamp,
});
export const webhookAttempt = z.object({
  id: z.string(),
  event: z.string(),
  status_code: z.number().nullable(),
  response_body: z.string().nullable(),
  created_at: timestamp,
  authorization_request_id: z.string().nullable(),
  attempt: z.number(),
});

// ---------- DataPass API v1 (paths and payloads of app/serializers/api/v1) ----------
const loose = z.record(z.string(), z.unknown());
export const v1Habilitation = z.object({
  id: z.string(),
  slug: z.string(),
  revoked: z.boolean(),
  state: z.enum(habilitationStates),
  created_at: z.string(),
  data: loose,
  authorization_request_class: z.string(),
  definition_id: z.string(),
});
export const v1Event = z.object({ id: z.string(), name: z.enum(eventNames), created_at: z.string() });
export const v1Request = z.object({
  id: z.string(),
  public_id: z.string(),
  definition_id: z.string(),
  type: z.string(),
  state: z.enum(requestStates),
  form_uid: z.string(),
  data: loose,
  created_at: z.string(),
  last_submitted_at: z.string().nullable(),
  last_validated_at: z.string().nullable(),
  reopening: z.boolean(),
  reopened_at: z.string().nullable(),
  habilitations: z.array(v1Habilitation),
  organisation: z.object({ id: z.string().nullable(), name: z.string().nullable(), siret: z.string().nullable() }),
  applicant: z.object({ id: z.string().nullable(), email: z.string().nullable(), family_name: z.string().nullable() }).nullable(),
  events: z.array(v1Event),
});
export const v1Scope = z.object({
  name: z.string(),
  value: z.string(),
  group: z.string(),
  link: z.string().nullable(),
  included: z.boolean(),
  disabled: z.boolean(),
  deprecated: z.boolean(),
  deprecated_date: z.string().nullable(),
});
export const v1Definition = z.object({
  id: z.string(),
  name: z.string(),
  'multi_stage?': z.boolean(),
  authorization_request_class: z.string(),
  scopes: z.array(v1Scope),
});
export const v1Form = z.object({
  uid: z.string(),
  name: z.string(),
  description: z.string(),
  use_case: z.string().nullable(),
  definition_id: z.string(),
  authorization_request_class: z.string(),
  data: loose,
});
export const v1Me = z.object({
  client_id: z.string(),
  application_id: z.string(),
  organisation: z.string().nullable(),
  scopes: z.array(z.string()),
  definitions: z.array(z.string()),
});
export const v1ListQuery = z.object({
  state: z.enum(requestStates).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const v1AttemptsQuery = z.object({
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const v1CreateRequest = z.object({
  definition_id: z.string().min(1).max(80),
  form_uid: z.string().max(80).optional(),
  data: requestData.default({}),
  applicant_email: z.string().email().max(200),
});
export const v1UpdateRequest = z.object({ data: requestData });
