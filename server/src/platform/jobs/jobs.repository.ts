import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { jobs, type JobState } from './jobs.table.ts';

export type JobRow = typeof jobs.$inferSelect;

export function createJobsRepository(db: Db) {
  return {
    async insert(values: typeof jobs.$inferInsert, tx: Db = db) {
      const [j] = await tx.insert(jobs).values(values).returning();
      return j!;
    },
    async find(id: string, tx: Db = db) {
      const [j] = await tx.select().from(jobs).where(eq(jobs.id, id));
      return j ?? null;
    },
    /**
     * Fails, instead of handing back, the jobs whose lease expired after their last allowed attempt:
     * such a job stopped its node (crash, out of memory, a hang) every time it ran. Returns them.
     */
    async quarantine(types: string[], now: Date): Promise<JobRow[]> {
      if (types.length === 0) return [];
      return db
        .update(jobs)
        .set({
          state: 'failed',
          error: sql`'La tâche a interrompu le nœud qui l’exécutait ' || ${jobs.attempts} || ' fois : mise en quarantaine.'`,
          finishedAt: now,
          updatedAt: now,
          lockedBy: null,
          lockedUntil: null,
        })
        .where(and(inArray(jobs.type, types), eq(jobs.state, 'running'), sql`${jobs.lockedUntil} < ${now}`, sql`${jobs.attempts} >= ${jobs.maxAttempts}`))
        .returning();
    },
    /**
     * Claims the oldest runnable job of the given types: queued and due, or running with an
     * expired lease (its node died) and attempts left. SKIP LOCKED lets several nodes claim
     * concurrently. A job is never handed back beyond `max_attempts` (see `quarantine`).
     */
    async claim(types: string[], node: string, leaseMs: number, now: Date): Promise<JobRow | null> {
      if (types.length === 0) return null;
      const rows = await db.execute(sql`
        UPDATE ${jobs} SET state = 'running', locked_by = ${node},
          locked_until = ${new Date(now.getTime() + leaseMs)},
          attempts = ${jobs.attempts} + 1,
          started_at = coalesce(${jobs.startedAt}, ${now}), updated_at = ${now}
        WHERE ${jobs.id} = (
          SELECT id FROM ${jobs}
          WHERE ${inArray(jobs.type, types)}
            AND ((${jobs.state} = 'queued' AND ${jobs.runAfter} <= ${now})
              OR (${jobs.state} = 'running' AND ${jobs.lockedUntil} < ${now} AND ${jobs.attempts} < ${jobs.maxAttempts}))
          ORDER BY ${jobs.runAfter}, ${jobs.createdAt}
          FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING id`);
      const id = (rows as unknown as { rows: { id: string }[] }).rows[0]?.id;
      return id ? this.find(id) : null;
    },
    /** Extends the lease, saves progress; returns whether cancellation was requested. */
    async heartbeat(id: string, node: string, leaseMs: number, now: Date, progress?: unknown, checkpoint?: unknown) {
      const set: Record<string, unknown> = { lockedUntil: new Date(now.getTime() + leaseMs), updatedAt: now };
      if (progress !== undefined) set.progress = progress;
      if (checkpoint !== undefined) set.checkpoint = checkpoint;
      const [r] = await db
        .update(jobs)
        .set(set)
        .where(and(eq(jobs.id, id), eq(jobs.lockedBy, node), eq(jobs.state, 'running')))
        .returning({ cancel: jobs.cancelRequested });
      return r ? { owned: true, cancel: r.cancel } : { owned: false, cancel: true };
    },
    async finish(
      id: string,
      node: string,
      state: JobState,
      now: Date,
      fields: { result?: unknown; error?: string; progress?: unknown; expiresAt?: Date | null },
    ) {
      await db
        .update(jobs)
        .set({
          state,
          result: fields.result ?? null,
          error: fields.error ?? null,
          ...(fields.progress !== undefined ? { progress: fields.progress } : {}),
          ...(fields.expiresAt !== undefined ? { expiresAt: fields.expiresAt } : {}),
          finishedAt: now,
          updatedAt: now,
          lockedBy: null,
          lockedUntil: null,
        })
        .where(and(eq(jobs.id, id), eq(jobs.lockedBy, node)));
    },
    async retryLater(id: string, node: string, now: Date, runAfter: Date, error: string) {
      await db
        .update(jobs)
        .set({ state: 'queued', error, runAfter, lockedBy: null, lockedUntil: null, updatedAt: now })
        .where(and(eq(jobs.id, id), eq(jobs.lockedBy, node)));
    },
    async setExpiry(id: string, expiresAt: Date) {
      await db.update(jobs).set({ expiresAt }).where(eq(jobs.id, id));
    },
    async requestCancel(id: string, now: Date) {
      // A queued job is cancelled at once; a running one stops at its next heartbeat.
      const [r] = await db
        .update(jobs)
        .set({
          cancelRequested: true,
          state: sql`CASE WHEN ${jobs.state} = 'queued' THEN 'cancelled' ELSE ${jobs.state} END`,
          finishedAt: sql`CASE WHEN ${jobs.state} = 'queued' THEN ${now}::timestamptz ELSE ${jobs.finishedAt} END`,
          updatedAt: now,
        })
        .where(and(eq(jobs.id, id), inArray(jobs.state, ['queued', 'running'])))
        .returning();
      return r ?? null;
    },
    async list(q: { ownerId?: string; type?: string; state?: JobState; limit: number }) {
      const c = [];
      if (q.ownerId) c.push(eq(jobs.ownerId, q.ownerId));
      if (q.type) c.push(eq(jobs.type, q.type));
      if (q.state) c.push(eq(jobs.state, q.state));
      return db
        .select()
        .from(jobs)
        .where(c.length ? and(...c) : undefined)
        .orderBy(desc(jobs.createdAt))
        .limit(q.limit);
    },
    async countActive(ownerId: string, type: string, tx: Db = db) {
      const [r] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(jobs)
        .where(and(eq(jobs.ownerId, ownerId), eq(jobs.type, type), inArray(jobs.state, ['queued', 'running'])));
      return r?.n ?? 0;
    },
    async deleteExpired(now: Date) {
      const r = await db
        .delete(jobs)
        .where(sql`${jobs.expiresAt} IS NOT NULL AND ${jobs.expiresAt} < ${now}`)
        .returning({ id: jobs.id });
      return r.map((x) => x.id);
    },
  };
}
export type JobsRepository = ReturnType<typeof createJobsRepository>;
