/** Platform contract: roles, identity, organisations, users, tokens, jobs, audit. */
import { z } from 'zod';
import { itemsOf, labels, paginationQuery, timestamp } from './common.ts';

/** Roles of an account, from the ministry's data administrator down to any agent. */
export const roles = ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;
export const roleLabels = labels(roles, {
  admin: 'Administrateur ministériel',
  data_admin: 'Administrateur des données (direction)',
  editor: 'Responsable d’application ou d’API',
  reviewer: 'Relecteur',
  reader: 'Agent (lecture)',
});

/** Label shown for an audit actor that is not a person (seed, CLI, jobs). */
export const SYSTEM_ACTOR_LABEL = 'system';
/** How people read the actor labels that are not logins. */
export const actorLabel = (label: string | null | undefined): string =>
  label === SYSTEM_ACTOR_LABEL || !label ? 'le système' : label === 'anonymous' ? 'un visiteur anonyme' : label;

// ─── Identity and sign-in ────────────────────────────────────────────────────────────────────────

/** The signed-in account as the web app sees it. */
export const meUser = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  role,
  organisationId: z.uuid().nullable(),
  organisationCode: z.string().nullable(),
  mustChangePassword: z.boolean(),
});

/** `GET /api/auth/me` and the answer to a sign-in. */
export const me = z.object({
  authenticated: z.boolean(),
  user: meUser.nullable(),
  csrfToken: z.string().nullable().describe('Echo it in X-CSRF-Token on mutations made with the session cookie.'),
  orgName: z.string(),
  /** Federated session (ProConnect): level asserted and whether the role needs a stronger one. */
  assurance: z
    .object({
      provider: z.string(),
      acr: z.string().nullable(),
      elevationRequired: z.boolean().describe('The role needs a stronger acr (MFA): the session acts as a reader until the agent signs in again.'),
    })
    .nullable()
    .optional(),
});
export type Me = z.output<typeof me>;

export const loginBody = z.object({ login: z.string().min(1).max(100), password: z.string().min(1).max(256) });
export type LoginBody = z.input<typeof loginBody>;

export const changePasswordBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) });
export type ChangePasswordBody = z.input<typeof changePasswordBody>;

// ─── Personal API tokens ─────────────────────────────────────────────────────────────────────────

/** A personal API token as its owner sees it (never its value, except once at creation). */
export const apiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('First characters of the token, to recognise it.'),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});
export type ApiToken = z.output<typeof apiToken>;
export const apiTokenList = itemsOf(apiToken);

export const createTokenBody = z.object({
  name: z.string().trim().min(1, 'le nom est obligatoire').max(100),
  expiresInDays: z.number().int().min(1).max(366).nullable().default(90).describe('Validity in days; null: no expiry.'),
});
export type CreateTokenBody = z.input<typeof createTokenBody>;

/** A token just created: the only time its value is sent. */
export const createdToken = apiToken.extend({ token: z.string().describe('The token itself, shown once.') });

// ─── Organisations ───────────────────────────────────────────────────────────────────────────────

/** Kinds of organisations of the ministry (the API accepts other kinds; these are the ones offered). */
export const organisationKinds = [
  'secretariat_general',
  'direction_generale',
  'direction',
  'delegation',
  'sous_direction',
  'service',
  'prefecture',
  'operateur',
] as const;
export type OrganisationKind = (typeof organisationKinds)[number];
export const organisationKindLabels = labels(organisationKinds, {
  secretariat_general: 'Secrétariat général',
  direction_generale: 'Direction générale',
  direction: 'Direction',
  delegation: 'Délégation',
  sous_direction: 'Sous-direction',
  service: 'Service',
  prefecture: 'Préfecture',
  operateur: 'Opérateur',
});

export const organisationCode = z.string().max(20);

export const organisation = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  kind: z.string().describe(`One of ${organisationKinds.join(', ')} (or a kind added locally).`),
  parentId: z.uuid().nullable(),
  parentCode: z.string().nullable(),
});
export type Organisation = z.output<typeof organisation>;
export const organisationList = itemsOf(organisation);

export const createOrganisationBody = z.object({
  code: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{1,19}$/, 'code en majuscules, 2 à 20 caractères'),
  name: z.string().min(2).max(300),
  kind: z.string().min(2).max(40).default('direction'),
  parentCode: organisationCode.nullable().optional(),
});
export type CreateOrganisationBody = z.input<typeof createOrganisationBody>;

export const updateOrganisationBody = z.object({
  name: z.string().min(2).max(300).optional(),
  kind: z.string().min(2).max(40).optional(),
  parentCode: organisationCode.nullable().optional(),
});
export type UpdateOrganisationBody = z.input<typeof updateOrganisationBody>;
export const organisationCodeParams = z.object({ code: organisationCode });

