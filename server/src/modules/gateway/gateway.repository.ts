import { AsyncLocalStorage } from 'node:async_hooks';
import { and, asc, desc, eq, getTableColumns, getTableName, gte, inArray, notInArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import type { Db } from '../../db/client.ts';
import {
  gwApiSpecs,
  gwApis,
  gwApplications,
  gwKeys,
  gwOauthClients,
  gwPlans,
  gwProbes,
  gwSigningKeys,
  gwState,
  gwSubscriptions,
  gwUsage,
} from './gateway.table.ts';

export type ApiRow = typeof gwApis.$inferSelect;
export type PlanRow = typeof gwPlans.$inferSelect;
export type AppRow = typeof gwApplications.$inferSelect;
export type SubRow = typeof gwSubscriptions.$inferSelect;
export type KeyRow = typeof gwKeys.$inferSelect;
export type ClientRow = typeof gwOauthClients.$inferSelect;
export type SigningKeyRow = typeof gwSigningKeys.$inferSelect;

/** What the data plane's route table is built from (`snapshot`); times in epoch milliseconds. */
export interface ConfigSnapshot {
  version: number;
  apis: Pick<
    ApiRow,
    | 'id'
    | 'slug'
    | 'name'
    | 'organisationId'
    | 'upstreamUrl'
    | 'upstreamUrls'
    | 'timeoutMs'
    | 'allowPrivateUpstream'
    | 'requiredScope'
    | 'franceconnectScopes'
    | 'failPolicy'
    | 'maxBodyBytes'
    | 'enabled'
  >[];
  plans: Pick<PlanRow, 'id' | 'apiId' | 'slug' | 'name' | 'keyless' | 'perSecond' | 'perMinute' | 'perDay' | 'perMonth' | 'scopes'>[];
  apps: Pick<AppRow, 'id' | 'slug' | 'organisationId'>[];
  subs: Pick<SubRow, 'applicationId' | 'apiId' | 'planId' | 'scopes'>[];
  keys: (Pick<KeyRow, 'id' | 'applicationId' | 'hash'> & { expiresAt: number | null; revokedAt: number | null })[];
  clients: (Pick<ClientRow, 'id' | 'clientId' | 'applicationId' | 'authMethod' | 'secretHash' | 'jwks'> & { revokedAt: number | null })[];
  signing: (Pick<SigningKeyRow, 'kid' | 'alg' | 'publicJwk' | 'privateEnc' | 'active'> & { retireAfter: number | null })[];
  orgs: { id: string; code: string }[];
}

/**
 * An ambient transaction: the declarative configuration runs many service operations in one
 * transaction (all or nothing); every query made meanwhile goes through it.
 */
const ambient = new AsyncLocalStorage<Db>();

/** SQL of the gateway: the only file touching its tables. */
export function createGatewayRepository(db: Db) {
  const current = (): Db => ambient.getStore() ?? db;
  return {
    /** The ambient transaction, or the database. */
    current,
    /** The ambient transaction, if any. */
    ambientTx: (): Db | undefined => ambient.getStore(),
    /** Runs `fn` in one transaction that every repository call made inside it joins. */
    async inTransaction<T>(fn: () => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => ambient.run(tx, fn));
    },
    /** Runs `fn` inside the caller's transaction `tx`: every repository call made inside it joins it (habilitations' provisioning). */
    async joinTransaction<T>(tx: Db, fn: () => Promise<T>): Promise<T> {
      return ambient.run(tx, fn);
    },
    // --- configuration version (nodes poll it) ---
    async bumpVersion(tx: Db) {
      await tx
        .insert(gwState)
        .values({ key: 'config', version: 1 })
        .onConflictDoUpdate({ target: gwState.key, set: { version: sql`${gwState.version} + 1` } });
    },
    async version(tx: Db = current()): Promise<number> {
      const [r] = await tx.select({ v: gwState.version }).from(gwState).where(eq(gwState.key, 'config'));
      return r?.v ?? 0;
    },
    /** Takes or renews a lease (`probe-leader`); true when `holder` holds it. */
    async lease(name: string, holder: string, now: Date, ttlMs: number, tx: Db = current()): Promise<boolean> {
      const until = new Date(now.getTime() + ttlMs);
      const rows = await tx
        .insert(gwState)
        .values({ key: name, version: 0, holder, expiresAt: until })
        .onConflictDoUpdate({
          target: gwState.key,
          set: { holder, expiresAt: until },
          setWhere: sql`${gwState.holder} = ${holder} OR ${gwState.expiresAt} IS NULL OR ${gwState.expiresAt} < ${now.toISOString()}::timestamptz`,
        })
        .returning({ holder: gwState.holder });
      return rows[0]?.holder === holder;
    },

    // --- snapshot for the route table ---
    /**
     * Everything the data plane's route table is built from, with the configuration version, in one
     * statement (one database snapshot: the version and the rows always agree). Only the columns the
     * table uses, as JSON built by the database: eight ORM queries cost ≈ 3.5 ms of this node's CPU
     * per reload in query building and row mapping, on the event loop that serves calls (ADR 0404).
     * Times are epoch milliseconds.
     */
    async snapshot(tx: Db = current()): Promise<ConfigSnapshot> {
      const ms = (c: string) => `floor(extract(epoch FROM ${c}) * 1000)::float8`;
      // Each field under its property name, read from the table's own column (no second list of SQL names).
      const agg = <T extends PgTable>(table: T, fields: (keyof T['$inferSelect'] & string)[], opts: { times?: string[]; where?: string } = {}) => {
        const cols = getTableColumns(table) as Record<string, { name: string }>;
        const parts = fields.map((f) => `'${f}', ${opts.times?.includes(f) ? ms(cols[f]!.name) : cols[f]!.name}`);
        return `(SELECT coalesce(json_agg(json_build_object(${parts.join(', ')})), '[]'::json) FROM ${getTableName(table)}${opts.where ? ` WHERE ${opts.where}` : ''})`;
      };
      const query = `SELECT
        (SELECT version FROM ${getTableName(gwState)} WHERE key = 'config') AS version,
        ${agg(gwApis, ['id', 'slug', 'name', 'organisationId', 'upstreamUrl', 'upstreamUrls', 'timeoutMs', 'allowPrivateUpstream', 'requiredScope', 'franceconnectScopes', 'failPolicy', 'maxBodyBytes', 'enabled'])} AS apis,
        ${agg(gwPlans, ['id', 'apiId', 'slug', 'name', 'keyless', 'perSecond', 'perMinute', 'perDay', 'perMonth', 'scopes'])} AS plans,
        ${agg(gwApplications, ['id', 'slug', 'organisationId'])} AS apps,
        ${agg(gwSubscriptions, ['applicationId', 'apiId', 'planId', 'scopes'], { where: `state = 'active'` })} AS subs,
        ${agg(gwKeys, ['id', 'applicationId', 'hash', 'expiresAt', 'revokedAt'], { times: ['expiresAt', 'revokedAt'] })} AS keys,
        ${agg(gwOauthClients, ['id', 'clientId', 'applicationId', 'authMethod', 'secretHash', 'jwks', 'revokedAt'], { times: ['revokedAt'] })} AS clients,
        ${agg(gwSigningKeys, ['kid', 'alg', 'publicJwk', 'privateEnc', 'active', 'retireAfter'], { times: ['retireAfter'] })} AS signing,
        ${agg(organisations, ['id', 'code'])} AS orgs`;
      const r = await tx.execute(sql.raw(query));
      const row = ((r as { rows?: unknown[] }).rows ?? (r as unknown as unknown[]))[0] as Omit<ConfigSnapshot, 'version'> & { version: number | null };
      return { ...row, version: row.version ?? 0 };
    },

    /**
     * Whether the gateway holds anything beyond its reference content (the APIs in `referenceSlugs`
     * with their plans, signing keys): another API, an application, a subscription, a key, an OAuth2
     * client or recorded usage. Demo content is only loaded when it holds nothing else.
     */
    async hasContentBeyond(referenceSlugs: string[], tx: Db = current()): Promise<boolean> {
      const any = async (q: Promise<unknown[]>) => (await q).length > 0;
      const found = await Promise.all([
        any(
          tx
            .select({ id: gwApis.id })
            .from(gwApis)
            .where(referenceSlugs.length ? notInArray(gwApis.slug, referenceSlugs) : undefined)
            .limit(1),
        ),
        any(tx.select({ id: gwApplications.id }).from(gwApplications).limit(1)),
        any(tx.select({ id: gwSubscriptions.id }).from(gwSubscriptions).limit(1)),
        any(tx.select({ id: gwKeys.id }).from(gwKeys).limit(1)),
        any(tx.select({ id: gwOauthClients.id }).from(gwOauthClients).limit(1)),
        any(tx.select({ apiId: gwUsage.apiId }).from(gwUsage).limit(1)),
      ]);
      return found.some(Boolean);
    },

    // --- APIs ---
    async listApis(tx: Db = current()) {
      return tx.select().from(gwApis).orderBy(asc(gwApis.name));
    },
    async apiBySlug(slug: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwApis).where(eq(gwApis.slug, slug));
      return r ?? null;
    },
    async apiById(id: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwApis).where(eq(gwApis.id, id));
      return r ?? null;
    },
    async insertApi(v: typeof gwApis.$inferInsert, tx: Db) {
      const [r] = await tx.insert(gwApis).values(v).returning();
      return r!;
    },
    async updateApi(id: string, v: Partial<typeof gwApis.$inferInsert>, tx: Db) {
      const [r] = await tx
        .update(gwApis)
        .set({ ...v, updatedAt: new Date() })
        .where(eq(gwApis.id, id))
        .returning();
      return r!;
    },
    async deleteApi(id: string, tx: Db) {
      await tx.delete(gwApis).where(eq(gwApis.id, id));
    },
    async addSpec(apiId: string, document: unknown, createdBy: string, tx: Db) {
      const [m] = await tx
        .select({ v: sql<number>`coalesce(max(${gwApiSpecs.version}), 0)::int` })
        .from(gwApiSpecs)
        .where(eq(gwApiSpecs.apiId, apiId));
      const version = (m?.v ?? 0) + 1;
      await tx.insert(gwApiSpecs).values({ apiId, version, document: document as object, createdBy });
      return version;
    },
    async spec(apiId: string, version: number, tx: Db = current()) {
      const [r] = await tx
        .select()
        .from(gwApiSpecs)
        .where(and(eq(gwApiSpecs.apiId, apiId), eq(gwApiSpecs.version, version)));
      return r ?? null;
    },
    async specVersions(apiId: string, tx: Db = current()) {
      return tx
        .select({ version: gwApiSpecs.version, createdBy: gwApiSpecs.createdBy, createdAt: gwApiSpecs.createdAt })
        .from(gwApiSpecs)
        .where(eq(gwApiSpecs.apiId, apiId))
        .orderBy(desc(gwApiSpecs.version));
    },

    // --- plans ---
    async plansOf(apiId: string, tx: Db = current()) {
      return tx.select().from(gwPlans).where(eq(gwPlans.apiId, apiId)).orderBy(asc(gwPlans.createdAt));
    },
    async allPlans(tx: Db = current()) {
      return tx.select().from(gwPlans);
    },
    async planById(id: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwPlans).where(eq(gwPlans.id, id));
      return r ?? null;
    },
    async insertPlan(v: typeof gwPlans.$inferInsert, tx: Db) {
      const [r] = await tx.insert(gwPlans).values(v).returning();
      return r!;
    },
    async updatePlan(id: string, v: Partial<typeof gwPlans.$inferInsert>, tx: Db) {
      const [r] = await tx.update(gwPlans).set(v).where(eq(gwPlans.id, id)).returning();
      return r!;
    },
    async deletePlan(id: string, tx: Db) {
      await tx.delete(gwPlans).where(eq(gwPlans.id, id));
    },

    // --- applications ---
    async listApps(filter: { organisationId?: string | null; ownerId?: string } | null, tx: Db = current()) {
      if (!filter) return tx.select().from(gwApplications).orderBy(asc(gwApplications.name));
      const conds = [];
      if (filter.ownerId) conds.push(eq(gwApplications.ownerId, filter.ownerId));
      if (filter.organisationId) conds.push(eq(gwApplications.organisationId, filter.organisationId));
      return tx
        .select()
        .from(gwApplications)
        .where(conds.length > 1 ? sql`(${conds[0]}) OR (${conds[1]})` : conds[0])
        .orderBy(asc(gwApplications.name));
    },
    async appById(id: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwApplications).where(eq(gwApplications.id, id));
      return r ?? null;
    },
    async appBySlug(slug: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwApplications).where(eq(gwApplications.slug, slug));
      return r ?? null;
    },
    async insertApp(v: typeof gwApplications.$inferInsert, tx: Db) {
      const [r] = await tx.insert(gwApplications).values(v).returning();
      return r!;
    },
    async updateApp(id: string, v: Partial<typeof gwApplications.$inferInsert>, tx: Db) {
      const [r] = await tx.update(gwApplications).set(v).where(eq(gwApplications.id, id)).returning();
      return r!;
    },
    async deleteApp(id: string, tx: Db) {
      await tx.delete(gwApplications).where(eq(gwApplications.id, id));
    },

    // --- subscriptions ---
    async subsOfApp(appId: string, tx: Db = current()) {
      return tx.select().from(gwSubscriptions).where(eq(gwSubscriptions.applicationId, appId)).orderBy(asc(gwSubscriptions.createdAt));
    },
    async subsOfApi(apiId: string, tx: Db = current()) {
      return tx.select().from(gwSubscriptions).where(eq(gwSubscriptions.apiId, apiId)).orderBy(desc(gwSubscriptions.createdAt));
    },
    async allSubs(tx: Db = current()) {
      return tx.select().from(gwSubscriptions);
    },
    async subById(id: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwSubscriptions).where(eq(gwSubscriptions.id, id));
      return r ?? null;
    },
    async subFor(appId: string, apiId: string, tx: Db = current()) {
      const [r] = await tx
        .select()
        .from(gwSubscriptions)
        .where(and(eq(gwSubscriptions.applicationId, appId), eq(gwSubscriptions.apiId, apiId)));
      return r ?? null;
    },
    async insertSub(v: typeof gwSubscriptions.$inferInsert, tx: Db) {
      const [r] = await tx.insert(gwSubscriptions).values(v).returning();
      return r!;
    },
    async updateSub(id: string, v: Partial<typeof gwSubscriptions.$inferInsert>, tx: Db) {
      const [r] = await tx.update(gwSubscriptions).set(v).where(eq(gwSubscriptions.id, id)).returning();
      return r!;
    },

    // --- credentials ---
    async keysOf(appId: string, tx: Db = current()) {
      return tx.select().from(gwKeys).where(eq(gwKeys.applicationId, appId)).orderBy(desc(gwKeys.createdAt));
    },
    async allKeys(tx: Db = current()) {
      return tx.select().from(gwKeys);
    },
    async keyById(id: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwKeys).where(eq(gwKeys.id, id));
      return r ?? null;
    },
    async keyByHash(hash: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwKeys).where(eq(gwKeys.hash, hash));
      return r ?? null;
    },
    async insertKey(v: typeof gwKeys.$inferInsert, tx: Db) {
      const [r] = await tx.insert(gwKeys).values(v).returning();
      return r!;
    },
    async updateKey(id: string, v: Partial<typeof gwKeys.$inferInsert>, tx: Db) {
      const [r] = await tx.update(gwKeys).set(v).where(eq(gwKeys.id, id)).returning();
      return r!;
    },
    async touchKeys(ids: string[], at: Date) {
      if (ids.length) await db.update(gwKeys).set({ lastUsedAt: at }).where(inArray(gwKeys.id, ids));
    },
    async clientsOf(appId: string, tx: Db = current()) {
      return tx.select().from(gwOauthClients).where(eq(gwOauthClients.applicationId, appId)).orderBy(desc(gwOauthClients.createdAt));
    },
    async clientById(id: string, tx: Db = current()) {
      const [r] = await tx.select().from(gwOauthClients).where(eq(gwOauthClients.id, id));
      return r ?? null;
    },
    async insertClient(v: typeof gwOauthClients.$inferInsert, tx: Db) {
      const [r] = await tx.insert(gwOauthClients).values(v).returning();
      return r!;
    },
    async updateClient(id: string, v: Partial<typeof gwOauthClients.$inferInsert>, tx: Db) {
      const [r] = await tx.update(gwOauthClients).set(v).where(eq(gwOauthClients.id, id)).returning();
      return r!;
    },
    async signingKeys(tx: Db = current()) {
      return tx.select().from(gwSigningKeys).orderBy(desc(gwSigningKeys.createdAt));
    },
    async insertSigningKey(v: typeof gwSigningKeys.$inferInsert, tx: Db) {
      await tx.insert(gwSigningKeys).values(v);
    },
    async retireSigningKeys(retireAfter: Date, tx: Db) {
      await tx.update(gwSigningKeys).set({ active: false, retireAfter }).where(eq(gwSigningKeys.active, true));
    },

    // --- usage ---
    /** Adds rolled-up rows (per granularity) to the usage table. */
    async addUsage(rows: (typeof gwUsage.$inferInsert)[], tx: Db = current()) {
      if (!rows.length) return;
      await tx
        .insert(gwUsage)
        .values(rows)
        .onConflictDoUpdate({
          target: [gwUsage.granularity, gwUsage.bucket, gwUsage.apiId, gwUsage.applicationId],
          set: {
            calls: sql`${gwUsage.calls} + excluded.calls`,
            s2xx: sql`${gwUsage.s2xx} + excluded.s2xx`,
            s3xx: sql`${gwUsage.s3xx} + excluded.s3xx`,
            s4xx: sql`${gwUsage.s4xx} + excluded.s4xx`,
            s5xx: sql`${gwUsage.s5xx} + excluded.s5xx`,
            s429: sql`${gwUsage.s429} + excluded.s429`,
            sumMs: sql`${gwUsage.sumMs} + excluded.sum_ms`,
            hist: sql`(SELECT jsonb_agg(coalesce((a.v)::bigint, 0) + coalesce((b.v)::bigint, 0) ORDER BY coalesce(a.i, b.i)) FROM jsonb_array_elements_text(${gwUsage.hist}) WITH ORDINALITY a(v, i) FULL JOIN jsonb_array_elements_text(excluded.hist) WITH ORDINALITY b(v, i) ON a.i = b.i)`,
          },
        });
    },
    async usage(filter: { granularity: string; from: Date; to: Date; apiId?: string; applicationId?: string }, tx: Db = current()) {
      const conds = [
        eq(gwUsage.granularity, filter.granularity),
        gte(gwUsage.bucket, filter.from),
        sql`${gwUsage.bucket} < ${filter.to.toISOString()}::timestamptz`,
      ];
      if (filter.apiId) conds.push(eq(gwUsage.apiId, filter.apiId));
      if (filter.applicationId) conds.push(eq(gwUsage.applicationId, filter.applicationId));
      return tx
        .select()
        .from(gwUsage)
        .where(and(...conds))
        .orderBy(asc(gwUsage.bucket));
    },

    // --- probes ---
    async addProbe(v: typeof gwProbes.$inferInsert) {
      await db.insert(gwProbes).values(v);
    },
    async probes(apiId: string, from: Date, tx: Db = current()) {
      return tx
        .select()
        .from(gwProbes)
        .where(and(eq(gwProbes.apiId, apiId), gte(gwProbes.at, from)))
        .orderBy(asc(gwProbes.at));
    },
    async uptime(from: Date, tx: Db = current()) {
      return tx
        .select({ apiId: gwProbes.apiId, total: sql<number>`count(*)::int`, ok: sql<number>`count(*) filter (where ${gwProbes.ok})::int` })
        .from(gwProbes)
        .where(gte(gwProbes.at, from))
        .groupBy(gwProbes.apiId);
    },
    /** The latest probe of each API. */
    async lastProbes(tx: Db = current()) {
      return tx
        .selectDistinctOn([gwProbes.apiId], { apiId: gwProbes.apiId, at: gwProbes.at, ok: gwProbes.ok, status: gwProbes.status, error: gwProbes.error })
        .from(gwProbes)
        .orderBy(gwProbes.apiId, desc(gwProbes.at));
    },
    async pruneProbes(before: Date) {
      await db.delete(gwProbes).where(sql`${gwProbes.at} < ${before.toISOString()}::timestamptz`);
    },
  };
}
export type GatewayRepository = ReturnType<typeof createGatewayRepository>;
