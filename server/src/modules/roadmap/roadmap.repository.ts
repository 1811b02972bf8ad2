import { and, asc, desc, eq, gte, inArray, isNotNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import { roadmapActionContributors, roadmapActions, roadmapDecisions, roadmapIndicators, roadmapOpenings, roadmaps, roadmapUpdates } from './roadmap.table.ts';

export type RoadmapRow = typeof roadmaps.$inferSelect;
export type ActionRow = typeof roadmapActions.$inferSelect;
export type OpeningRow = typeof roadmapOpenings.$inferSelect;
export type UpdateRow = typeof roadmapUpdates.$inferSelect;
export type IndicatorRow = typeof roadmapIndicators.$inferSelect;
export type DecisionRow = typeof roadmapDecisions.$inferSelect;
export type ActionWithOrgs = ActionRow & { organisations: { id: string; code: string; name: string }[] };

export function createRoadmapRepository(db: Db) {
  return {
    async listRoadmaps(tx: Db = db) {
      return tx.select().from(roadmaps).orderBy(desc(roadmaps.startYear));
    },
    async findRoadmap(idOrSlug: string, tx: Db = db) {
      const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
      const [r] = await tx
        .select()
        .from(roadmaps)
        .where(isUuid ? eq(roadmaps.id, idOrSlug) : eq(roadmaps.slug, idOrSlug));
      return r ?? null;
    },
    async insertRoadmap(values: typeof roadmaps.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(roadmaps).values(values).returning();
      return r!;
    },

    /** Actions of a roadmap with their contributor organisations, in the source's order. */
    async listActions(roadmapId: string, f: { status?: string; section?: string; contributor?: string } = {}, tx: Db = db): Promise<ActionWithOrgs[]> {
      const c: SQL[] = [eq(roadmapActions.roadmapId, roadmapId)];
      if (f.status) c.push(eq(roadmapActions.status, f.status as never));
      if (f.section) c.push(sql`(${roadmapActions.section} = ${f.section} or ${roadmapActions.section} like ${f.section.replace(/[%_]/g, '\\$&') + '.%'})`);
      if (f.contributor) {
        c.push(
          sql`(exists (select 1 from ${roadmapActionContributors} rac join ${organisations} o on o.id = rac.organisation_id where rac.action_id = ${roadmapActions.id} and o.code = ${f.contributor.toUpperCase()})
              or ${f.contributor} = any(${roadmapActions.collectiveContributors}))`,
        );
      }
      const rows = await tx
        .select()
        .from(roadmapActions)
        .where(and(...c))
        .orderBy(asc(roadmapActions.position), asc(roadmapActions.code));
      return this.attachOrgs(rows, tx);
    },
    async attachOrgs(rows: ActionRow[], tx: Db = db): Promise<ActionWithOrgs[]> {
      if (rows.length === 0) return [];
      const links = await tx
        .select({ actionId: roadmapActionContributors.actionId, id: organisations.id, code: organisations.code, name: organisations.name })
        .from(roadmapActionContributors)
        .innerJoin(organisations, eq(organisations.id, roadmapActionContributors.organisationId))
        .where(
          inArray(
            roadmapActionContributors.actionId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(organisations.code));
      const by = new Map<string, { id: string; code: string; name: string }[]>();
      for (const l of links) by.set(l.actionId, [...(by.get(l.actionId) ?? []), { id: l.id, code: l.code, name: l.name }]);
      return rows.map((r) => ({ ...r, organisations: by.get(r.id) ?? [] }));
    },
    async findAction(roadmapId: string, code: string, tx: Db = db, lock = false) {
      const q = tx
        .select()
        .from(roadmapActions)
        .where(and(eq(roadmapActions.roadmapId, roadmapId), eq(roadmapActions.code, code.toUpperCase())));
      const [r] = lock ? await q.for('update') : await q;
      if (!r) return null;
      return (await this.attachOrgs([r], tx))[0]!;
    },
    async subActions(roadmapId: string, parentCode: string, tx: Db = db) {
      const rows = await tx
        .select()
        .from(roadmapActions)
        .where(and(eq(roadmapActions.roadmapId, roadmapId), eq(roadmapActions.parentCode, parentCode)))
        .orderBy(asc(roadmapActions.position));
      return this.attachOrgs(rows, tx);
    },
    async findActionById(id: string, tx: Db = db) {
      const [r] = await tx.select().from(roadmapActions).where(eq(roadmapActions.id, id));
      return r ?? null;
    },
    async insertAction(values: typeof roadmapActions.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(roadmapActions).values(values).returning();
      return r!;
    },
    async updateAction(id: string, values: Partial<typeof roadmapActions.$inferInsert>, at: Date, tx: Db = db) {
      const [r] = await tx
        .update(roadmapActions)
        .set({ ...values, updatedAt: at })
        .where(eq(roadmapActions.id, id))
        .returning();
      return r!;
    },
    async setContributors(actionId: string, organisationIds: string[], tx: Db = db) {
      await tx.delete(roadmapActionContributors).where(eq(roadmapActionContributors.actionId, actionId));
      if (organisationIds.length) await tx.insert(roadmapActionContributors).values(organisationIds.map((organisationId) => ({ actionId, organisationId })));
    },
    /** Actions carried over from this one (in later roadmaps). */
    async carriedTo(actionId: string, tx: Db = db) {
      return tx
        .select({
          id: roadmapActions.id,
          code: roadmapActions.code,
          roadmapId: roadmapActions.roadmapId,
          roadmapTitle: roadmaps.title,
          roadmapSlug: roadmaps.slug,
        })
        .from(roadmapActions)
        .innerJoin(roadmaps, eq(roadmaps.id, roadmapActions.roadmapId))
        .where(eq(roadmapActions.carriedFromId, actionId));
    },
    async roadmapOfAction(actionId: string, tx: Db = db) {
      const [r] = await tx
        .select({ id: roadmaps.id, slug: roadmaps.slug, title: roadmaps.title, code: roadmapActions.code, carriedFromId: roadmapActions.carriedFromId })
        .from(roadmapActions)
        .innerJoin(roadmaps, eq(roadmaps.id, roadmapActions.roadmapId))
        .where(eq(roadmapActions.id, actionId));
      return r ?? null;
    },

    async listIndicators(actionIds: string[], tx: Db = db) {
      if (actionIds.length === 0) return [];
      return tx.select().from(roadmapIndicators).where(inArray(roadmapIndicators.actionId, actionIds)).orderBy(asc(roadmapIndicators.name));
    },
    async upsertIndicator(actionId: string, name: string, values: Partial<typeof roadmapIndicators.$inferInsert>, at: Date, tx: Db = db) {
      const [existing] = await tx
        .select()
        .from(roadmapIndicators)
        .where(and(eq(roadmapIndicators.actionId, actionId), eq(roadmapIndicators.name, name)));
      if (existing) {
        const [r] = await tx
          .update(roadmapIndicators)
          .set({ ...values, updatedAt: at })
          .where(eq(roadmapIndicators.id, existing.id))
          .returning();
        return { before: existing, after: r! };
      }
      const [r] = await tx
        .insert(roadmapIndicators)
        .values({ actionId, name, ...values, createdAt: at, updatedAt: at })
        .returning();
      return { before: null, after: r! };
    },
    async deleteIndicator(actionId: string, name: string, tx: Db = db) {
      const [r] = await tx
        .delete(roadmapIndicators)
        .where(and(eq(roadmapIndicators.actionId, actionId), eq(roadmapIndicators.name, name)))
        .returning();
      return r ?? null;
    },

    async listOpenings(roadmapId: string, tx: Db = db) {
      return tx
        .select({ o: roadmapOpenings, organisationCode: organisations.code })
        .from(roadmapOpenings)
        .leftJoin(organisations, eq(organisations.id, roadmapOpenings.organisationId))
        .where(eq(roadmapOpenings.roadmapId, roadmapId))
        .orderBy(asc(roadmapOpenings.position));
    },
    async findOpening(roadmapId: string, id: string, tx: Db = db) {
      const [r] = await tx
        .select()
        .from(roadmapOpenings)
        .where(and(eq(roadmapOpenings.roadmapId, roadmapId), eq(roadmapOpenings.id, id)));
      return r ?? null;
    },
    async openingsByAsset(assetId: string, tx: Db = db) {
      return tx.select().from(roadmapOpenings).where(eq(roadmapOpenings.assetId, assetId));
    },
    async insertOpening(values: typeof roadmapOpenings.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(roadmapOpenings).values(values).returning();
      return r!;
    },
    async updateOpening(id: string, values: Partial<typeof roadmapOpenings.$inferInsert>, at: Date, tx: Db = db) {
      const [r] = await tx
        .update(roadmapOpenings)
        .set({ ...values, updatedAt: at })
        .where(eq(roadmapOpenings.id, id))
        .returning();
      return r!;
    },

    async insertUpdate(values: typeof roadmapUpdates.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(roadmapUpdates).values(values).returning();
      return r!;
    },
    /** Log entries of actions (the chain of carried-over actions included), newest first. */
    async updatesOfActions(actionIds: string[], limit = 500, tx: Db = db) {
      if (actionIds.length === 0) return [];
      return tx
        .select()
        .from(roadmapUpdates)
        .where(inArray(roadmapUpdates.actionId, actionIds))
        .orderBy(desc(roadmapUpdates.at), desc(roadmapUpdates.id))
        .limit(limit);
    },
    async updatesOfOpening(openingId: string, tx: Db = db) {
      return tx
        .select()
        .from(roadmapUpdates)
        .where(eq(roadmapUpdates.openingId, openingId))
        .orderBy(desc(roadmapUpdates.at), desc(roadmapUpdates.id))
        .limit(200);
    },
    /** Log entries of a roadmap in a time window (oldest first). */
    async updatesBetween(roadmapId: string, from: Date | null, to: Date, tx: Db = db) {
      const c: SQL[] = [eq(roadmapUpdates.roadmapId, roadmapId), lt(roadmapUpdates.at, to)];
      if (from) c.push(gte(roadmapUpdates.at, from));
      return tx
        .select()
        .from(roadmapUpdates)
        .where(and(...c))
        .orderBy(asc(roadmapUpdates.at), asc(roadmapUpdates.id));
    },
    /** Status changes of actions, oldest first (the burn-up's input). */
    async actionStatusLog(roadmapId: string, tx: Db = db) {
      return tx
        .select({ actionId: roadmapUpdates.actionId, at: roadmapUpdates.at, statusAfter: roadmapUpdates.statusAfter })
        .from(roadmapUpdates)
        .where(and(eq(roadmapUpdates.roadmapId, roadmapId), isNotNull(roadmapUpdates.actionId), isNotNull(roadmapUpdates.statusAfter)))
        .orderBy(asc(roadmapUpdates.at), asc(roadmapUpdates.id));
    },
    /** A page of the roadmap's log, newest first, with the code of the action or the title of the opening. */
    async listUpdates(roadmapId: string, f: { actionId?: string; from?: Date; to?: Date }, limit: number, offset: number, tx: Db = db) {
      const c: SQL[] = [eq(roadmapUpdates.roadmapId, roadmapId)];
      if (f.actionId) c.push(eq(roadmapUpdates.actionId, f.actionId));
      if (f.from) c.push(gte(roadmapUpdates.at, f.from));
      if (f.to) c.push(lt(roadmapUpdates.at, f.to));
      const [items, total] = await Promise.all([
        tx
          .select({ u: roadmapUpdates, actionCode: roadmapActions.code, openingTitle: roadmapOpenings.title })
          .from(roadmapUpdates)
          .leftJoin(roadmapActions, eq(roadmapActions.id, roadmapUpdates.actionId))
          .leftJoin(roadmapOpenings, eq(roadmapOpenings.id, roadmapUpdates.openingId))
          .where(and(...c))
          .orderBy(desc(roadmapUpdates.at), desc(roadmapUpdates.id))
          .limit(limit)
          .offset(offset),
        tx
          .select({ n: sql<number>`count(*)::int` })
          .from(roadmapUpdates)
          .where(and(...c)),
      ]);
      return { items, total: total[0]?.n ?? 0 };
    },
    /** Status and progress changes of actions up to an instant, oldest first (state of the roadmap at a past date). */
    async actionStateLog(roadmapId: string, upTo: Date, tx: Db = db) {
      return tx
        .select({
          actionId: roadmapUpdates.actionId,
          at: roadmapUpdates.at,
          statusAfter: roadmapUpdates.statusAfter,
          progressAfter: roadmapUpdates.progressAfter,
        })
        .from(roadmapUpdates)
        .where(
          and(
            eq(roadmapUpdates.roadmapId, roadmapId),
            isNotNull(roadmapUpdates.actionId),
            lt(roadmapUpdates.at, upTo),
            sql`(${roadmapUpdates.statusAfter} is not null or ${roadmapUpdates.progressAfter} is not null)`,
          ),
        )
        .orderBy(asc(roadmapUpdates.at), asc(roadmapUpdates.id));
    },
    /** Latest note of each action of a roadmap. */
    async latestNotes(roadmapId: string, tx: Db = db) {
      const rows = await tx
        .selectDistinctOn([roadmapUpdates.actionId], {
          actionId: roadmapUpdates.actionId,
          at: roadmapUpdates.at,
          actorLabel: roadmapUpdates.actorLabel,
          note: roadmapUpdates.note,
        })
        .from(roadmapUpdates)
        .where(
          and(
            eq(roadmapUpdates.roadmapId, roadmapId),
            isNotNull(roadmapUpdates.actionId),
            isNotNull(roadmapUpdates.note),
            sql`${roadmapUpdates.kind} <> 'import'`,
          ),
        )
        .orderBy(roadmapUpdates.actionId, desc(roadmapUpdates.at), desc(roadmapUpdates.id));
      return new Map(rows.map((r) => [r.actionId!, { at: r.at, actorLabel: r.actorLabel, note: r.note! }]));
    },

    /**
     * Whether the module holds anything beyond the reference data: a roadmap other than `referenceSlug`,
     * a log entry other than the reference import, or a committee decision (the demo's test).
     */
    async hasActivity(referenceSlug: string, tx: Db = db): Promise<boolean> {
      const [other] = await tx.select({ id: roadmaps.id }).from(roadmaps).where(ne(roadmaps.slug, referenceSlug)).limit(1);
      if (other) return true;
      const [entry] = await tx.select({ id: roadmapUpdates.id }).from(roadmapUpdates).where(ne(roadmapUpdates.kind, 'import')).limit(1);
      if (entry) return true;
      const [decision] = await tx.select({ id: roadmapDecisions.id }).from(roadmapDecisions).limit(1);
      return !!decision;
    },
    async listDecisions(roadmapId: string, quarter?: string, tx: Db = db) {
      const c: SQL[] = [eq(roadmapDecisions.roadmapId, roadmapId)];
      if (quarter) c.push(eq(roadmapDecisions.quarter, quarter));
      return tx
        .select()
        .from(roadmapDecisions)
        .where(and(...c))
        .orderBy(desc(roadmapDecisions.quarter), asc(roadmapDecisions.createdAt));
    },
    async insertDecision(values: typeof roadmapDecisions.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(roadmapDecisions).values(values).returning();
      return r!;
    },
    async deleteDecision(roadmapId: string, id: string, tx: Db = db) {
      const [r] = await tx
        .delete(roadmapDecisions)
        .where(and(eq(roadmapDecisions.roadmapId, roadmapId), eq(roadmapDecisions.id, id)))
        .returning();
      return r ?? null;
    },
  };
}
export type RoadmapRepository = ReturnType<typeof createRoadmapRepository>;