// ─── Accounts (administration) ───────────────────────────────────────────────────────────────────

/** An account as administrators see it: never its password hash. */
export const user = z.object({
  id: z.uuid(),
  login: z.string(),
  email: z.string().nullable(),
  displayName: z.string(),
  role,
  organisationId: z.uuid().nullable(),
  organisationCode: z.string().nullable(),
  active: z.boolean(),
  authProvider: z.string().describe('`local`, or the identity provider of the account.'),
  mustChangePassword: z.boolean(),
  lastLoginAt: timestamp.nullable(),
  createdAt: timestamp,
});
export type User = z.output<typeof user>;

export const userListQuery = paginationQuery.extend({
  q: z.string().max(100).optional(),
  role: role.optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: download every matching account as CSV.'),
});
export type UserListQuery = z.input<typeof userListQuery>;
export const userList = z.object({ items: z.array(user), total: z.number().int() });

export const createUserBody = z.object({
  login: z.string().min(1).max(63),
  displayName: z.string().min(1).max(200),
  email: z.email().max(200).nullable().optional(),
  role,
  organisationCode: organisationCode.nullable().optional(),
  password: z.string().max(256).optional().describe('Initial password; generated and returned once when absent.'),
});
export type CreateUserBody = z.input<typeof createUserBody>;
export const createdUser = z.object({ user, password: z.string().optional().describe('The generated password, shown once.') });

export const updateUserBody = z.object({
  displayName: z.string().min(1).max(200).optional(),
  email: z.email().max(200).nullable().optional(),
  role: role.optional(),
  organisationCode: organisationCode.nullable().optional(),
  active: z.boolean().optional(),
});
export type UpdateUserBody = z.input<typeof updateUserBody>;

export const passwordReset = z.object({ login: z.string(), password: z.string().optional().describe('The generated password, shown once.') });

// ─── Audit log ───────────────────────────────────────────────────────────────────────────────────

/** One entry of the audit log: who did what, when, with the state before and after. */
export const auditEntry = z.object({
  id: z.number().int(),
  at: timestamp,
  actorId: z.uuid().nullable(),
  actorLabel: z.string().describe(`Login of the actor, or « ${SYSTEM_ACTOR_LABEL} » for the platform itself.`),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.output<typeof auditEntry>;

export const auditFilters = z.object({
  actor: z.string().max(100).optional().describe('Exact login of the actor.'),
  action: z.string().max(100).optional().describe('Prefix of the action.'),
  entityType: z.string().max(100).optional(),
  entityId: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export const auditQuery = paginationQuery.extend({
  ...auditFilters.shape,
  format: z.enum(['json', 'csv']).optional().describe('csv: download the whole filtered log as CSV.'),
});
export type AuditQuery = z.input<typeof auditQuery>;
export const auditPage = z.object({ items: z.array(auditEntry), total: z.number().int() });

// ─── Jobs ────────────────────────────────────────────────────────────────────────────────────────

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const jobState = z.enum(jobStates);
export type JobState = z.infer<typeof jobState>;
export const jobStateLabels = labels(jobStates, {
  queued: 'En attente',
  running: 'En cours',
  succeeded: 'Terminée',
  failed: 'En échec',
  cancelled: 'Annulée',
});
/** States after which a job does not change any more. */
export const finishedJobStates: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export const jobProgress = z.object({ done: z.number().optional(), total: z.number().optional(), message: z.string().optional() });
export type JobProgress = z.output<typeof jobProgress>;

/** A background job with its progress, as its owner (or an admin) sees it. */
/** A file a finished job produced, downloadable by whoever may see the job. */
export const jobDownload = z.object({ label: z.string(), href: z.string() });
export const job = z.object({
  id: z.uuid(),
  type: z.string().describe('Handler name, `module.task`.'),
  title: z.string().describe('What the job does, in French (« Appariement du fichier personnes.csv »).'),
  fileName: z.string().nullable().describe('The file the job works on, when it works on one.'),
  downloads: z.array(jobDownload).describe('Files of a finished job (result, report), for its owner or an admin.'),
  state: jobState,
  progress: jobProgress,
  result: z.unknown(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  ownerId: z.uuid().nullable(),
  cancelRequested: z.boolean(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
});
export type Job = z.output<typeof job>;
export const jobList = itemsOf(job);

export const jobListQuery = z.object({
  type: z.string().max(100).optional(),
  state: jobState.optional(),
  all: z.enum(['true', 'false']).optional().describe('true: every user’s jobs (admins only).'),
});
export type JobListQuery = z.input<typeof jobListQuery>;
