import { pgTable, text, uuid, timestamp, boolean, index, uniqueIndex, jsonb } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { users } from '../auth.table.ts';
import { organisations } from '../../organisations/organisations.table.ts';
import { roles, type Role } from '@patrimoine/contracts/platform';

/**
 * Identities of an account at OpenID Connect providers (ProConnect). ProConnect's `sub` differs for each
 * identity provider behind it, so an agent may have several; each is found by (issuer, subject).
 */
export const userIdentities = pgTable(
  'user_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Account the identity signs in to. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Issuer of the provider (its discovery `issuer`). */
    issuer: text('issuer').notNull(),
    /** `sub` claim: unique per (ProConnect, identity provider, service). */
    subject: text('subject').notNull(),
    /** `idp_id` claim: the identity provider behind ProConnect the agent used. */
    idpId: text('idp_id'),
    /** E-mail address asserted at the last sign-in. */
    email: text('email'),
    /** SIRET asserted at the last sign-in. */
    siret: text('siret'),
    /** `organization_label` asserted at the last sign-in. */
    organisationLabel: text('organisation_label'),
    /** acr of the last sign-in. */
    lastAcr: text('last_acr'),
    /** True while no organisation rule matched the agent: an administrator has to place them. */
    placementPending: boolean('placement_pending').notNull().default(false),
    /** Last sign-in with this identity. */
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    /** First sign-in (link or provisioning). */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('user_identities_iss_sub_idx').on(t.issuer, t.subject), index('user_identities_user_idx').on(t.userId)],
);

/**
 * Sign-in and sign-out attempts in flight at a provider: the browser holds a random cookie whose SHA-256
 * is the id; `state` and `nonce` are checked at the callback and the row is consumed once.
 */
export const oidcFlows = pgTable(
  'oidc_flows',
  {
    /** SHA-256 (hex) of the flow cookie. */
    id: text('id').primaryKey(),
    /** `login` (awaiting the callback), `link` (awaiting the agent's confirmation to link an existing account), `logout`. */
    kind: text('kind', { enum: ['login', 'link', 'logout'] }).notNull(),
    /** OAuth2 `state` sent to the provider (≥ 32 characters). */
    state: text('state').notNull(),
    /** OpenID Connect `nonce` sent to the provider (≥ 32 characters). */
    nonce: text('nonce'),
    /** Page of Patrimoine to return to after sign-in. */
    returnTo: text('return_to'),
    /** acr values demanded as essential (MFA re-authentication), space-separated. */
    requiredAcr: text('required_acr'),
    /** For `link`: the verified identity awaiting confirmation, and the account it would be linked to. */
    pending: jsonb('pending'),
    /** The flow is refused after this instant (10 minutes). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Start of the flow. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('oidc_flows_expires_idx').on(t.expiresAt)],
);

/**
 * Where federated agents land: by SIRET (when the identity provider verifies it) or by identity provider
 * id and e-mail domain (ProConnect warns SIRET is unreliable for some ministries). Edited by administrators.
 */
export const federationOrgRules = pgTable(
  'federation_org_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SIRET (14 digits) the rule matches; null for an identity-provider rule. */
    siret: text('siret'),
    /** `idp_id` the rule matches (with `emailDomain`); null for a SIRET rule. */
    idpId: text('idp_id'),
    /** E-mail domain (lower case, without @) the rule matches with `idpId`. */
    emailDomain: text('email_domain'),
    /** Organisation the agent is placed in. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** Role given at first sign-in. */
    role: text('role', { enum: roles }).$type<Role>().notNull().default('reader'),
    /** Creation of the rule. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Last change of the rule. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('federation_org_rules_siret_idx')
      .on(t.siret)
      .where(sql`${t.siret} is not null`),
    uniqueIndex('federation_org_rules_idp_idx')
      .on(t.idpId, t.emailDomain)
      .where(sql`${t.idpId} is not null`),
  ],
);
