import { pgTable, text, uuid, timestamp, jsonb, integer, boolean, index } from 'drizzle-orm/pg-core';

import { jobStates, type JobState } from '@patrimoine/contracts/platform';

export { jobStates, type JobState };

/** Persistent background jobs (imports, bulk matching, probes), shared by all nodes. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Handler name, `module.task`. */
    type: text('type').notNull(),
    /** queued, running, succeeded, failed or cancelled. */
    state: text('state', { enum: jobStates }).notNull().default('queued'),
    /** Input of the job, as enqueued. */
    payload: jsonb('payload').notNull().default({}),
    /** `{ done, total, message }`, updated while running. */
    progress: jsonb('progress').notNull().default({}),
    /** Handler-defined resume point, saved as work advances so a restart continues from it. */
    checkpoint: jsonb('checkpoint'),
    /** Output of a finished job. */
    result: jsonb('result'),
    /** Last error message (shown to the user). */
    error: text('error'),
    /** How many times the job was started. */
    attempts: integer('attempts').notNull().default(0),
    /** Attempts before the job fails for good. */
    maxAttempts: integer('max_attempts').notNull().default(3),
    /** User who started the job (sees it and may cancel it). */
    ownerId: uuid('owner_id'),
    /** Set by a cancellation; the running node stops at its next heartbeat. */
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /** Not started before this instant (retry backoff, scheduling). */
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    /** Node currently running the job. */
    lockedBy: text('locked_by'),
    /** Lease: past this instant another node may take the job over. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    /** After this instant the job and its result are deleted. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** First start. */
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** End (success, failure or cancellation). */
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('jobs_pick_idx').on(t.state, t.runAfter), index('jobs_owner_idx').on(t.ownerId, t.createdAt), index('jobs_type_idx').on(t.type)],
);
