/**
 * Explore (issue 18): the Parquet extracts of published resources, the tabular API, questions and
 * dashboards, all queried through the DuckDB sandbox. Visibility follows the data: every read goes
 * through `publication.readablePublished(caller)` — open datasets for everyone, the others for their
 * producers' editors (and admins) only — and a question or a card is shown only to a caller who may
 * read every resource it reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { and, desc, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { jobs } from '../../platform/jobs/jobs.table.ts';
import type { DuckDBValue } from '@duckdb/node-api';
import type {
  Dashboard,
  DashboardCard,
  DashboardInput,
  ExplorableResource,
  ExtractColumn,
  Question,
  QuestionDefinition,
  QuestionFilter,
  QueryResult,
  SqlDefinition,
  TabularPage,
} from '@patrimoine/contracts/explore';
import { dashboardInput, extractStateLabels, measureFnLabels, questionInput } from '@patrimoine/contracts/explore';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, ANONYMOUS, isSystem, isUser, requireUser, SYSTEM, type Caller } from '../../platform/auth/principal.ts';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError, fieldError } from '../../platform/errors.ts';
import { loadMasterSecret } from '../../platform/master-secret.ts';
import type { PublicationService } from '../opendata/index.ts';
import { readOds, readXlsx } from '../opendata/index.ts';
import { ExtractCache } from './engine/cache.ts';
import { buildCounts, convertToParquet, COUNT_N, COUNT_TABLE } from './engine/convert.ts';
import { compileQuestion, compileTabular, pickCount, SOURCE } from './engine/compile.ts';
import { TotalsCache } from './engine/totals.ts';
import { Sandbox, SandboxError, type SandboxSource } from './engine/sandbox.ts';
import { exploreDashboards, exploreExtracts, exploreQuestions, type ExtractCounts } from './explore.table.ts';

export const CONVERT_JOB = 'explore.convert';
export const COUNTS_JOB = 'explore.counts';
type Meta = { ip?: string; requestId?: string };
type ExtractRow = typeof exploreExtracts.$inferSelect;
type QuestionRow = typeof exploreQuestions.$inferSelect;
type DashboardRow = typeof exploreDashboards.$inferSelect;
type Readable = Awaited<ReturnType<PublicationService['readablePublished']>>[number];

/** Roles that may write and run SQL of their own (the data team). */
const SQL_ROLES = new Set(['admin', 'data_admin']);

const extractKey = (versionId: string) => `explore/extracts/${versionId}.parquet`;
const countsKey = (versionId: string) => `explore/extracts/${versionId}.counts.parquet`;
/** The view of an extract's count tables, beside `source` in the sandbox of the tabular API and of builder questions. */
const COUNTS = '__counts';

