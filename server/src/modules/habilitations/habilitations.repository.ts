import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users } from '../../platform/auth/auth.table.ts';
import {
  habAuthorizations,
  habCounters,
  habDefinitions,
  habDocuments,
  habEvents,
  habForms,
  habMessages,
  habRequests,
  habReveals,
  habRoles,
  habTemplates,
  habUnsubscribes,
  habWebhookAttempts,
  habWebhooks,
} from './habilitations.table.ts';

export type DefinitionRow = typeof habDefinitions.$inferSelect;
export type RequestRow = typeof habRequests.$inferSelect;
export type AuthorizationRow = typeof habAuthorizations.$inferSelect;
export type WebhookRow = typeof habWebhooks.$inferSelect;

/** SQL of the habilitations module: the only file touching its tables. */
export function createHabilitationsRepository(db: Db) {
  return {
    db,
    // --- definitions ---
    listDefinitions: (tx: Db = db) => tx.select().from(habDefinitions).orderBy(asc(habDefinitions.name)),
    async definition(id: string, tx: Db = db) {
      const [r] = await tx.select().from(habDefinitions).where(eq(habDefinitions.id, id));
      return r ?? null;
    },
    async upsertDefinition(v: typeof habDefinitions.$inferInsert, tx: Db) {
      const [r] = await tx
        .insert(habDefinitions)
        .values(v)
        .onConflictDoUpdate({ target: habDefinitions.id, set: { ...v, createdAt: undefined } })
        .returning();
      return r!;
    },
    formsOf: (definitionId: string, tx: Db = db) => tx.select().from(habForms).where(eq(habForms.definitionId, definitionId)).orderBy(asc(habForms.name)),
    async form(uid: string, tx: Db = db) {
      const [r] = await tx.select().from(habForms).where(eq(habForms.uid, uid));
      return r ?? null;
    },
    async upsertForm(v: typeof habForms.$inferInsert, tx: Db) {
      const [r] = await tx
        .insert(habForms)
        .values(v)
        .onConflictDoUpdate({ target: habForms.uid, set: { ...v, createdAt: undefined } })
        .returning();
      return r!;
    },
    // --- roles & templates ---
    rolesOfUser: (userId: string, tx: Db = db) => tx.select().from(habRoles).where(eq(habRoles.userId, userId)),
    rolesOf: (definitionId: string, tx: Db = db) =>
      tx
        .select({ userId: habRoles.userId, role: habRoles.role, login: users.login, displayName: users.displayName, email: users.email })
        .from(habRoles)
        .innerJoin(users, eq(users.id, habRoles.userId))
        .where(eq(habRoles.definitionId, definitionId)),
    async addRole(v: typeof habRoles.$inferInsert, tx: Db) {
      await tx.insert(habRoles).values(v).onConflictDoNothing();
    },
    async removeRole(definitionId: string, userId: string, role: string, tx: Db) {
      const r = await tx
        .delete(habRoles)
        .where(and(eq(habRoles.definitionId, definitionId), eq(habRoles.userId, userId), eq(habRoles.role, role as 'instructor')))
        .returning();
      return r.length > 0;
    },
    templatesOf: (definitionId: string, tx: Db = db) =>
      tx.select().from(habTemplates).where(eq(habTemplates.definitionId, definitionId)).orderBy(asc(habTemplates.title)),
    async deleteTemplate(definitionId: string, id: string, tx: Db) {
      const r = await tx
        .delete(habTemplates)
        .where(and(eq(habTemplates.definitionId, definitionId), eq(habTemplates.id, id)))
        .returning();
      return r[0] ?? null;
    },
    async insertTemplate(v: typeof habTemplates.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habTemplates).values(v).returning();
      return r!;
    },
    // --- requests ---
    async request(id: string, tx: Db = db) {
      const [r] = await tx.select().from(habRequests).where(eq(habRequests.id, id));
      return r ?? null;
    },
    async lockRequest(id: string, tx: Db) {
      const [r] = await tx.select().from(habRequests).where(eq(habRequests.id, id)).for('update');
      return r ?? null;
    },
    async insertRequest(v: typeof habRequests.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habRequests).values(v).returning();
      return r!;
    },
    /** Conditional update: applies only when the request is still in one of `from` at `version` (null when another change won). */
    async updateRequestIf(id: string, from: readonly string[], version: number, v: Partial<typeof habRequests.$inferInsert>, tx: Db) {
      const [r] = await tx
        .update(habRequests)
        .set({ ...v, version: version + 1 })
        .where(and(eq(habRequests.id, id), inArray(habRequests.state, from as never[]), eq(habRequests.version, version)))
        .returning();
      return r ?? null;
    },
    async listRequests(
      f: {
        definitionIds?: string[] | null;
        applicantId?: string;
        organisationId?: string | null;
        state?: string;
        definitionId?: string;
        q?: string;
        limit: number;
        offset: number;
      },
      tx: Db = db,
    ) {
      const where: (SQL | undefined)[] = [];
      const vis: (SQL | undefined)[] = [];
      if (f.definitionIds) vis.push(f.definitionIds.length ? inArray(habRequests.definitionId, f.definitionIds) : undefined);
      if (f.applicantId) vis.push(eq(habRequests.applicantId, f.applicantId), eq(habRequests.intendedForId, f.applicantId));
      if (f.organisationId) vis.push(eq(habRequests.organisationId, f.organisationId));
      if (f.definitionIds !== null) {
        const v = vis.filter(Boolean);
        where.push(v.length ? or(...v) : sql`false`);
      }
      if (f.state) where.push(eq(habRequests.state, f.state as 'draft'));
      if (f.definitionId) where.push(eq(habRequests.definitionId, f.definitionId));
      if (f.q) where.push(or(ilike(habRequests.intitule, `%${f.q.replace(/[%_\\]/g, '\\$&')}%`), eq(habRequests.siret, f.q.replace(/\s/g, ''))));
      const cond = and(...where);
      const [rows, [count]] = await Promise.all([
        tx.select().from(habRequests).where(cond).orderBy(desc(habRequests.updatedAt)).limit(f.limit).offset(f.offset),
        tx
          .select({ n: sql<number>`count(*)::int` })
          .from(habRequests)
          .where(cond),
      ]);
      return { rows, total: count?.n ?? 0 };
    },
    // --- journal, messages, documents ---
    async insertEvent(v: typeof habEvents.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habEvents).values(v).returning();
      return r!;
    },
    eventsOf: (requestId: string, tx: Db = db) =>
      tx.select().from(habEvents).where(eq(habEvents.requestId, requestId)).orderBy(asc(habEvents.at), asc(habEvents.id)),
    async insertMessage(v: typeof habMessages.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habMessages).values(v).returning();
      return r!;
    },
    messagesOf: (requestId: string, tx: Db = db) => tx.select().from(habMessages).where(eq(habMessages.requestId, requestId)).orderBy(asc(habMessages.at)),
    documentsOf: (requestId: string, tx: Db = db) =>
      tx
        .select({
          id: habDocuments.id,
          key: habDocuments.key,
          filename: habDocuments.filename,
          size: habDocuments.size,
          sha256: habDocuments.sha256,
          createdAt: habDocuments.createdAt,
        })
        .from(habDocuments)
        .where(eq(habDocuments.requestId, requestId)),
    async document(id: string, tx: Db = db) {
      const [r] = await tx.select().from(habDocuments).where(eq(habDocuments.id, id));
      return r ?? null;
    },
    async insertDocument(v: typeof habDocuments.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habDocuments).values(v).returning({ id: habDocuments.id, createdAt: habDocuments.createdAt });
      return r!;
    },
    // --- habilitations ---
    async nextNumber(definitionId: string, tx: Db) {
      const [r] = await tx
        .insert(habCounters)
        .values({ definitionId, last: 1 })
        .onConflictDoUpdate({ target: habCounters.definitionId, set: { last: sql`${habCounters.last} + 1` } })
        .returning();
      return r!.last;
    },
    async insertAuthorization(v: typeof habAuthorizations.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habAuthorizations).values(v).returning();
      return r!;
    },
    async updateAuthorization(id: string, v: Partial<typeof habAuthorizations.$inferInsert>, tx: Db) {
      const [r] = await tx.update(habAuthorizations).set(v).where(eq(habAuthorizations.id, id)).returning();
      return r!;
    },
    /**
     * Claims a reminder (D-30 or D-7) of an active habilitation: a conditional update, so that two nodes
     * running the expiry round at once send it once (the second waits for the first's row lock, then
     * finds the flag set). A D-7 reminder also settles D-30. False when already claimed.
     */
    async claimReminder(id: string, which: 'd30' | 'd7', tx: Db) {
      const flag = which === 'd7' ? habAuthorizations.remindedD7 : habAuthorizations.remindedD30;
      const r = await tx
        .update(habAuthorizations)
        .set(which === 'd7' ? { remindedD7: true, remindedD30: true } : { remindedD30: true })
        .where(and(eq(habAuthorizations.id, id), eq(habAuthorizations.state, 'active'), eq(flag, false)))
        .returning({ id: habAuthorizations.id });
      return r.length === 1;
    },
    /** Claims the expiry of an active habilitation (active → obsolete), once across nodes. */
    async claimExpiry(id: string, tx: Db) {
      const r = await tx
        .update(habAuthorizations)
        .set({ state: 'obsolete' })
        .where(and(eq(habAuthorizations.id, id), eq(habAuthorizations.state, 'active')))
        .returning({ id: habAuthorizations.id });
      return r.length === 1;
    },
    authorizationsOf: (requestId: string, tx: Db = db) =>
      tx.select().from(habAuthorizations).where(eq(habAuthorizations.requestId, requestId)).orderBy(desc(habAuthorizations.createdAt)),
    async authorization(id: string, tx: Db = db) {
      const [r] = await tx.select().from(habAuthorizations).where(eq(habAuthorizations.id, id));
      return r ?? null;
    },
    listAuthorizations: (f: { state?: string; definitionId?: string; requestIds?: string[] | null }, tx: Db = db) =>
      tx
        .select()
        .from(habAuthorizations)
        .where(
          and(
            f.state ? eq(habAuthorizations.state, f.state as 'active') : undefined,
            f.definitionId ? eq(habAuthorizations.definitionId, f.definitionId) : undefined,
            f.requestIds ? (f.requestIds.length ? inArray(habAuthorizations.requestId, f.requestIds) : sql`false`) : undefined,
          ),
        )
        .orderBy(desc(habAuthorizations.createdAt))
        .limit(10_000),
    /** Active habilitations expiring before `until`. */
    expiring: (until: Date, tx: Db = db) =>
      tx
        .select()
        .from(habAuthorizations)
        .where(
          and(
            eq(habAuthorizations.state, 'active'),
            sql`${habAuthorizations.expiresAt} IS NOT NULL AND ${habAuthorizations.expiresAt} <= ${until.toISOString()}::timestamptz`,
          ),
        ),
    // --- reveals ---
    async insertReveal(v: typeof habReveals.$inferInsert, tx: Db) {
      await tx.insert(habReveals).values(v);
    },
    /** Takes the sealed credential once: null when already revealed, expired or unknown. */
    async takeReveal(tokenHash: string, now: Date, tx: Db) {
      const [r] = await tx
        .update(habReveals)
        .set({ sealed: null, revealedAt: now })
        .where(
          and(eq(habReveals.tokenHash, tokenHash), sql`${habReveals.revealedAt} IS NULL`, sql`${habReveals.expiresAt} > ${now.toISOString()}::timestamptz`),
        )
        .returning({ authorizationId: habReveals.authorizationId });
      return r ?? null;
    },
    async peekReveal(tokenHash: string, tx: Db = db) {
      const [r] = await tx.select().from(habReveals).where(eq(habReveals.tokenHash, tokenHash));
      return r ?? null;
    },
    // --- e-mail opt-outs ---
    async unsubscribe(email: string, tx: Db) {
      await tx.insert(habUnsubscribes).values({ email }).onConflictDoNothing();
    },
    async unsubscribed(emails: string[], tx: Db = db) {
      if (!emails.length) return new Set<string>();
      const rows = await tx.select().from(habUnsubscribes).where(inArray(habUnsubscribes.email, emails));
      return new Set(rows.map((r) => r.email));
    },
    // --- webhooks ---
    webhooksOf: (definitionId: string, tx: Db = db) => tx.select().from(habWebhooks).where(eq(habWebhooks.definitionId, definitionId)),
    async webhook(id: string, tx: Db = db) {
      const [r] = await tx.select().from(habWebhooks).where(eq(habWebhooks.id, id));
      return r ?? null;
    },
    async insertWebhook(v: typeof habWebhooks.$inferInsert, tx: Db) {
      const [r] = await tx.insert(habWebhooks).values(v).returning();
      return r!;
    },
    async updateWebhook(id: string, v: Partial<typeof habWebhooks.$inferInsert>, tx: Db = db) {
      const [r] = await tx.update(habWebhooks).set(v).where(eq(habWebhooks.id, id)).returning();
      return r!;
    },
    async insertAttempt(v: typeof habWebhookAttempts.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(habWebhookAttempts).values(v).returning();
      return r!;
    },
    async attempt(id: string, tx: Db = db) {
      const [r] = await tx.select().from(habWebhookAttempts).where(eq(habWebhookAttempts.id, id));
      return r ?? null;
    },
    attemptsOf: (webhookId: string, f: { since?: Date; until?: Date; limit: number }, tx: Db = db) =>
      tx
        .select()
        .from(habWebhookAttempts)
        .where(
          and(
            eq(habWebhookAttempts.webhookId, webhookId),
            f.since ? sql`${habWebhookAttempts.createdAt} >= ${f.since.toISOString()}::timestamptz` : undefined,
            f.until ? sql`${habWebhookAttempts.createdAt} <= ${f.until.toISOString()}::timestamptz` : undefined,
          ),
        )
        .orderBy(desc(habWebhookAttempts.createdAt))
        .limit(f.limit),
    /** Increments (or resets) a webhook's failure count atomically; returns the new count. */
    async countFailure(id: string, failed: boolean, tx: Db = db) {
      const [r] = await tx
        .update(habWebhooks)
        .set({ consecutiveFailures: failed ? sql`${habWebhooks.consecutiveFailures} + 1` : 0 })
        .where(eq(habWebhooks.id, id))
        .returning();
      return r!;
    },
    async usersByIds(ids: string[], tx: Db = db) {
      if (!ids.length) return [];
      return tx.select({ id: users.id, login: users.login, displayName: users.displayName, email: users.email }).from(users).where(inArray(users.id, ids));
    },
    async requestsCount(tx: Db = db) {
      const [r] = await tx.select({ n: sql<number>`count(*)::int` }).from(habRequests);
      return r?.n ?? 0;
    },
    async definitionsCount(tx: Db = db) {
      const [r] = await tx.select({ n: sql<number>`count(*)::int` }).from(habDefinitions);
      return r?.n ?? 0;
    },
  };
}
export type HabilitationsRepository = ReturnType<typeof createHabilitationsRepository>;
