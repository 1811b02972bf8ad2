import { pgTable, text, uuid, timestamp, jsonb, integer, boolean, index } from 'drizzle-orm/pg-core';

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

/** Persistent background jobs (imports, bulk matching, probes), shared by all nodes. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Handler name, `module.task`. */
    type: text('type').notNull(),
    state: text('state', { enum: jobStates }).notNull().default('queued'),
    payload: jsonb('payload').notNull().default({}),
    /** `{ done, total, message }`, updated while running. */
    progress: jsonb('progress').notNull().default({}),
    /** Handler-defined resume point, saved as work advances so a restart continues from it. */
    checkpoint: jsonb('checkpoint'),
    result: jsonb('result'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    ownerId: uuid('owner_id'),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    /** Node currently running the job. */
    lockedBy: text('locked_by'),
    /** Lease: past this instant another node may take the job over. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    /** After this instant the job and its result are deleted. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('jobs_pick_idx').on(t.state, t.runAfter),
    index('jobs_owner_idx').on(t.ownerId, t.createdAt),
    index('jobs_type_idx').on(t.type),
  ],
);