export function createExploreService(ctx: AppContext, deps: { publication: PublicationService }) {
  const { publication } = deps;
  const cacheDir = ctx.env.PATRIMOINE_EXPLORE_CACHE_DIR ?? path.join(ctx.env.dataDir, 'explore-cache');
  const cache = new ExtractCache(cacheDir, ctx.blobs);
  const sandbox = new Sandbox(
    {
      memoryMb: ctx.env.PATRIMOINE_EXPLORE_MEMORY_MB,
      threads: ctx.env.PATRIMOINE_EXPLORE_THREADS,
      timeoutMs: ctx.env.PATRIMOINE_EXPLORE_TIMEOUT_MS,
      maxRows: ctx.env.PATRIMOINE_EXPLORE_MAX_ROWS,
    },
    path.join(cacheDir, '.spill'),
  );

  // ---- extracts -------------------------------------------------------------------------------------

  async function queueConversion(versionId: string, resourceId: string, tx = ctx.db): Promise<string> {
    await tx
      .insert(exploreExtracts)
      .values({ versionId, resourceId, state: 'pending', createdAt: ctx.clock.now() })
      .onConflictDoUpdate({ target: exploreExtracts.versionId, set: { state: 'pending', error: null } });
    const job = await ctx.jobs.enqueue(CONVERT_JOB, { versionId, resourceId }, { tx });
    await tx.update(exploreExtracts).set({ jobId: job.id }).where(eq(exploreExtracts.versionId, versionId));
    return job.id;
  }

  // Every publication queues the conversion of the version, in the publication's transaction.
  ctx.events.on('opendata.version.published', async (e, tx) => {
    await queueConversion(e.versionId, e.resourceId, tx);
  });

  async function convert(versionId: string, resourceId: string, signal: AbortSignal): Promise<unknown> {
    const [item] = await publication.readablePublished(SYSTEM, [resourceId]);
    if (!item || item.version.id !== versionId) {
      await ctx.db
        .update(exploreExtracts)
        .set({ state: 'failed', error: 'Cette version n’est plus la version publiée de la ressource.' })
        .where(eq(exploreExtracts.versionId, versionId));
      return { skipped: true };
    }
    const v = item.version;
    await ctx.db.update(exploreExtracts).set({ state: 'converting', error: null }).where(eq(exploreExtracts.versionId, versionId));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-explore-'));
    try {
      fs.chmodSync(dir, 0o700);
      const source = path.join(dir, 'source');
      const out = path.join(dir, 'extract.parquet');
      const obj = await ctx.blobs.get(v.blobKey);
      if (!obj) throw new Error('Le fichier de cette version est introuvable dans le stockage.');
      await pipeline(obj.body, fs.createWriteStream(source, { mode: 0o600 }), { signal });
      const format = (v.format ?? 'csv') as 'csv' | 'xlsx' | 'ods';
      const res = await convertToParquet(
        {
          path: source,
          format,
          encoding: v.encoding,
          dialect: v.dialect ?? null,
          readSheet: (p) => (format === 'ods' ? readOds(p) : readXlsx(p)),
        },
        out,
        dir,
        { threads: ctx.env.PATRIMOINE_EXPLORE_THREADS, memoryMb: ctx.env.PATRIMOINE_EXPLORE_MEMORY_MB },
      );
      const info = await ctx.blobs.put(extractKey(versionId), fs.createReadStream(out), { contentType: 'application/vnd.apache.parquet' });
      await ctx.db
        .update(exploreExtracts)
        .set({
          state: 'ready',
          blobKey: info.key,
          bytes: info.size,
          rows: res.rows,
          columns: res.columns,
          counts: null,
          error: null,
          convertedAt: ctx.clock.now(),
        })
        .where(eq(exploreExtracts.versionId, versionId));
      // The extracts of the versions it replaces are never read again.
      const old = await ctx.db
        .select()
        .from(exploreExtracts)
        .where(and(eq(exploreExtracts.resourceId, resourceId), ne(exploreExtracts.versionId, versionId)));
      for (const o of old) {
        if (o.blobKey) await ctx.blobs.delete(o.blobKey).catch(() => false);
        if (o.counts?.blobKey) await ctx.blobs.delete(o.counts.blobKey).catch(() => false);
        sandbox.forget(cache.pathOf(o.versionId));
        cache.drop(o.versionId);
        await ctx.db.delete(exploreExtracts).where(eq(exploreExtracts.versionId, o.versionId));
      }
      // The count tables follow in a job of their own (ADR 0804): the extract is queryable meanwhile (totals by a count).
      const counts = await ctx.jobs.enqueue(COUNTS_JOB, { versionId });
      return { rows: res.rows, columns: res.columns.length, bytes: info.size, countsJob: counts.id };
    } catch (e) {
      const message = `La conversion a échoué : ${String((e as Error).message)
        .split('\n')[0]!
        .slice(0, 300)}`;
      await ctx.db.update(exploreExtracts).set({ state: 'failed', error: message }).where(eq(exploreExtracts.versionId, versionId));
      throw e;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The count tables of a ready extract (ADR 0804), read from this node's cache, written to the blob store. */
  async function buildCountTables(versionId: string): Promise<unknown> {
    const [x] = await ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.versionId, versionId));
    if (!x || x.state !== 'ready' || !x.blobKey || x.bytes === null) return { skipped: true };
    const file = await cache.ensure(x.versionId, x.blobKey, x.bytes);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-explore-counts-'));
    try {
      fs.chmodSync(dir, 0o700);
      const out = path.join(dir, 'counts.parquet');
      const built = await buildCounts(file, out, x.columns, x.rows ?? 0, dir, {
        threads: ctx.env.PATRIMOINE_EXPLORE_THREADS,
        memoryMb: ctx.env.PATRIMOINE_EXPLORE_MEMORY_MB,
      });
      if (!built) {
        // Checked: nothing worth a table. Recorded, so that the start-up backfill leaves it alone.
        await ctx.db
          .update(exploreExtracts)
          .set({ counts: { blobKey: null, bytes: 0, tables: [] } })
          .where(and(eq(exploreExtracts.versionId, versionId), eq(exploreExtracts.state, 'ready')));
        return { tables: 0 };
      }
      const ci = await ctx.blobs.put(countsKey(versionId), fs.createReadStream(out), { contentType: 'application/vnd.apache.parquet' });
      const done = await ctx.db
        .update(exploreExtracts)
        .set({ counts: { blobKey: ci.key, bytes: ci.size, tables: built.tables } })
        .where(and(eq(exploreExtracts.versionId, versionId), eq(exploreExtracts.state, 'ready')))
        .returning({ v: exploreExtracts.versionId });
      // Replaced meanwhile (a newer version, or converted again): the file is nobody's.
      if (!done.length) await ctx.blobs.delete(ci.key).catch(() => false);
      return { tables: built.tables.length, bytes: ci.size };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  ctx.jobs.register<{ versionId: string }, unknown, never>(COUNTS_JOB, {
    maxAttempts: 2,
    retentionMs: 7 * 24 * 3600_000,
    run: (j) => buildCountTables(j.payload.versionId),
    // Out of attempts: the extract keeps counting over itself, and is not queued again at each start.
    finished: async (j, outcome) => {
      if (outcome !== 'failed') return;
      const versionId = (j.payload as { versionId?: string }).versionId;
      if (!versionId) return;
      await ctx.db
        .update(exploreExtracts)
        .set({ counts: { blobKey: null, bytes: 0, tables: [] } })
        .where(and(eq(exploreExtracts.versionId, versionId), isNull(exploreExtracts.counts)));
    },
    describe: () => ({ title: 'Tables de comptes d’une ressource pour l’exploration (totaux exacts)' }),
  });

  /**
   * Queues the count tables of the ready extracts that have none yet (converted before ADR 0804, or
   * whose job was lost with its node): called at each start, under a transaction-scoped advisory lock
   * so that nodes starting together queue each extract once. Returns the version ids queued.
   */
  async function backfillCounts(): Promise<string[]> {
    const queued = await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('explore.counts.backfill'))`);
      const missing = await tx
        .select({ versionId: exploreExtracts.versionId })
        .from(exploreExtracts)
        .where(and(eq(exploreExtracts.state, 'ready'), isNull(exploreExtracts.counts), isNotNull(exploreExtracts.blobKey)));
      if (!missing.length) return [];
      const active = await tx
        .select({ payload: jobs.payload })
        .from(jobs)
        .where(and(eq(jobs.type, COUNTS_JOB), inArray(jobs.state, ['queued', 'running'])));
      const busy = new Set(active.map((j) => (j.payload as { versionId?: string }).versionId));
      const ids: string[] = [];
      for (const { versionId } of missing) {
        if (busy.has(versionId)) continue;
        await ctx.jobs.enqueue(COUNTS_JOB, { versionId }, { tx: tx as never });
        ids.push(versionId);
      }
      return ids;
    });
    if (queued.length) ctx.jobs.notify();
    return queued;
  }

  ctx.jobs.register<{ versionId: string; resourceId: string }, unknown, never>(CONVERT_JOB, {
    maxAttempts: 2,
    retentionMs: 7 * 24 * 3600_000,
    run: (j) => convert(j.payload.versionId, j.payload.resourceId, j.signal),
    describe: () => ({ title: 'Conversion d’une ressource pour l’exploration (Parquet)' }),
  });

  async function extractsOf(versionIds: string[]): Promise<Map<string, ExtractRow>> {
    if (!versionIds.length) return new Map();
    const rows = await ctx.db.select().from(exploreExtracts).where(inArray(exploreExtracts.versionId, versionIds));
    return new Map(rows.map((x) => [x.versionId, x]));
  }

  function toExplorable(item: Readable, x: ExtractRow | undefined): ExplorableResource {
    return {
      resourceId: item.resource.id,
      resourceTitle: item.resource.title,
      datasetSlug: item.dataset.slug,
      datasetTitle: item.dataset.title,
      versionId: item.version.id,
      versionNumber: item.version.number,
      public: item.public,
      state: x?.state ?? 'pending',
      error: x?.error ?? null,
      rows: x?.rows ?? null,
      columns: x?.columns ?? [],
      convertedAt: x?.convertedAt ?? null,
      jobId: x?.jobId ?? null,
    };
  }

  async function listResources(c: Caller): Promise<ExplorableResource[]> {
    const items = await publication.readablePublished(c);
    const xs = await extractsOf(items.map((i) => i.version.id));
    return items.map((i) => toExplorable(i, xs.get(i.version.id)));
  }

  async function readable(c: Caller, resourceId: string): Promise<Readable> {
    const [item] = await publication.readablePublished(c, [resourceId]);
    if (!item) throw new NotFoundError('Ressource introuvable, ou vous n’avez pas le droit d’en lire les données.');
    return item;
  }

  async function getResource(c: Caller, resourceId: string): Promise<ExplorableResource> {
    const item = await readable(c, resourceId);
    return toExplorable(item, (await extractsOf([item.version.id])).get(item.version.id));
  }

  /** Converts again on demand (an editor of the producer, or an admin): a failed conversion, a lost extract. */
  async function reconvert(c: Caller, resourceId: string, meta: Meta): Promise<ExplorableResource> {
    const u = requireUser(c);
    const item = await readable(c, resourceId);
    if (!publication.canEdit(c, item.dataset)) throw new ForbiddenError('Seuls les éditeurs de l’organisation productrice peuvent relancer la conversion.');
    await ctx.db.transaction(async (tx) => {
      const [x] = await tx.select().from(exploreExtracts).where(eq(exploreExtracts.versionId, item.version.id));
      if (x && (x.state === 'pending' || x.state === 'converting')) throw new ConflictError('Une conversion de cette version est déjà en cours.');
      await queueConversion(item.version.id, item.resource.id, tx as never);
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: 'explore.extract.convert',
        entityType: 'opendata_version',
        entityId: item.version.id,
        after: { resource: item.resource.id },
        ip: meta.ip,
        requestId: meta.requestId,
      });
    });
    return getResource(c, resourceId);
  }

  /** The local file of a readable resource's extract (and of its count tables). */
  async function sourceOf(
    c: Caller,
    resourceId: string,
  ): Promise<{
    item: Readable;
    columns: ExtractColumn[];
    file: string;
    rows: number;
    versionId: string;
    counts: { file: string; tables: ExtractCounts['tables'] } | null;
  }> {
    const item = await readable(c, resourceId);
    const [x] = await ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.versionId, item.version.id));
    if (!x || x.state !== 'ready' || !x.blobKey || x.bytes === null) {
      const state = x?.state ?? 'pending';
      throw new ConflictError(`Les données de « ${item.resource.title} » ne sont pas prêtes à explorer (${extractStateLabels[state].toLowerCase()}).`);
    }
    const [file, countsFile] = await Promise.all([
      cache.ensure(x.versionId, x.blobKey, x.bytes),
      x.counts?.blobKey ? cache.ensure(x.versionId, x.counts.blobKey, x.counts.bytes, 'counts') : null,
    ]);
    return {
      item,
      columns: x.columns,
      file,
      rows: x.rows ?? 0,
      versionId: x.versionId,
      counts: x.counts && countsFile ? { file: countsFile, tables: x.counts.tables } : null,
    };
  }

  /** The sandbox sources of one resource: `source`, and its count tables when it has them (one instance for the tabular API and builder questions). */
  const sourcesOf = (src: { file: string; counts: { file: string } | null }): SandboxSource[] => [
    { alias: SOURCE, file: src.file },
    ...(src.counts ? [{ alias: COUNTS, file: src.counts.file }] : []),
  ];

  async function query(sources: SandboxSource[], sql: string, params: DuckDBValue[], opts: { maxRows?: number; signal?: AbortSignal } = {}) {
    try {
      return await sandbox.query(sources, sql, params, { ...(opts.maxRows ? { maxRows: opts.maxRows } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (e) {
      if (e instanceof SandboxError) {
        if (e.kind === 'busy') throw new TooManyRequestsError(e.message, 2);
        if (e.kind === 'refused') throw fieldError('sql', e.message);
        throw new ValidationError(e.message, [{ field: 'sql', message: e.message }]);
      }
      throw e;
    }
  }

  // ---- tabular API ----------------------------------------------------------------------------------

  const RESERVED = new Set(['page', 'page_size', 'columns', 'format']);
  // Totals per (extract version, compiled filter): an extract never changes. Shared by the nodes through Redis when there is one.
  const totals = new TotalsCache(ctx.redis, ctx.env.REDIS_PREFIX ?? '', 2000);

  function tabularParams(q: Record<string, unknown>): Record<string, string> {
    const params: Record<string, string> = {};
    const keys = Object.keys(q).filter((k) => !RESERVED.has(k));
    if (keys.length > 50) throw fieldError('query', '50 paramètres au plus');
    for (const k of keys) {
      const v = q[k];
      if (Array.isArray(v)) throw fieldError(`query.${k}`, 'un seul exemplaire de ce paramètre');
      params[k] = String(v ?? '');
    }
    return params;
  }

  async function tabular(
    c: Caller,
    resourceId: string,
    q: { page: number; page_size: number; columns?: string } & Record<string, unknown>,
    url: string,
  ): Promise<TabularPage> {
    const src = await sourceOf(c, resourceId);
    const compiled = compileTabular(src.columns, { page: q.page, pageSize: q.page_size, columns: q.columns, params: tabularParams(q) });
    const sources = sourcesOf(src);
    // The exact total (ADR 0804), cheapest first: without a filter, the extract's rows (known at
    // conversion); a total already counted for this filter; a count table holding every filtered and
    // grouped column (a sum over its combinations); else a count over the extract, run beside the page.
    let total: number | undefined = !compiled.where && !compiled.grouped ? src.rows : undefined;
    const key = `${src.versionId}\n${compiled.count.sql}\n${JSON.stringify(compiled.count.params)}`;
    const known = total !== undefined || (total = await totals.get(key)) !== undefined;
    let counting: Promise<number> | null = null;
    const stopCounting = new AbortController();
    if (total === undefined) {
      const count = pickCount(compiled, src.counts?.tables ?? [], COUNTS, COUNT_N, COUNT_TABLE);
      counting = query(sources, count.sql, count.params, { signal: stopCounting.signal }).then((r) => Number(r.rows[0]?.[0] ?? 0));
      // The page may end first with the answer (a short page): the count is then interrupted.
      counting.catch(() => undefined);
    }
    let page;
    try {
      // One row more than the page: whether there is a next page is known without counting.
      page = await query(
        sources,
        compiled.page.sql.replace(/ LIMIT (\d+) OFFSET /, (_, n: string) => ` LIMIT ${Number(n) + 1} OFFSET `),
        compiled.page.params,
      );
    } catch (e) {
      stopCounting.abort();
      throw e;
    }
    const more = page.rows.length > q.page_size;
    if (more) page.rows.length = q.page_size;
    if (total === undefined && !more && (page.rows.length > 0 || q.page === 1)) {
      total = (q.page - 1) * q.page_size + page.rows.length;
      // Nobody needs the count any more: it gives its query slot back at once.
      stopCounting.abort();
    }
    if (total === undefined) total = await counting!;
    if (!known) await totals.set(key, total);
    const link = (p: number) => {
      const u = new URL(url, 'http://x');
      u.searchParams.set('page', String(p));
      return `${u.pathname}?${u.searchParams.toString()}`;
    };
    return {
      data: page.rows.map((r) => Object.fromEntries(page.columns.map((col, i) => [col.name, r[i]]))),
      links: {
        profile: `/api/explore/resources/${resourceId}`,
        next: more ? link(q.page + 1) : null,
        prev: q.page > 1 ? link(q.page - 1) : null,
      },
      meta: { page: q.page, page_size: q.page_size, total },
    };
  }

  async function tabularCsv(c: Caller, resourceId: string, q: { page: number; page_size: number; columns?: string } & Record<string, unknown>) {
    const src = await sourceOf(c, resourceId);
    const compiled = compileTabular(src.columns, { page: 1, pageSize: 1, columns: q.columns, params: tabularParams(q) });
    const r = await query(sourcesOf(src), compiled.all.sql, compiled.all.params, { maxRows: ctx.env.PATRIMOINE_EXPLORE_EXPORT_ROWS });
    return {
      name: `${src.item.dataset.slug}-${src.item.resource.slug}`,
      result: { ...r, columns: r.columns.map((x) => ({ ...x, label: x.name })), sql: compiled.all.sql },
    };
  }

  // ---- questions ------------------------------------------------------------------------------------

  function measureLabel(q: QuestionDefinition, i: number): string {
    const m = q.measures[i]!;
    return m.fn === 'count' ? measureFnLabels.count : `${measureFnLabels[m.fn]} de ${m.column}`;
  }

  async function runBuilder(c: Caller, def: QuestionDefinition, shared: QuestionFilter[] = [], maxRows?: number): Promise<QueryResult> {
    const src = await sourceOf(c, def.resourceId);
    const names = new Set(src.columns.map((x) => x.name));
    // A dashboard's shared filter applies to the cards whose resource has its column.
    const compiled = compileQuestion(
      src.columns,
      def,
      shared.filter((f) => names.has(f.column)),
    );
    const r = await query(sourcesOf(src), compiled.sql, compiled.params, { maxRows });
    const groups = def.groupBy.length;
    return {
      columns: r.columns.map((col, i) =>
        i < groups ? { ...col, label: col.name } : { ...col, label: measureLabel(def, i - groups), measure: def.measures[i - groups]!.fn },
      ),
      rows: r.rows,
      truncated: r.truncated,
      sql: compiled.sql,
    };
  }

  async function runSql(c: Caller, def: SqlDefinition, shared: QuestionFilter[] = [], maxRows?: number): Promise<QueryResult> {
    const aliases = new Set<string>();
    const sources: SandboxSource[] = [];
    for (const [i, s] of def.sources.entries()) {
      if (aliases.has(s.alias)) throw fieldError(`sql.sources.${i}.alias`, `le nom « ${s.alias} » est déjà utilisé`);
      aliases.add(s.alias);
      sources.push({ alias: s.alias, file: (await sourceOf(c, s.resourceId)).file });
    }
    let sql = def.sql.trim().replace(/;\s*$/, '');
    const params: DuckDBValue[] = [];
    if (shared.length) {
      // Shared filters on a SQL card apply to its output columns (bound values).
      const probe = await query(sources, sql, [], { maxRows: 1 });
      const out = new Set(probe.columns.map((x) => x.name));
      const conds = shared
        .filter((f) => out.has(f.column))
        .map((f) => {
          params.push(String(f.value ?? ''));
          return `CAST("${f.column.replace(/"/g, '""')}" AS VARCHAR) = $${params.length}`;
        });
      if (conds.length) sql = `SELECT * FROM (\n${sql}\n) AS q WHERE ${conds.join(' AND ')}`;
    }
    const r = await query(sources, sql, params, { maxRows });
    return { columns: r.columns.map((x) => ({ ...x, label: x.name })), rows: r.rows, truncated: r.truncated, sql };
  }

  function requireSqlRole(c: Caller): void {
    const u = requireUser(c);
    if (!SQL_ROLES.has(u.role)) throw new ForbiddenError('Le mode SQL est réservé à l’équipe des données (administrateurs des données).');
  }

  /** Runs an unsaved question (the builder's preview, the SQL editor). */
  async function run(c: Caller, input: { mode: 'builder' | 'sql'; builder?: QuestionDefinition; sql?: SqlDefinition }): Promise<QueryResult> {
    requireUser(c);
    if (input.mode === 'builder') {
      if (!input.builder) throw fieldError('builder', 'obligatoire en mode assistant');
      return runBuilder(c, input.builder);
    }
    requireSqlRole(c);
    if (!input.sql) throw fieldError('sql', 'obligatoire en mode SQL');
    return runSql(c, input.sql);
  }

  const resourceIdsOf = (q: { mode: string; builder?: QuestionDefinition | null; sql?: SqlDefinition | null }) =>
    q.mode === 'builder' ? [q.builder!.resourceId] : [...new Set(q.sql!.sources.map((s) => s.resourceId))];

  function canEditRow(c: Caller, row: { ownerId: string | null; organisationId: string | null }): boolean {
    if (isSystem(c)) return true;
    if (!isUser(c)) return false;
    if (c.role === 'admin' || row.ownerId === c.userId) return true;
    return (c.role === 'editor' || c.role === 'data_admin') && !!c.organisationId && c.organisationId === row.organisationId;
  }

  async function readableIds(c: Caller): Promise<Set<string>> {
    return new Set((await publication.readablePublished(c)).map((i) => i.resource.id));
  }

  function toQuestion(c: Caller, row: QuestionRow): Question {
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      mode: row.mode,
      builder: row.builder ?? null,
      sql: row.sql ?? null,
      visualization: row.visualization,
      resourceIds: row.resourceIds,
      organisationId: row.organisationId,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      canEdit: canEditRow(c, row),
    };
  }

  async function listQuestions(c: Caller): Promise<Question[]> {
    const ids = await readableIds(c);
    const rows = await ctx.db.select().from(exploreQuestions).orderBy(desc(exploreQuestions.updatedAt)).limit(1000);
    return rows.filter((r) => r.resourceIds.every((id) => ids.has(id))).map((r) => toQuestion(c, r));
  }

  /** A question the caller may see: every resource it reads is readable by the caller (else 404). */
  async function questionRow(c: Caller, id: string, ids?: Set<string>): Promise<QuestionRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Question introuvable.');
    const [row] = await ctx.db.select().from(exploreQuestions).where(eq(exploreQuestions.id, id));
    const readableSet = ids ?? (await readableIds(c));
    if (!row || !row.resourceIds.every((r) => readableSet.has(r))) throw new NotFoundError('Question introuvable.');
    return row;
  }

  async function getQuestion(c: Caller, id: string): Promise<Question> {
    return toQuestion(c, await questionRow(c, id));
  }

  async function checkQuestion(c: Caller, q: ReturnType<typeof questionInput.parse>): Promise<void> {
    if (q.mode === 'sql') {
      requireSqlRole(c);
      await runSql(c, q.sql!, [], 1);
    } else {
      await runBuilder(c, q.builder!, [], 1);
    }
  }

  /** The stored columns of a question, the same on creation and on change. */
  const questionColumns = (q: ReturnType<typeof questionInput.parse>) => ({
    title: q.title,
    description: q.description,
    mode: q.mode,
    builder: q.mode === 'builder' ? q.builder! : null,
    sql: q.mode === 'sql' ? q.sql! : null,
    visualization: q.visualization,
    resourceIds: resourceIdsOf(q),
  });

  async function createQuestion(c: Caller, input: unknown, meta: Meta): Promise<Question> {
    const u = requireUser(c);
    const q = questionInput.parse(input);
    await checkQuestion(c, q);
    const now = ctx.clock.now();
    const row = await ctx.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(exploreQuestions)
        .values({
          ...questionColumns(q),
          organisationId: u.organisationId,
          ownerId: u.userId,
          createdBy: actorOf(u).label,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: 'explore.question.create',
        entityType: 'explore_question',
        entityId: r!.id,
        after: { title: q.title, mode: q.mode, resources: resourceIdsOf(q) },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return r!;
    });
    return toQuestion(c, row);
  }

  async function updateQuestion(c: Caller, id: string, input: unknown, meta: Meta): Promise<Question> {
    const u = requireUser(c);
    const before = await questionRow(c, id);
    if (!canEditRow(c, before)) throw new ForbiddenError('Seuls son auteur, les éditeurs de son organisation et les administrateurs modifient cette question.');
    const q = questionInput.parse(input);
    await checkQuestion(c, q);
    const row = await ctx.db.transaction(async (tx) => {
      const [r] = await tx
        .update(exploreQuestions)
        .set({
          ...questionColumns(q),
          updatedAt: ctx.clock.now(),
        })
        .where(eq(exploreQuestions.id, id))
        .returning();
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: 'explore.question.update',
        entityType: 'explore_question',
        entityId: id,
        before: { title: before.title, mode: before.mode },
        after: { title: q.title, mode: q.mode, resources: resourceIdsOf(q) },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return r!;
    });
    return toQuestion(c, row);
  }

  async function deleteQuestion(c: Caller, id: string, meta: Meta): Promise<void> {
    const u = requireUser(c);
    const row = await questionRow(c, id);
    if (!canEditRow(c, row)) throw new ForbiddenError('Seuls son auteur, les éditeurs de son organisation et les administrateurs suppriment cette question.');
    await ctx.db.transaction(async (tx) => {
      await tx.delete(exploreQuestions).where(eq(exploreQuestions.id, id));
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: 'explore.question.delete',
        entityType: 'explore_question',
        entityId: id,
        before: { title: row.title },
        ip: meta.ip,
        requestId: meta.requestId,
      });
    });
  }

  function runRow(c: Caller, row: QuestionRow, shared: QuestionFilter[] = [], maxRows?: number): Promise<QueryResult> {
    return row.mode === 'builder' ? runBuilder(c, row.builder!, shared, maxRows) : runSql(c, row.sql!, shared, maxRows);
  }

  async function questionResult(c: Caller, id: string, opts: { csv?: boolean } = {}): Promise<{ title: string; result: QueryResult }> {
    const row = await questionRow(c, id);
    return { title: row.title, result: await runRow(c, row, [], opts.csv ? ctx.env.PATRIMOINE_EXPLORE_EXPORT_ROWS : undefined) };
  }

  // ---- dashboards -----------------------------------------------------------------------------------

  async function toDashboard(c: Caller, row: DashboardRow): Promise<Dashboard> {
    const ids = await readableIds(c);
    const qids = row.cards.filter((k): k is Extract<DashboardCard, { kind: 'question' }> => k.kind === 'question').map((k) => k.questionId);
    const questions: Question[] = [];
    for (const qid of new Set(qids)) {
      try {
        questions.push(toQuestion(c, await questionRow(c, qid, ids)));
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      visibility: row.visibility,
      cards: row.cards,
      filters: row.filters,
      questions: questions.map(({ builder: _b, sql: _s, ...q }) => q as Question),
      organisationId: row.organisationId,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      canEdit: canEditRow(c, row),
    };
  }

  /** A public dashboard is for everyone; a restricted one for signed-in agents (its cards still check their data). */
  function mayView(c: Caller, row: DashboardRow): boolean {
    return row.visibility === 'public' || isUser(c) || isSystem(c);
  }

  async function dashboardRow(c: Caller, id: string): Promise<DashboardRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Tableau de bord introuvable.');
    const [row] = await ctx.db.select().from(exploreDashboards).where(eq(exploreDashboards.id, id));
    if (!row || !mayView(c, row)) throw new NotFoundError('Tableau de bord introuvable.');
    return row;
  }

  async function listDashboards(c: Caller) {
    const rows = await ctx.db.select().from(exploreDashboards).orderBy(desc(exploreDashboards.updatedAt)).limit(500);
    return rows
      .filter((r) => mayView(c, r))
      .map((r) => ({
        id: r.id,
        title: r.title,
        description: r.description,
        visibility: r.visibility,
        filters: r.filters,
        organisationId: r.organisationId,
        createdBy: r.createdBy,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        canEdit: canEditRow(c, r),
      }));
  }

  async function getDashboard(c: Caller, id: string): Promise<Dashboard> {
    return toDashboard(c, await dashboardRow(c, id));
  }

  /** Every card's question must be visible to the author; a public dashboard reads open data only. */
  async function checkDashboard(c: Caller, d: ReturnType<typeof dashboardInput.parse>): Promise<void> {
    const ids = await readableIds(c);
    const open = d.visibility === 'public' ? await readableIds(ANONYMOUS) : null;
    for (const [i, card] of d.cards.entries()) {
      if (card.kind !== 'question') continue;
      let row: QuestionRow;
      try {
        row = await questionRow(c, card.questionId, ids);
      } catch {
        throw fieldError(`cards.${i}.questionId`, 'question introuvable');
      }
      if (open && !row.resourceIds.every((r) => open.has(r)))
        throw fieldError('visibility', `la question « ${row.title} » lit des données qui ne sont pas ouvertes : le tableau de bord ne peut pas être public`);
    }
    const seen = new Set<string>();
    for (const [i, f] of d.filters.entries()) {
      if (seen.has(f.column)) throw fieldError(`filters.${i}.column`, 'ce filtre existe déjà');
      seen.add(f.column);
    }
  }

  async function saveDashboard(c: Caller, id: string | null, input: DashboardInput, meta: Meta): Promise<Dashboard> {
    const u = requireUser(c);
    const d = dashboardInput.parse(input);
    let before: DashboardRow | null = null;
    if (id) {
      before = await dashboardRow(c, id);
      if (!canEditRow(c, before))
        throw new ForbiddenError('Seuls son auteur, les éditeurs de son organisation et les administrateurs modifient ce tableau de bord.');
    }
    await checkDashboard(c, d);
    const now = ctx.clock.now();
    const row = await ctx.db.transaction(async (tx) => {
      const values = { title: d.title, description: d.description, visibility: d.visibility, cards: d.cards, filters: d.filters, updatedAt: now };
      const [r] = before
        ? await tx
            .update(exploreDashboards)
            .set({
              ...values,
              embedGeneration: before.visibility === 'public' && d.visibility !== 'public' ? before.embedGeneration + 1 : before.embedGeneration,
            })
            .where(eq(exploreDashboards.id, before.id))
            .returning()
        : await tx
            .insert(exploreDashboards)
            .values({ ...values, organisationId: u.organisationId, ownerId: u.userId, createdBy: actorOf(u).label, createdAt: now })
            .returning();
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: before ? 'explore.dashboard.update' : 'explore.dashboard.create',
        entityType: 'explore_dashboard',
        entityId: r!.id,
        before: before ? { title: before.title, visibility: before.visibility, cards: before.cards.length } : undefined,
        after: { title: d.title, visibility: d.visibility, cards: d.cards.length, filters: d.filters.map((f) => f.column) },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return r!;
    });
    return toDashboard(c, row);
  }

  async function deleteDashboard(c: Caller, id: string, meta: Meta): Promise<void> {
    const u = requireUser(c);
    const row = await dashboardRow(c, id);
    if (!canEditRow(c, row))
      throw new ForbiddenError('Seuls son auteur, les éditeurs de son organisation et les administrateurs suppriment ce tableau de bord.');
    await ctx.db.transaction(async (tx) => {
      await tx.delete(exploreDashboards).where(eq(exploreDashboards.id, id));
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: 'explore.dashboard.delete',
        entityType: 'explore_dashboard',
        entityId: id,
        before: { title: row.title },
        ip: meta.ip,
        requestId: meta.requestId,
      });
    });
  }

  /** Values of the shared filters (`{"departement": "75"}`), checked against the dashboard's filters. */
  function sharedFilters(row: DashboardRow, raw: string | undefined): QuestionFilter[] {
    if (!raw) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw fieldError('query.filters', 'objet JSON attendu : {"colonne": "valeur"}');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fieldError('query.filters', 'objet JSON attendu : {"colonne": "valeur"}');
    const allowed = new Set(row.filters.map((f) => f.column));
    const out: QuestionFilter[] = [];
    for (const [column, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!allowed.has(column)) throw fieldError('query.filters', `« ${column.slice(0, 60)} » n’est pas un filtre de ce tableau de bord`);
      if (value === '' || value === null || value === undefined) continue;
      if (typeof value !== 'string' && typeof value !== 'number') throw fieldError('query.filters', `valeur du filtre « ${column} » : texte ou nombre`);
      out.push({ column, op: 'exact', value: typeof value === 'number' ? value : value.slice(0, 1000) });
    }
    return out;
  }

  /**
   * One card's result. The caller reads it with its own rights: an anonymous visitor of a public
   * dashboard reads open data only (a dataset closed since gives a 404, never its data).
   */
  async function cardResult(c: Caller, dashboardId: string, index: number, filtersRaw: string | undefined, opts: { csv?: boolean } = {}) {
    const row = await dashboardRow(c, dashboardId);
    return cardOf(c, row, index, filtersRaw, opts);
  }

  async function cardOf(c: Caller, row: DashboardRow, index: number, filtersRaw: string | undefined, opts: { csv?: boolean }) {
    const card = row.cards[index];
    if (!card || card.kind !== 'question') throw new NotFoundError('Carte introuvable.');
    const q = await questionRow(c, card.questionId);
    const result = await runRow(c, q, sharedFilters(row, filtersRaw), opts.csv ? ctx.env.PATRIMOINE_EXPLORE_EXPORT_ROWS : undefined);
    return { title: q.title, result };
  }

  // ---- embedding ------------------------------------------------------------------------------------

  const embedKey = Buffer.from(hkdfSync('sha256', loadMasterSecret(ctx.env), Buffer.alloc(0), 'explore-embed-token', 32));
  const sign = (payload: string) => createHmac('sha256', embedKey).update(payload).digest('base64url');

  /** A signed, expiring token for the `<iframe>` of a public dashboard (revoked by `revokeEmbeds`). */
  async function embedToken(c: Caller, id: string, ttlHours: number, meta: Meta) {
    const u = requireUser(c);
    const row = await dashboardRow(c, id);
    if (!canEditRow(c, row))
      throw new ForbiddenError('Seuls son auteur, les éditeurs de son organisation et les administrateurs intègrent ce tableau de bord.');
    if (row.visibility !== 'public') throw new ConflictError('Seul un tableau de bord public (sur des données ouvertes) peut être intégré dans un autre site.');
    const expiresAt = new Date(ctx.clock.now().getTime() + ttlHours * 3600_000);
    const payload = Buffer.from(JSON.stringify({ d: row.id, g: row.embedGeneration, e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
    const token = `${payload}.${sign(payload)}`;
    await recordAudit(ctx.db, {
      actor: actorOf(u),
      action: 'explore.dashboard.embed',
      entityType: 'explore_dashboard',
      entityId: row.id,
      after: { expiresAt: expiresAt.toISOString(), generation: row.embedGeneration },
      ip: meta.ip,
      requestId: meta.requestId,
    });
    return { token, expiresAt, path: `/integration/tableaux/${token}` };
  }

  async function revokeEmbeds(c: Caller, id: string, meta: Meta): Promise<void> {
    const u = requireUser(c);
    const row = await dashboardRow(c, id);
    if (!canEditRow(c, row)) throw new ForbiddenError('Seuls son auteur, les éditeurs de son organisation et les administrateurs révoquent ses intégrations.');
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(exploreDashboards)
        .set({ embedGeneration: row.embedGeneration + 1 })
        .where(eq(exploreDashboards.id, id));
      await recordAudit(tx as never, {
        actor: actorOf(u),
        action: 'explore.dashboard.embed.revoke',
        entityType: 'explore_dashboard',
        entityId: id,
        after: { generation: row.embedGeneration + 1 },
        ip: meta.ip,
        requestId: meta.requestId,
      });
    });
  }

  /** Checks an embed token (signature, expiry, generation, the dashboard still public); every data request calls it. */
  async function embedded(token: string): Promise<DashboardRow> {
    const bad = () => new UnauthorizedError('Lien d’intégration invalide, expiré ou révoqué : demandez-en un nouveau au producteur du tableau de bord.');
    const [payload, mac] = token.split('.');
    if (!payload || !mac || token.length > 1000) throw bad();
    const expected = Buffer.from(sign(payload));
    const got = Buffer.from(mac);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw bad();
    let claims: { d?: string; g?: number; e?: number };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw bad();
    }
    if (typeof claims.e !== 'number' || claims.e * 1000 <= ctx.clock.now().getTime() || typeof claims.d !== 'string') throw bad();
    const [row] = /^[0-9a-f-]{36}$/i.test(claims.d) ? await ctx.db.select().from(exploreDashboards).where(eq(exploreDashboards.id, claims.d)) : [];
    if (!row || row.embedGeneration !== claims.g || row.visibility !== 'public') throw bad();
    return row;
  }

  async function embeddedDashboard(token: string): Promise<Dashboard> {
    return toDashboard(ANONYMOUS, await embedded(token));
  }

  async function embeddedCard(token: string, index: number, filtersRaw: string | undefined, opts: { csv?: boolean } = {}) {
    return cardOf(ANONYMOUS, await embedded(token), index, filtersRaw, opts);
  }

  return {
    listResources,
    getResource,
    reconvert,
    convert,
    tabular,
    tabularCsv,
    run,
    listQuestions,
    getQuestion,
    createQuestion,
    updateQuestion,
    deleteQuestion,
    questionResult,
    listDashboards,
    getDashboard,
    createDashboard: (c: Caller, input: DashboardInput, meta: Meta) => saveDashboard(c, null, input, meta),
    updateDashboard: (c: Caller, id: string, input: DashboardInput, meta: Meta) => saveDashboard(c, id, input, meta),
    deleteDashboard,
    cardResult,
    embedToken,
    revokeEmbeds,
    embeddedDashboard,
    embeddedCard,
    queueConversion,
    backfillCounts,
    close: () => sandbox.close(),
  };
}

export type ExploreService = ReturnType<typeof createExploreService>;
