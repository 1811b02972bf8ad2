import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../auth.table.ts';
import { organisations } from '../../organisations/organisations.table.ts';
import { federationOrgRules, oidcFlows, userIdentities } from './oidc.table.ts';

export type FlowRow = typeof oidcFlows.$inferSelect;
export type IdentityRow = typeof userIdentities.$inferSelect;
export type RuleRow = typeof federationOrgRules.$inferSelect;

export function createOidcRepository(db: Db) {
  return {
    async insertFlow(values: typeof oidcFlows.$inferInsert, tx: Db = db) {
      await tx.insert(oidcFlows).values(values);
    },
    /** Consumes a flow: deleted as it is read, so a state, nonce or pending link is used at most once. */
    async takeFlow(id: string, kind: FlowRow['kind'], now: Date, tx: Db = db): Promise<FlowRow | null> {
      const [r] = await tx
        .delete(oidcFlows)
        .where(and(eq(oidcFlows.id, id), eq(oidcFlows.kind, kind)))
        .returning();
      return r && r.expiresAt > now ? r : null;
    },
    async peekFlow(id: string, kind: FlowRow['kind'], now: Date, tx: Db = db): Promise<FlowRow | null> {
      const [r] = await tx
        .select()
        .from(oidcFlows)
        .where(and(eq(oidcFlows.id, id), eq(oidcFlows.kind, kind)));
      return r && r.expiresAt > now ? r : null;
    },
    async purgeFlows(now: Date, tx: Db = db) {
      await tx.delete(oidcFlows).where(lte(oidcFlows.expiresAt, now));
    },

    async findIdentity(issuer: string, subject: string, tx: Db = db) {
      const [r] = await tx
        .select()
        .from(userIdentities)
        .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)));
      return r ?? null;
    },
    async insertIdentity(values: typeof userIdentities.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(userIdentities).values(values).returning();
      return r!;
    },
    async updateIdentity(id: string, values: Partial<typeof userIdentities.$inferInsert>, tx: Db = db) {
      await tx.update(userIdentities).set(values).where(eq(userIdentities.id, id));
    },
    async findUserByEmail(email: string, tx: Db = db) {
      const rows = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
        .limit(2);
      // Two accounts sharing an address: no automatic proposal (the agent would not know which).
      return rows.length === 1 ? rows[0]! : null;
    },

    async listPending(tx: Db = db) {
      return tx
        .select({ i: userIdentities, u: users })
        .from(userIdentities)
        .innerJoin(users, eq(users.id, userIdentities.userId))
        .where(eq(userIdentities.placementPending, true))
        .orderBy(asc(userIdentities.createdAt))
        .limit(1000);
    },
    /** Clears the pending flag if still set; false when another administrator placed the agent first. */
    async clearPending(identityId: string, tx: Db = db): Promise<IdentityRow | null> {
      const [r] = await tx
        .update(userIdentities)
        .set({ placementPending: false })
        .where(and(eq(userIdentities.id, identityId), eq(userIdentities.placementPending, true)))
        .returning();
      return r ?? null;
    },

    async listRules(tx: Db = db) {
      return tx
        .select({ r: federationOrgRules, code: organisations.code })
        .from(federationOrgRules)
        .leftJoin(organisations, eq(organisations.id, federationOrgRules.organisationId))
        .orderBy(asc(federationOrgRules.siret), asc(federationOrgRules.idpId), asc(federationOrgRules.emailDomain))
        .limit(5000);
    },
    async findRule(id: string, tx: Db = db) {
      const [r] = await tx.select().from(federationOrgRules).where(eq(federationOrgRules.id, id)).for('update');
      return r ?? null;
    },
    async insertRule(values: typeof federationOrgRules.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(federationOrgRules).values(values).onConflictDoNothing().returning();
      return r ?? null;
    },
    async updateRule(id: string, values: Partial<typeof federationOrgRules.$inferInsert>, tx: Db = db) {
      const [r] = await tx.update(federationOrgRules).set(values).where(eq(federationOrgRules.id, id)).returning();
      return r ?? null;
    },
    async deleteRule(id: string, tx: Db = db) {
      await tx.delete(federationOrgRules).where(eq(federationOrgRules.id, id));
    },
    async countRules(tx: Db = db) {
      const [r] = await tx.select({ n: sql<number>`count(*)::int` }).from(federationOrgRules);
      return r?.n ?? 0;
    },
    /** The rule for an agent: identity provider + e-mail domain first (explicit), then SIRET. */
    async matchRule(p: { idpId: string | null; emailDomain: string | null; siret: string | null }, tx: Db = db): Promise<RuleRow | null> {
      if (p.idpId && p.emailDomain) {
        const [r] = await tx
          .select()
          .from(federationOrgRules)
          .where(and(eq(federationOrgRules.idpId, p.idpId), eq(federationOrgRules.emailDomain, p.emailDomain)));
        if (r) return r;
      }
      if (p.siret) {
        const [r] = await tx.select().from(federationOrgRules).where(eq(federationOrgRules.siret, p.siret));
        if (r) return r;
      }
      return null;
    },
  };
}
export type OidcRepository = ReturnType<typeof createOidcRepository>;
