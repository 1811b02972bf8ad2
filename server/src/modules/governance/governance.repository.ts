import { and, asc, desc, eq, inArray, isNull, lte, ne, or, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import { governanceAppointments, governanceCampaigns, governanceCriteria, governanceProjects, governanceReviewItems } from './governance.table.ts';

export type AppointmentRow = typeof governanceAppointments.$inferSelect;
export type AppointmentInsert = typeof governanceAppointments.$inferInsert;
export type CampaignRow = typeof governanceCampaigns.$inferSelect;
export type CriterionRow = typeof governanceCriteria.$inferSelect;
export type ProjectRow = typeof governanceProjects.$inferSelect;
export type AppointmentWithOrg = AppointmentRow & { orgCode: string | null; orgName: string | null };

/** SQL of the governance module (ADR 0700). Every function takes an optional transaction. */
export function createGovernanceRepository(db: Db) {
  return {
    async isEmpty(tx: Db = db) {
      const [a] = await tx.select({ id: governanceAppointments.id }).from(governanceAppointments).limit(1);
      const [c] = await tx.select({ id: governanceCampaigns.id }).from(governanceCampaigns).limit(1);
      const [p] = await tx.select({ id: governanceProjects.id }).from(governanceProjects).limit(1);
      const [k] = await tx.select({ id: governanceCriteria.id }).from(governanceCriteria).limit(1);
      return !a && !c && !p && !k;
    },

    // ---- appointments ----
    async listAppointments(
      f: { role?: string; organisationId?: string; region?: string; currentAt?: string } = {},
      tx: Db = db,
    ): Promise<AppointmentWithOrg[]> {
      const where = and(
        f.role ? eq(governanceAppointments.role, f.role as AppointmentRow['role']) : undefined,
        f.organisationId ? eq(governanceAppointments.organisationId, f.organisationId) : undefined,
        f.region ? eq(governanceAppointments.region, f.region) : undefined,
        f.currentAt
          ? and(lte(governanceAppointments.appointedOn, f.currentAt), or(isNull(governanceAppointments.until), gte(governanceAppointments.until, f.currentAt)))
          : undefined,
      );
      const rows = await tx
        .select({ a: governanceAppointments, orgCode: organisations.code, orgName: organisations.name })
        .from(governanceAppointments)
        .leftJoin(organisations, eq(organisations.id, governanceAppointments.organisationId))
        .where(where)
        .orderBy(
          asc(governanceAppointments.role),
          asc(organisations.code),
          asc(governanceAppointments.region),
          asc(governanceAppointments.position),
          desc(governanceAppointments.appointedOn),
        );
      return rows.map((r) => ({ ...r.a, orgCode: r.orgCode, orgName: r.orgName }));
    },
    async findAppointment(id: string, tx: Db = db): Promise<AppointmentWithOrg | null> {
      const [r] = await tx
        .select({ a: governanceAppointments, orgCode: organisations.code, orgName: organisations.name })
        .from(governanceAppointments)
        .leftJoin(organisations, eq(organisations.id, governanceAppointments.organisationId))
        .where(eq(governanceAppointments.id, id));
      return r ? { ...r.a, orgCode: r.orgCode, orgName: r.orgName } : null;
    },
    async insertAppointment(v: AppointmentInsert, tx: Db = db) {
      const [r] = await tx.insert(governanceAppointments).values(v).returning();
      return r!;
    },
    /** Compare-and-set on the version: null when someone changed it meanwhile. */
    async updateAppointment(id: string, version: number, v: Partial<AppointmentInsert>, tx: Db = db) {
      const [r] = await tx
        .update(governanceAppointments)
        .set({ ...v, version: version + 1 })
        .where(and(eq(governanceAppointments.id, id), eq(governanceAppointments.version, version)))
        .returning();
      return r ?? null;
    },
    async deleteAppointment(id: string, tx: Db = db) {
      const [r] = await tx.delete(governanceAppointments).where(eq(governanceAppointments.id, id)).returning();
      return r ?? null;
    },

    // ---- campaigns ----
    async insertCampaign(v: typeof governanceCampaigns.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(governanceCampaigns).values(v).returning();
      return r!;
    },
    async insertItems(items: (typeof governanceReviewItems.$inferInsert)[], tx: Db = db) {
      for (let i = 0; i < items.length; i += 1000) await tx.insert(governanceReviewItems).values(items.slice(i, i + 1000));
    },
    async listCampaigns(tx: Db = db) {
      return tx.select().from(governanceCampaigns).orderBy(desc(governanceCampaigns.startedOn), desc(governanceCampaigns.createdAt));
    },
    async findCampaign(id: string, tx: Db = db) {
      const [r] = await tx.select().from(governanceCampaigns).where(eq(governanceCampaigns.id, id));
      return r ?? null;
    },
    async openCampaigns(tx: Db = db) {
      return tx.select().from(governanceCampaigns).where(eq(governanceCampaigns.status, 'ouverte'));
    },
    async closeCampaign(id: string, at: Date, tx: Db = db) {
      const [r] = await tx
        .update(governanceCampaigns)
        .set({ status: 'close', closedAt: at })
        .where(and(eq(governanceCampaigns.id, id), eq(governanceCampaigns.status, 'ouverte')))
        .returning();
      return r ?? null;
    },
    /** Claims today's reminder round (one node, one round a day): false when already sent today. */
    async claimReminder(id: string, day: string, tx: Db = db) {
      const [r] = await tx
        .update(governanceCampaigns)
        .set({ lastReminderOn: day })
        .where(and(eq(governanceCampaigns.id, id), or(isNull(governanceCampaigns.lastReminderOn), ne(governanceCampaigns.lastReminderOn, day))))
        .returning({ id: governanceCampaigns.id });
      return !!r;
    },
    /** Counts per organisation and outcome of the campaigns given. */
    async progress(campaignIds: string[], tx: Db = db) {
      if (!campaignIds.length) return [];
      return tx
        .select({
          campaignId: governanceReviewItems.campaignId,
          organisationId: governanceReviewItems.organisationId,
          code: organisations.code,
          name: organisations.name,
          outcome: governanceReviewItems.outcome,
          n: sql<number>`count(*)::int`,
        })
        .from(governanceReviewItems)
        .innerJoin(organisations, eq(organisations.id, governanceReviewItems.organisationId))
        .where(inArray(governanceReviewItems.campaignId, campaignIds))
        .groupBy(governanceReviewItems.campaignId, governanceReviewItems.organisationId, organisations.code, organisations.name, governanceReviewItems.outcome);
    },
    async items(campaignId: string, f: { organisationId?: string; outcome?: string }, limit: number, offset: number, tx: Db = db) {
      const where = and(
        eq(governanceReviewItems.campaignId, campaignId),
        f.organisationId ? eq(governanceReviewItems.organisationId, f.organisationId) : undefined,
        f.outcome ? eq(governanceReviewItems.outcome, f.outcome as 'en_attente') : undefined,
      );
      const [rows, [count]] = await Promise.all([
        tx
          .select({ i: governanceReviewItems, code: organisations.code })
          .from(governanceReviewItems)
          .innerJoin(organisations, eq(organisations.id, governanceReviewItems.organisationId))
          .where(where)
          .orderBy(asc(organisations.code), asc(governanceReviewItems.outcome), asc(governanceReviewItems.assetId))
          .limit(limit)
          .offset(offset),
        tx
          .select({ n: sql<number>`count(*)::int` })
          .from(governanceReviewItems)
          .where(where),
      ]);
      return { rows, total: count?.n ?? 0 };
    },
    async findItem(campaignId: string, assetId: string, tx: Db = db) {
      const [r] = await tx
        .select()
        .from(governanceReviewItems)
        .where(and(eq(governanceReviewItems.campaignId, campaignId), eq(governanceReviewItems.assetId, assetId)));
      return r ?? null;
    },
    async setOutcome(campaignId: string, assetId: string, outcome: 'confirme' | 'modifie', at: Date, by: string, tx: Db = db) {
      const [r] = await tx
        .update(governanceReviewItems)
        .set({ outcome, reviewedAt: at, reviewedBy: by })
        .where(and(eq(governanceReviewItems.campaignId, campaignId), eq(governanceReviewItems.assetId, assetId)))
        .returning();
      return r ?? null;
    },
    /** Marks the asset « updated » in every open campaign where it is still to review. */
    async markModified(assetId: string, at: Date, by: string, tx: Db = db) {
      const open = tx.select({ id: governanceCampaigns.id }).from(governanceCampaigns).where(eq(governanceCampaigns.status, 'ouverte'));
      await tx
        .update(governanceReviewItems)
        .set({ outcome: 'modifie', reviewedAt: at, reviewedBy: by })
        .where(
          and(eq(governanceReviewItems.assetId, assetId), eq(governanceReviewItems.outcome, 'en_attente'), inArray(governanceReviewItems.campaignId, open)),
        );
    },

    // ---- value grid and projects ----
    async criteria(includeRetired = false, tx: Db = db) {
      return tx
        .select()
        .from(governanceCriteria)
        .where(includeRetired ? undefined : eq(governanceCriteria.active, true))
        .orderBy(asc(governanceCriteria.position));
    },
    async upsertCriterion(v: typeof governanceCriteria.$inferInsert, tx: Db = db) {
      if (v.id) {
        const [r] = await tx.update(governanceCriteria).set(v).where(eq(governanceCriteria.id, v.id)).returning();
        return r ?? null;
      }
      const [r] = await tx.insert(governanceCriteria).values(v).returning();
      return r!;
    },
    async retireCriteria(keep: string[], at: Date, tx: Db = db) {
      await tx
        .update(governanceCriteria)
        .set({ active: false, updatedAt: at })
        .where(and(eq(governanceCriteria.active, true), keep.length ? sql`${governanceCriteria.id} not in ${keep}` : undefined));
    },
    async listProjects(status: string | undefined, tx: Db = db) {
      const rows = await tx
        .select({ p: governanceProjects, code: organisations.code })
        .from(governanceProjects)
        .innerJoin(organisations, eq(organisations.id, governanceProjects.organisationId))
        .where(status ? eq(governanceProjects.status, status as ProjectRow['status']) : undefined)
        .orderBy(desc(governanceProjects.createdAt));
      return rows.map((r) => ({ ...r.p, organisationCode: r.code }));
    },
    async findProject(id: string, tx: Db = db) {
      const [r] = await tx
        .select({ p: governanceProjects, code: organisations.code })
        .from(governanceProjects)
        .innerJoin(organisations, eq(organisations.id, governanceProjects.organisationId))
        .where(eq(governanceProjects.id, id));
      return r ? { ...r.p, organisationCode: r.code } : null;
    },
    async insertProject(v: typeof governanceProjects.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(governanceProjects).values(v).onConflictDoNothing().returning();
      return r ?? null;
    },
    async updateProject(id: string, version: number, v: Partial<typeof governanceProjects.$inferInsert>, tx: Db = db) {
      const [r] = await tx
        .update(governanceProjects)
        .set({ ...v, version: version + 1 })
        .where(and(eq(governanceProjects.id, id), eq(governanceProjects.version, version)))
        .returning();
      return r ?? null;
    },
  };
}
export type GovernanceRepository = ReturnType<typeof createGovernanceRepository>;
