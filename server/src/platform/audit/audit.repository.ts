import { and, desc, eq, gte, lte, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { auditLog } from './audit.table.ts';
import type { Actor } from '../auth/principal.ts';

const SECRET_KEYS = /password|secret|token|hash|apikey|api_key|private/i;

/** Removes secrets from a snapshot before it is stored in the audit log. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[secret]' : redact(v)]));
  }
  return value;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string;
  ip?: string;
}

/** Writes an audit record; call it with the transaction of the mutation it describes. */
export async function recordAudit(tx: Db, e: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: e.actor.id,
    actorLabel: e.actor.label,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId ?? null,
    before: e.before === undefined ? null : redact(e.before),
    after: e.after === undefined ? null : redact(e.after),
    requestId: e.requestId ?? null,
    ip: e.ip ?? null,
  });
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  q?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

function where(q: Omit<AuditQuery, 'page' | 'pageSize'>): SQL | undefined {
  const c: SQL[] = [];
  if (q.actor) c.push(eq(auditLog.actorLabel, q.actor));
  if (q.action) c.push(ilike(auditLog.action, `${q.action.replace(/[%_]/g, '\\$&')}%`));
  if (q.entityType) c.push(eq(auditLog.entityType, q.entityType));
  if (q.entityId) c.push(eq(auditLog.entityId, q.entityId));
  if (q.from) c.push(gte(auditLog.at, q.from));
  if (q.to) c.push(lte(auditLog.at, q.to));
  if (q.q) {
    const like = `%${q.q.replace(/[%_]/g, '\\$&')}%`;
    c.push(or(ilike(auditLog.entityId, like), ilike(auditLog.action, like), ilike(auditLog.actorLabel, like))!);
  }
  return c.length ? and(...c) : undefined;
}

export async function listAudit(db: Db, q: AuditQuery) {
  const w = where(q);
  const [items, total] = await Promise.all([
    db
      .select()
      .from(auditLog)
      .where(w)
      .orderBy(desc(auditLog.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(w),
  ]);
  return { items, total: total[0]?.n ?? 0 };
}

/** Streams matching entries in batches (for CSV export of large logs). */
export async function* iterateAudit(db: Db, q: Omit<AuditQuery, 'page' | 'pageSize'>, batch = 1000) {
  let lastId = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const w = where(q);
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(w, sql`${auditLog.id} < ${lastId}`))
      .orderBy(desc(auditLog.id))
      .limit(batch);
    if (rows.length === 0) return;
    yield rows;
    lastId = rows[rows.length - 1]!.id;
    if (rows.length < batch) return;
  }
}
