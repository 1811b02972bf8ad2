import { pgTable, text, uuid, timestamp, bigserial, jsonb, index } from 'drizzle-orm/pg-core';

/** Every mutation, written in the same transaction as the change itself. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** When the change was committed. */
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** Acting user; null for the system (seed, jobs, CLI without a user). */
    actorId: uuid('actor_id'),
    /** Login of the actor at the time, or `system`/`cli`. */
    actorLabel: text('actor_label').notNull(),
    /** Verb, `entity.verb`: `user.create`, `asset.update`… */
    action: text('action').notNull(),
    /** Kind of object changed: user, asset, action… */
    entityType: text('entity_type').notNull(),
    /** Identifier of the object changed. */
    entityId: text('entity_id'),
    /** State before the change (secrets redacted). */
    before: jsonb('before'),
    /** State after the change (secrets redacted). */
    after: jsonb('after'),
    /** HTTP request that made the change (also in the logs). */
    requestId: text('request_id'),
    /** Client address. */
    ip: text('ip'),
  },
  (t) => [index('audit_at_idx').on(t.at), index('audit_entity_idx').on(t.entityType, t.entityId), index('audit_actor_idx').on(t.actorId)],
);
