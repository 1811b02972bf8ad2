import { and, asc, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { User } from '@patrimoine/contracts/platform';
import { users, sessions, apiTokens, type Role } from './auth.table.ts';
import { organisations } from '../organisations/organisations.table.ts';

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

/** Public view of an account: never carries the password hash. */
export function toPublicUser(u: UserRow, organisationCode?: string | null): User {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    organisationId: u.organisationId,
    organisationCode: organisationCode ?? null,
    active: u.active,
    authProvider: u.authProvider,
    mustChangePassword: u.mustChangePassword,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
  };
}
export type PublicUser = User;

export function createUsersRepository(db: Db) {
  return {
    async findById(id: string, tx: Db = db) {
      const [u] = await tx.select().from(users).where(eq(users.id, id));
      return u ?? null;
    },
    async findByLogin(login: string, tx: Db = db) {
      const [u] = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.login}) = ${login.toLowerCase()}`);
      return u ?? null;
    },
    async findByExternal(provider: string, subject: string, tx: Db = db) {
      const [u] = await tx
        .select()
        .from(users)
        .where(and(eq(users.authProvider, provider), eq(users.externalSubject, subject)));
      return u ?? null;
    },
    async insert(values: NewUser, tx: Db = db) {
      const [u] = await tx.insert(users).values(values).returning();
      return u!;
    },
    async update(id: string, values: Partial<NewUser>, tx: Db = db) {
      const [u] = await tx
        .update(users)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning();
      return u ?? null;
    },
    async count(tx: Db = db) {
      const [r] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
      return r?.n ?? 0;
    },
    async list(q: { q?: string; role?: Role; organisationId?: string; page: number; pageSize: number }, tx: Db = db) {
      const c: SQL[] = [];
      if (q.q) {
        const like = `%${q.q.replace(/[%_]/g, '\\$&')}%`;
        c.push(or(ilike(users.login, like), ilike(users.displayName, like), ilike(users.email, like))!);
      }
      if (q.role) c.push(eq(users.role, q.role));
      if (q.organisationId) c.push(eq(users.organisationId, q.organisationId));
      const w = c.length ? and(...c) : undefined;
      const [rows, total] = await Promise.all([
        tx
          .select({ u: users, orgCode: organisations.code })
          .from(users)
          .leftJoin(organisations, eq(organisations.id, users.organisationId))
          .where(w)
          .orderBy(asc(users.login))
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        tx
          .select({ n: sql<number>`count(*)::int` })
          .from(users)
          .where(w),
      ]);
      return { items: rows.map((r) => toPublicUser(r.u, r.orgCode)), total: total[0]?.n ?? 0 };
    },

    // Sessions
    async insertSession(values: typeof sessions.$inferInsert, tx: Db = db) {
      await tx.insert(sessions).values(values);
    },
    async findSession(id: string, now: Date) {
      const [r] = await db
        .select({ s: sessions, u: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, id), sql`${sessions.expiresAt} > ${now}`, eq(users.active, true)));
      return r ?? null;
    },
    async findSessionById(id: string, tx: Db = db) {
      const [r] = await tx.select().from(sessions).where(eq(sessions.id, id));
      return r ?? null;
    },
    async deleteSession(id: string, tx: Db = db) {
      await tx.delete(sessions).where(eq(sessions.id, id));
    },
    async deleteSessionsOf(userId: string, exceptId: string | null, tx: Db = db) {
      await tx.delete(sessions).where(exceptId ? and(eq(sessions.userId, userId), sql`${sessions.id} <> ${exceptId}`) : eq(sessions.userId, userId));
    },
    /** Revokes every personal API token of the account still valid; returns how many. */
    async revokeTokensOf(userId: string, tx: Db = db) {
      const r = await tx
        .update(apiTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return r.length;
    },
    async purgeExpiredSessions(now: Date) {
      await db.delete(sessions).where(sql`${sessions.expiresAt} <= ${now}`);
    },

    // Personal API tokens
    async insertToken(values: typeof apiTokens.$inferInsert, tx: Db = db) {
      const [t] = await tx.insert(apiTokens).values(values).returning();
      return t!;
    },
    async findToken(hash: string) {
      const [r] = await db
        .select({ t: apiTokens, u: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, hash), eq(users.active, true)));
      return r ?? null;
    },
    async listTokens(userId: string) {
      return db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(asc(apiTokens.createdAt));
    },
    async findTokenById(id: string, tx: Db = db) {
      const [t] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id));
      return t ?? null;
    },
    async updateToken(id: string, values: Partial<typeof apiTokens.$inferInsert>, tx: Db = db) {
      await tx.update(apiTokens).set(values).where(eq(apiTokens.id, id));
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
