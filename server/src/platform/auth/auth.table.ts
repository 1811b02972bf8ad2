import { pgTable, text, uuid, timestamp, boolean, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { organisations } from '../organisations/organisations.table.ts';

import { roles, type Role } from '@patrimoine/contracts/platform';

export { roles, type Role };

/** Agents who sign in to Patrimoine (local accounts now, OpenID Connect identities later). */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Login name, stored lower-case; unique. */
    login: text('login').notNull(),
    /** E-mail address, for notifications. */
    email: text('email'),
    /** Name shown in the interface and the audit log. */
    displayName: text('display_name').notNull(),
    /** scrypt hash `scrypt$N$r$p$salt$hash`; null for accounts that sign in through an identity provider. */
    passwordHash: text('password_hash'),
    /** Role: admin, data_admin, editor, reviewer or reader. */
    role: text('role', { enum: roles }).notNull().default('reader'),
    /** Organisation the account belongs to; scopes a data_admin's rights. */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    /** Deactivated accounts cannot sign in; their sessions are closed. */
    active: boolean('active').notNull().default(true),
    /** Identity provider: `local`, or the name of an OIDC provider such as `proconnect`. */
    authProvider: text('auth_provider').notNull().default('local'),
    /** Subject identifier at the identity provider. */
    externalSubject: text('external_subject'),
    /** Set when an administrator chose the password: the user is asked to change it. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    /** Set when the account is linked to a ProConnect identity and local passwords are disabled for such accounts. */
    localPasswordDisabled: boolean('local_password_disabled').notNull().default(false),
    /** Last successful sign-in. */
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_login_idx').on(sql`lower(${t.login})`),
    uniqueIndex('users_external_idx').on(t.authProvider, t.externalSubject),
    index('users_org_idx').on(t.organisationId),
  ],
);

/** Login sessions (cookie). The cookie holds a random token; only its SHA-256 is stored. */
export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 (hex) of the session token. */
    id: text('id').primaryKey(),
    /** Owner of the session or token. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Anti-CSRF token that cookie-authenticated mutations must echo in X-CSRF-Token. */
    csrfToken: text('csrf_token').notNull(),
    /** Client address at sign-in. */
    ip: text('ip'),
    /** Browser at sign-in (truncated). */
    userAgent: text('user_agent'),
    /** Identity provider of a federated session (`proconnect`); null for a password session. */
    provider: text('provider'),
    /** Authentication context class (`eidas1`, `eidas1-mfa`…) the provider asserted; checked against the role policy. */
    acr: text('acr'),
    /** Authentication methods the provider asserted (`pwd mfa otp`…), space-separated. */
    amr: text('amr'),
    /** The provider's ID token, sent back as `id_token_hint` at logout. */
    idToken: text('id_token'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Instant after which the session or token is refused. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

/** Personal API tokens for scripts: shown once, stored as SHA-256, revocable, with expiry. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Owner of the token: the token acts with this account's rights. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** What the token is for, as its owner named it. */
    name: text('name').notNull(),
    /** First characters of the token, shown to recognise it. */
    prefix: text('prefix').notNull(),
    /** SHA-256 (hex) of the full token. */
    tokenHash: text('token_hash').notNull().unique(),
    /** Expiry; null for a token without expiry. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Last use (updated at most once a minute). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** Revocation instant; a revoked token is refused. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);
