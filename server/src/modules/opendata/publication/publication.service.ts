/**
 * Resources of catalogue datasets and their immutable versions: upload (or link), analysis as a job
 * (validation against the resource's schema, personal-data gate, profile, preview), publication by
 * an editor or data_admin of the owner organisation (a data_admin waiver first when personal data
 * were found), supersession, withdrawal, downloads. Every state change is checked against
 * `versionTransitions` and audited in the same transaction.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { request } from 'undici';
import type { Asset } from '@patrimoine/contracts/catalog';
import type { ColumnProfile, DatasetPage, ResourceSummary, VersionDetail, VersionState, VersionSummary } from '@patrimoine/contracts/opendata';
import { versionTransitions } from '@patrimoine/contracts/opendata';
import type { AppContext } from '../../../platform/context.ts';
import type { CatalogService } from '../../catalog/index.ts';
import { recordAudit } from '../../../platform/audit/audit.repository.ts';
import { actorOf, isSystem, isUser, requireUser, SYSTEM, type Caller } from '../../../platform/auth/principal.ts';
import { ConflictError, ForbiddenError, NotFoundError, fieldError } from '../../../platform/errors.ts';
import { checkOutboundUrl, guardedAgent } from '../../../platform/net/outbound.ts';
import type { BlobBody } from '../../../platform/blob/blob.ts';
import { BlobTooLargeError } from '../../../platform/blob/blob.ts';
import type { Db } from '../../../db/client.ts';
import { opendataDownloads, opendataResources, opendataSchemas, opendataVersions, type VersionReport } from '../opendata.table.ts';
import type { OpendataService } from '../opendata.service.ts';
import { PersonalDataScanner } from '../personal-data/detector.ts';
import { validateFile, ValidationAborted } from '../validation/validate.ts';
import type { TableSchemaDescriptor } from '../validation/types.ts';
import { ColumnProfiler } from './profile.ts';
import { DownloadCounter } from './downloads.ts';

type ResourceRow = typeof opendataResources.$inferSelect;
type VersionRow = typeof opendataVersions.$inferSelect;
type Meta = { ip?: string; requestId?: string };

export const ANALYSE_JOB = 'opendata.analyse';
const PUBLIC_STATES: VersionState[] = ['published', 'superseded', 'withdrawn'];
const MEDIA_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

/** A transition the server refuses, in French. */
export class TransitionError extends ConflictError {}

export function assertTransition(from: VersionState, to: VersionState): void {
  if (!versionTransitions[from].includes(to)) {
    throw new TransitionError(`Transition refusée : une version « ${from} » ne peut pas passer à l’état « ${to} ».`);
  }
}

const slugify = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'ressource';

/** File name for Content-Disposition: the dataset and resource slugs, the version, the extension. */
export function downloadName(datasetSlug: string, resourceSlug: string, v: Pick<VersionRow, 'number' | 'format' | 'filename'>): string {
  const ext = v.format ?? (path.extname(v.filename).slice(1).toLowerCase() || 'csv');
  return `${datasetSlug}-${resourceSlug}-v${v.number}.${ext}`;
}

export function createPublicationService(ctx: AppContext, deps: { catalog: CatalogService; schemas: OpendataService }) {
  const { catalog } = deps;
  const agent = guardedAgent({ allowPrivate: false }, { connectTimeoutMs: 5000 });
  const counter = new DownloadCounter({ db: ctx.db, redis: ctx.redis, prefix: ctx.env.REDIS_PREFIX ?? '', now: () => ctx.clock.now(), logger: ctx.logger });
  const base = '/api/opendata';

  // ---- permissions ------------------------------------------------------------------------------

  function canEdit(c: Caller, d: Pick<Asset, 'organisationId'>): boolean {
    if (isSystem(c)) return true;
    if (!isUser(c)) return false;
    if (c.role === 'admin') return true;
    return (c.role === 'editor' || c.role === 'data_admin') && !!c.organisationId && c.organisationId === d.organisationId;
  }
  function canWaive(c: Caller, d: Pick<Asset, 'organisationId'>): boolean {
    if (isSystem(c)) return true;
    if (!isUser(c)) return false;
    return c.role === 'admin' || (c.role === 'data_admin' && !!c.organisationId && c.organisationId === d.organisationId);
  }
  function requireEdit(c: Caller, d: Asset): void {
    requireUserOrSystem(c);
    if (!canEdit(c, d))
      throw new ForbiddenError(
        'Seuls les éditeurs et administrateurs de données de l’organisation productrice peuvent gérer les ressources de ce jeu de données.',
      );
  }
  function requireUserOrSystem(c: Caller): void {
    if (!isSystem(c)) requireUser(c);
  }

  async function dataset(slug: string): Promise<Asset> {
    const d = await catalog.getAsset('dataset', slug);
    if (!d) throw new NotFoundError('Jeu de données introuvable dans le catalogue.');
    return d;
  }
  async function resourceRow(id: string, db: Db = ctx.db): Promise<ResourceRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Ressource introuvable.');
    const [r] = await db.select().from(opendataResources).where(eq(opendataResources.id, id));
    if (!r) throw new NotFoundError('Ressource introuvable.');
    return r;
  }
  async function versionRow(id: string, db: Db = ctx.db): Promise<VersionRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Version introuvable.');
    const [v] = await db.select().from(opendataVersions).where(eq(opendataVersions.id, id));
    if (!v) throw new NotFoundError('Version introuvable.');
    return v;
  }
  async function datasetOf(r: ResourceRow): Promise<Asset> {
    const d = await catalog.getAssetById(r.datasetId);
    if (!d) throw new NotFoundError('Le jeu de données de cette ressource n’existe plus dans le catalogue.');
    return d;
  }
  /** Public: the dataset is open in the catalogue (or the caller may edit it). */
  function isPublicDataset(d: Asset): boolean {
    return d.openness === 'ouvert' && !d.personalData;
  }

  // ---- wire forms -------------------------------------------------------------------------------

  function toSummary(v: VersionRow): VersionSummary {
    return {
      id: v.id,
      resourceId: v.resourceId,
      number: v.number,
      state: v.state,
      source: v.source,
      sourceUrl: v.sourceUrl,
      filename: v.filename,
      mediaType: v.mediaType,
      format: v.format,
      bytes: v.bytes,
      sha256: v.sha256,
      encoding: v.encoding,
      dialect: v.dialect ?? null,
      rows: v.rows,
      columns: v.columns,
      schema: v.schemaName ? { id: v.schemaId, name: v.schemaName, version: v.schemaVersion ?? '' } : null,
      valid: v.valid,
      errorCount: v.report ? Object.values(v.report.errorCounts).reduce((a, b) => a + b, 0) : null,
      personalData: v.personalData as VersionSummary['personalData'],
      waiver: v.waiverReason && v.waivedBy && v.waivedAt ? { reason: v.waiverReason, by: v.waivedBy, at: v.waivedAt } : null,
      error: v.error,
      progress: v.progress ?? null,
      createdBy: v.createdBy,
      createdAt: v.createdAt,
      publishedBy: v.publishedBy,
      publishedAt: v.publishedAt,
      withdrawnAt: v.withdrawnAt,
      withdrawnReason: v.withdrawnReason,
      downloadUrl: `${base}/versions/${v.id}/download`,
    };
  }
  function toDetail(v: VersionRow): VersionDetail {
    return { ...toSummary(v), report: v.report ?? null, preview: v.preview, profile: v.profile };
  }

  async function downloadTotals(resourceIds: string[]): Promise<Map<string, number>> {
    if (!resourceIds.length) return new Map();
    const rows = await ctx.db
      .select({ id: opendataDownloads.resourceId, n: sql<number>`coalesce(sum(${opendataDownloads.count}), 0)::int` })
      .from(opendataDownloads)
      .where(inArray(opendataDownloads.resourceId, resourceIds))
      .groupBy(opendataDownloads.resourceId);
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  async function schemaOf(id: string | null, db: Db = ctx.db): Promise<{ id: string; name: string; version: string } | null> {
    if (!id) return null;
    const [s] = await db
      .select({ id: opendataSchemas.id, name: opendataSchemas.name, version: opendataSchemas.version })
      .from(opendataSchemas)
      .where(eq(opendataSchemas.id, id));
    return s ?? null;
  }

  async function resourcesOf(d: Asset, editor: boolean): Promise<ResourceSummary[]> {
    const rs = await ctx.db.select().from(opendataResources).where(eq(opendataResources.datasetId, d.id)).orderBy(asc(opendataResources.createdAt));
    if (!rs.length) return [];
    const vs = await ctx.db
      .select()
      .from(opendataVersions)
      .where(
        inArray(
          opendataVersions.resourceId,
          rs.map((r) => r.id),
        ),
      )
      .orderBy(desc(opendataVersions.number));
    const totals = await downloadTotals(rs.map((r) => r.id));
    const out: ResourceSummary[] = [];
    for (const r of rs) {
      const versions = vs.filter((v) => v.resourceId === r.id && (editor || PUBLIC_STATES.includes(v.state)));
      if (!editor && !versions.length) continue;
      const published = versions.find((v) => v.id === r.publishedVersionId) ?? null;
      out.push({
        id: r.id,
        datasetId: r.datasetId,
        slug: r.slug,
        title: r.title,
        description: r.description,
        schema: await schemaOf(r.schemaId),
        published: published ? toSummary(published) : null,
        versions: versions.map(toSummary),
        downloads: totals.get(r.id) ?? 0,
        downloadUrl: `${base}/datasets/${encodeURIComponent(d.slug)}/resources/${encodeURIComponent(r.slug)}/download`,
        createdAt: r.createdAt,
      });
    }
    return out;
  }

  // ---- reading ----------------------------------------------------------------------------------

  async function datasetPage(c: Caller, slug: string): Promise<DatasetPage> {
    const d = await dataset(slug);
    const editor = canEdit(c, d);
    if (!editor && !isPublicDataset(d)) throw new NotFoundError('Jeu de données introuvable.');
    const spec = d.spec as { licence?: string };
    return {
      id: d.id,
      slug: d.slug,
      title: d.title,
      description: d.description,
      producer: { code: d.owner, name: d.ownerName, organisationId: d.organisationId },
      licence: spec.licence ?? null,
      openness: d.openness,
      tags: d.tags,
      canEdit: editor,
      canWaive: canWaive(c, d),
      resources: await resourcesOf(d, editor),
    };
  }

  /** Datasets with at least one published resource (the public list). */
  async function listPublished() {
    const rows = await ctx.db
      .select({ datasetId: opendataResources.datasetId, resourceId: opendataResources.id, publishedAt: opendataVersions.publishedAt })
      .from(opendataResources)
      .innerJoin(opendataVersions, eq(opendataVersions.id, opendataResources.publishedVersionId));
    const totals = await downloadTotals(rows.map((r) => r.resourceId));
    const byDataset = new Map<string, { resources: number; downloads: number; updatedAt: Date | null }>();
    for (const r of rows) {
      const e = byDataset.get(r.datasetId) ?? { resources: 0, downloads: 0, updatedAt: null };
      e.resources++;
      e.downloads += totals.get(r.resourceId) ?? 0;
      if (r.publishedAt && (!e.updatedAt || r.publishedAt > e.updatedAt)) e.updatedAt = r.publishedAt;
      byDataset.set(r.datasetId, e);
    }
    const items = [];
    for (const [id, e] of byDataset) {
      const d = await catalog.getAssetById(id);
      if (!d || !isPublicDataset(d)) continue;
      items.push({ slug: d.slug, title: d.title, producer: d.ownerName ?? d.owner, ...e });
    }
    items.sort((a, b) => a.title.localeCompare(b.title, 'fr'));
    return { items };
  }

  async function getVersion(c: Caller, id: string): Promise<VersionDetail> {
    const v = await versionRow(id);
    const r = await resourceRow(v.resourceId);
    const d = await datasetOf(r);
    if (!canEdit(c, d) && !(isPublicDataset(d) && PUBLIC_STATES.includes(v.state))) throw new NotFoundError('Version introuvable.');
    return {
      ...toDetail(v),
      context: { datasetSlug: d.slug, datasetTitle: d.title, resourceTitle: r.title, canEdit: canEdit(c, d), canWaive: canWaive(c, d) },
    };
  }

  // ---- writing ----------------------------------------------------------------------------------

  async function createResource(
    c: Caller,
    slug: string,
    body: { title: string; slug?: string; description?: string; schema?: string },
    meta: Meta,
  ): Promise<ResourceSummary> {
    const d = await dataset(slug);
    requireEdit(c, d);
    let schemaId: string | null = null;
    if (body.schema) {
      const s = body.schema.trim();
      const rows = /^[0-9a-f-]{36}$/i.test(s)
        ? await ctx.db.select().from(opendataSchemas).where(eq(opendataSchemas.id, s))
        : await ctx.db.select().from(opendataSchemas).where(eq(opendataSchemas.name, s)).orderBy(asc(opendataSchemas.createdAt));
      const hit = rows.at(-1);
      if (!hit) throw fieldError('schema', 'schéma introuvable dans le catalogue (identifiant ou nom)');
      schemaId = hit.id;
    }
    const rslug = body.slug ?? slugify(body.title);
    return ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(opendataResources)
        .values({
          datasetId: d.id,
          slug: rslug,
          title: body.title,
          description: body.description ?? '',
          schemaId,
          createdBy: actorOf(c).label,
          createdAt: ctx.clock.now(),
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw fieldError('slug', `une ressource « ${rslug} » existe déjà dans ce jeu de données`);
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.resource.create',
        entityType: 'opendata_resource',
        entityId: row.id,
        after: { dataset: d.slug, slug: rslug, title: body.title, schemaId },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return {
        id: row.id,
        datasetId: d.id,
        slug: row.slug,
        title: row.title,
        description: row.description,
        schema: await schemaOf(schemaId, tx as never),
        published: null,
        versions: [],
        downloads: 0,
        downloadUrl: `${base}/datasets/${encodeURIComponent(d.slug)}/resources/${encodeURIComponent(row.slug)}/download`,
        createdAt: row.createdAt,
      };
    });
  }

  /** Checks that the caller may add a version to the resource (before the upload is read). */
  async function checkUpload(c: Caller, resourceId: string): Promise<{ resource: ResourceRow; dataset: Asset }> {
    const r = await resourceRow(resourceId);
    const d = await datasetOf(r);
    requireEdit(c, d);
    return { resource: r, dataset: d };
  }

  function uploadLimit(): number {
    return ctx.env.PATRIMOINE_OPENDATA_USER_LIMIT;
  }

  async function insertVersion(
    tx: Db,
    c: Caller,
    r: ResourceRow,
    v: { id: string; source: 'upload' | 'url'; sourceUrl: string | null; filename: string; blobKey: string; sha256: string | null; bytes: number | null },
    meta: Meta,
  ): Promise<VersionRow> {
    // The resource row is locked: two uploads at once get numbers n and n+1.
    await tx.select({ id: opendataResources.id }).from(opendataResources).where(eq(opendataResources.id, r.id)).for('update');
    const [last] = await tx
      .select({ n: sql<number>`coalesce(max(${opendataVersions.number}), 0)::int` })
      .from(opendataVersions)
      .where(eq(opendataVersions.resourceId, r.id));
    const schema = await schemaOf(r.schemaId, tx);
    const [row] = await tx
      .insert(opendataVersions)
      .values({
        id: v.id,
        resourceId: r.id,
        number: Number(last?.n ?? 0) + 1,
        state: 'uploaded',
        source: v.source,
        sourceUrl: v.sourceUrl,
        filename: v.filename,
        blobKey: v.blobKey,
        sha256: v.sha256,
        bytes: v.bytes,
        schemaId: schema?.id ?? null,
        schemaName: schema?.name ?? null,
        schemaVersion: schema?.version ?? null,
        createdBy: actorOf(c).label,
        createdAt: ctx.clock.now(),
      })
      .returning();
    const job = await ctx.jobs.enqueue(ANALYSE_JOB, { versionId: row!.id }, { ownerId: isUser(c) ? c.userId : null, tx });
    await tx.update(opendataVersions).set({ jobId: job.id }).where(eq(opendataVersions.id, row!.id));
    await recordAudit(tx as never, {
      actor: actorOf(c),
      action: 'opendata.version.upload',
      entityType: 'opendata_version',
      entityId: row!.id,
      after: {
        resource: r.id,
        number: row!.number,
        state: 'uploaded',
        source: v.source,
        filename: v.filename,
        sha256: v.sha256,
        bytes: v.bytes,
        url: v.sourceUrl,
      },
      ip: meta.ip,
      requestId: meta.requestId,
    });
    return { ...row!, jobId: job.id };
  }

  /** Stores the uploaded file in the blob store, then records the version and queues its analysis. */
  async function uploadVersion(c: Caller, resourceId: string, file: { filename: string; body: BlobBody }, meta: Meta): Promise<VersionDetail> {
    const { resource } = await checkUpload(c, resourceId);
    const id = randomUUID();
    const blobKey = `opendata/versions/${id}`;
    const ext = path.extname(file.filename).slice(1).toLowerCase();
    let info;
    try {
      info = await ctx.blobs.put(blobKey, file.body, { maxBytes: uploadLimit(), contentType: MEDIA_TYPES[ext] ?? 'application/octet-stream' });
    } catch (e) {
      await ctx.blobs.delete(blobKey).catch(() => undefined);
      if (e instanceof BlobTooLargeError) throw fieldError('file', `fichier trop volumineux (${Math.round(uploadLimit() / 1048576)} Mo au plus)`);
      throw e;
    }
    if (info.size === 0) {
      await ctx.blobs.delete(blobKey).catch(() => undefined);
      throw fieldError('file', 'le fichier est vide');
    }
    try {
      const row = await ctx.db.transaction(async (tx) => {
        if (resource.publishedVersionId) {
          const [pub] = await tx.select().from(opendataVersions).where(eq(opendataVersions.id, resource.publishedVersionId));
          if (pub && pub.sha256 === info.sha256) throw new ConflictError(`Ce fichier est identique à la version publiée (n° ${pub.number}) : rien à publier.`);
        }
        return insertVersion(
          tx as never,
          c,
          resource,
          { id, source: 'upload', sourceUrl: null, filename: file.filename, blobKey, sha256: info.sha256, bytes: info.size },
          meta,
        );
      });
      ctx.jobs.notify();
      return toDetail(row);
    } catch (e) {
      await ctx.blobs.delete(blobKey).catch(() => undefined);
      throw e;
    }
  }

  /** A version from a link: the URL is checked now, fetched by the analysis (through the outbound policy). */
  async function linkVersion(c: Caller, resourceId: string, url: string, meta: Meta): Promise<VersionDetail> {
    const { resource } = await checkUpload(c, resourceId);
    const refused = await checkOutboundUrl(url, { allowPrivate: false }, { allowQuery: true });
    if (refused) throw fieldError('url', `adresse refusée : ${refused}`);
    const id = randomUUID();
    const filename = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'fichier.csv').slice(0, 200) || 'fichier.csv';
    const row = await ctx.db.transaction(async (tx) =>
      insertVersion(
        tx as never,
        c,
        resource,
        { id, source: 'url', sourceUrl: url, filename, blobKey: `opendata/versions/${id}`, sha256: null, bytes: null },
        meta,
      ),
    );
    ctx.jobs.notify();
    return toDetail(row);
  }

  /** Moves a version from `from` to `to` inside `tx` (refused when it is no longer in `from`), audited. */
  async function transition(
    tx: Db,
    v: VersionRow,
    to: VersionState,
    c: Caller,
    set: Partial<typeof opendataVersions.$inferInsert>,
    meta: Meta,
    extra: Record<string, unknown> = {},
  ): Promise<VersionRow> {
    assertTransition(v.state, to);
    const [row] = await tx
      .update(opendataVersions)
      .set({ ...set, state: to })
      .where(and(eq(opendataVersions.id, v.id), eq(opendataVersions.state, v.state)))
      .returning();
    if (!row) throw new TransitionError('La version a changé d’état entre-temps : rechargez la page.');
    await recordAudit(tx as never, {
      actor: actorOf(c),
      action: `opendata.version.${to}`,
      entityType: 'opendata_version',
      entityId: v.id,
      before: { state: v.state },
      after: { state: to, ...extra },
      ip: meta.ip,
      requestId: meta.requestId,
    });
    return row;
  }

  async function publish(c: Caller, versionId: string, meta: Meta): Promise<VersionDetail> {
    const v0 = await versionRow(versionId);
    const r = await resourceRow(v0.resourceId);
    const d = await datasetOf(r);
    requireEdit(c, d);
    if (!isPublicDataset(d)) {
      throw new ConflictError('Le jeu de données doit être « ouvert » et sans données personnelles dans le catalogue avant qu’une ressource soit publiée.');
    }
    const row = await ctx.db.transaction(async (tx) => {
      await tx.select({ id: opendataResources.id }).from(opendataResources).where(eq(opendataResources.id, r.id)).for('update');
      const v = await versionRow(versionId, tx as never);
      if (v.state === 'review' && !v.waiverReason) {
        throw new ConflictError(
          'Des données personnelles ont été détectées : un administrateur des données doit lever l’alerte (avec un motif) avant la publication.',
        );
      }
      if (v.state !== 'ready' && v.state !== 'review') assertTransition(v.state, 'published');
      const [res] = await tx.select().from(opendataResources).where(eq(opendataResources.id, r.id));
      if (res!.publishedVersionId) {
        const prev = await versionRow(res!.publishedVersionId, tx as never);
        if (prev.state === 'published') await transition(tx as never, prev, 'superseded', c, {}, meta, { by: v.id });
      }
      const now = ctx.clock.now();
      const out = await transition(tx as never, v, 'published', c, { publishedAt: now, publishedBy: actorOf(c).label }, meta, {
        sha256: v.sha256,
        waiver: v.waiverReason ?? undefined,
      });
      await tx.update(opendataResources).set({ publishedVersionId: v.id }).where(eq(opendataResources.id, r.id));
      await ctx.events.emit(
        'opendata.version.published',
        { versionId: v.id, resourceId: r.id, datasetId: d.id, previousVersionId: res!.publishedVersionId },
        tx as never,
      );
      return out;
    });
    return toDetail(row);
  }

  async function waive(c: Caller, versionId: string, reason: string, meta: Meta): Promise<VersionDetail> {
    const v0 = await versionRow(versionId);
    const d = await datasetOf(await resourceRow(v0.resourceId));
    requireUserOrSystem(c);
    if (!canWaive(c, d))
      throw new ForbiddenError('Seul un administrateur des données de l’organisation productrice peut lever l’alerte de données personnelles.');
    const row = await ctx.db.transaction(async (tx) => {
      const v = await versionRow(versionId, tx as never);
      if (v.state !== 'review') throw new ConflictError('Seule une version en examen (données personnelles détectées) peut recevoir une dérogation.');
      if (v.waiverReason) throw new ConflictError('Une dérogation a déjà été accordée pour cette version.');
      const [out] = await tx
        .update(opendataVersions)
        .set({ waiverReason: reason, waivedBy: actorOf(c).label, waivedAt: ctx.clock.now() })
        .where(and(eq(opendataVersions.id, v.id), eq(opendataVersions.state, 'review')))
        .returning();
      if (!out) throw new TransitionError('La version a changé d’état entre-temps : rechargez la page.');
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.version.waive',
        entityType: 'opendata_version',
        entityId: v.id,
        after: { reason, columns: v.personalData.map((p) => p.fieldName) },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return out;
    });
    return toDetail(row);
  }

  async function withdraw(c: Caller, versionId: string, reason: string, meta: Meta): Promise<VersionDetail> {
    const v0 = await versionRow(versionId);
    const r = await resourceRow(v0.resourceId);
    requireEdit(c, await datasetOf(r));
    const row = await ctx.db.transaction(async (tx) => {
      await tx.select({ id: opendataResources.id }).from(opendataResources).where(eq(opendataResources.id, r.id)).for('update');
      const v = await versionRow(versionId, tx as never);
      const out = await transition(tx as never, v, 'withdrawn', c, { withdrawnAt: ctx.clock.now(), withdrawnReason: reason }, meta, { reason });
      await tx
        .update(opendataResources)
        .set({ publishedVersionId: null })
        .where(and(eq(opendataResources.id, r.id), eq(opendataResources.publishedVersionId, v.id)));
      return out;
    });
    return toDetail(row);
  }

  // ---- analysis (job) -----------------------------------------------------------------------------

  async function fetchToBlob(v: VersionRow, signal: AbortSignal, onBytes: (n: number) => Promise<void>): Promise<{ sha256: string; size: number }> {
    const url = v.sourceUrl!;
    const refused = await checkOutboundUrl(url, { allowPrivate: false }, { allowQuery: true });
    if (refused) throw Object.assign(new Error(`Adresse refusée : ${refused}`), { permanent: true });
    let res;
    try {
      res = await request(url, { dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 60_000, maxRedirections: 0, signal } as never);
    } catch (e) {
      throw Object.assign(new Error(`Le fichier n’a pas pu être téléchargé (hôte injoignable, adresse refusée ou délai dépassé) : ${(e as Error).message}`), {
        permanent: true,
      });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.body.destroy();
      throw Object.assign(new Error(`Le fichier n’a pas pu être téléchargé (HTTP ${res.statusCode}).`), { permanent: true });
    }
    let n = 0;
    const body = (async function* () {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        n += chunk.length;
        await onBytes(n);
        yield chunk;
      }
    })();
    try {
      const info = await ctx.blobs.put(v.blobKey, body, { maxBytes: uploadLimit(), signal });
      return { sha256: info.sha256!, size: info.size };
    } catch (e) {
      if (e instanceof BlobTooLargeError)
        throw Object.assign(new Error(`Fichier distant trop volumineux (${Math.round(uploadLimit() / 1048576)} Mo au plus).`), { permanent: true });
      throw e;
    }
  }

  /** Marks a version invalid with the reason its analysis could not complete (audited). */
  async function failAnalysis(versionId: string, message: string): Promise<void> {
    await ctx.db.transaction(async (tx) => {
      const v = await versionRow(versionId, tx as never).catch(() => null);
      if (!v || (v.state !== 'analysing' && v.state !== 'uploaded')) return;
      if (v.state === 'uploaded') await transition(tx as never, v, 'analysing', SYSTEM, {}, {});
      const cur = await versionRow(versionId, tx as never);
      await transition(tx as never, cur, 'invalid', SYSTEM, { error: message, valid: false, progress: null }, {}, { error: message });
    });
  }

  async function analyse(versionId: string, signal: AbortSignal, report: (p: { rows: number; bytes: number; totalBytes: number | null }) => Promise<void>) {
    let v = await versionRow(versionId).catch(() => null);
    if (!v || (v.state !== 'uploaded' && v.state !== 'analysing')) return { skipped: true };
    try {
      v = await ctx.db.transaction(async (tx) => transition(tx as never, v!, 'analysing', SYSTEM, { error: null }, {}));
    } catch (e) {
      // Another run (the job on another node, or the demo's direct call) took it first.
      if (e instanceof TransitionError) return { skipped: true };
      throw e;
    }
    let lastWrite = 0;
    const progress = async (p: { rows: number; bytes: number; totalBytes: number | null }) => {
      await report(p);
      if (Date.now() - lastWrite < 500) return;
      lastWrite = Date.now();
      await ctx.db.update(opendataVersions).set({ progress: p }).where(eq(opendataVersions.id, versionId));
    };
    try {
      let sha256 = v.sha256;
      let size = v.bytes;
      if (v.source === 'url' && !sha256) {
        const got = await fetchToBlob(v, signal, (n) => progress({ rows: 0, bytes: n, totalBytes: null }));
        sha256 = got.sha256;
        size = got.size;
        await ctx.db.update(opendataVersions).set({ sha256, bytes: size }).where(eq(opendataVersions.id, versionId));
      }
      const resource = await resourceRow(v.resourceId);
      const schemaRow = v.schemaId ? (await ctx.db.select().from(opendataSchemas).where(eq(opendataSchemas.id, v.schemaId)))[0] : undefined;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-od-analyse-'));
      const file = path.join(dir, 'data');
      try {
        fs.chmodSync(dir, 0o700);
        const obj = await ctx.blobs.get(v.blobKey);
        if (!obj) throw Object.assign(new Error('Le fichier de cette version est introuvable dans le stockage.'), { permanent: true });
        await pipeline(obj.body, fs.createWriteStream(file, { mode: 0o600 }), { signal });
        const scanner = new PersonalDataScanner();
        const profiler = new ColumnProfiler();
        const observer = {
          begin: (h: string[]) => {
            scanner.begin(h);
            profiler.begin(h);
          },
          observe: (i: number, value: string) => scanner.observe(i, value),
          row: (cells: readonly (string | null)[]) => profiler.row(cells),
        };
        let pending: Promise<void> = Promise.resolve();
        const result = await validateFile(file, {
          schema: (schemaRow?.descriptor as TableSchemaDescriptor | undefined) ?? null,
          filename: v.filename,
          deadline: Date.now() + ctx.env.PATRIMOINE_OPENDATA_TIMEOUT_MS * 5,
          observer,
          onProgress: (rows) => {
            if (signal.aborted) throw new ValidationAborted('Analyse annulée.');
            pending = pending.then(() => progress({ rows, bytes: Math.min(profiler.chars, size ?? profiler.chars), totalBytes: size }));
          },
        });
        await pending;
        const verdicts = scanner.verdicts().map((x) => ({ fieldName: x.fieldName, kinds: x.kinds as string[], share: x.share }));
        const reportJson: VersionReport = {
          errors: result.errors.map((e) => ({ type: e.type, rowNumber: e.rowNumber, fieldName: e.fieldName, message: e.message })),
          errorCounts: result.errorCounts,
          truncated: result.truncated,
          warnings: result.warnings,
        };
        const to: VersionState = !result.valid ? 'invalid' : verdicts.length ? 'review' : 'ready';
        const profile: ColumnProfile[] = profiler.profile();
        await ctx.db.transaction(async (tx) => {
          const cur = await versionRow(versionId, tx as never);
          await transition(
            tx as never,
            cur,
            to,
            SYSTEM,
            {
              valid: result.valid,
              format: result.format,
              mediaType: MEDIA_TYPES[result.format] ?? null,
              encoding: result.encoding,
              dialect: result.dialect,
              rows: result.stats.rows,
              columns: result.header,
              report: reportJson,
              personalData: verdicts,
              preview: profiler.preview,
              profile,
              progress: { rows: result.stats.rows, bytes: size ?? result.stats.bytes, totalBytes: size },
              error: null,
            },
            {},
            { rows: result.stats.rows, errors: result.stats.errors, personalData: verdicts.map((p) => p.fieldName), resource: resource.id },
          );
        });
        return { state: to, rows: result.stats.rows };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch (e) {
      // Another run finished first (its result stands).
      if (e instanceof TransitionError) return { skipped: true };
      const permanent = e instanceof ValidationAborted || (e as { permanent?: boolean }).permanent;
      if (permanent && !signal.aborted) {
        await failAnalysis(versionId, (e as Error).message);
        return { state: 'invalid' as const, error: (e as Error).message };
      }
      throw e;
    }
  }

  ctx.jobs.register<{ versionId: string }, unknown, never>(ANALYSE_JOB, {
    maxAttempts: 3,
    retentionMs: 7 * 24 * 3600_000,
    run: async (j) => analyse(j.payload.versionId, j.signal, (p) => j.progress({ done: p.rows, message: `${p.rows} ligne(s) lues, ${p.bytes} octet(s)` })),
    // Every attempt failed (storage or database away): the version says so instead of analysing forever.
    cleanup: async (job) => {
      const id = (job.payload as { versionId?: string }).versionId;
      if (id) await failAnalysis(id, 'L’analyse n’a pas pu aboutir (erreur technique répétée) : déposez le fichier à nouveau.').catch(() => undefined);
    },
  });

  // ---- downloads --------------------------------------------------------------------------------

  /** The version a stable resource URL serves (the published one), public. */
  async function resolvePublished(datasetSlug: string, resourceSlug: string) {
    const d = await dataset(datasetSlug);
    if (!isPublicDataset(d)) throw new NotFoundError('Jeu de données introuvable.');
    const [r] = await ctx.db
      .select()
      .from(opendataResources)
      .where(and(eq(opendataResources.datasetId, d.id), eq(opendataResources.slug, resourceSlug)));
    if (!r) throw new NotFoundError('Ressource introuvable.');
    if (!r.publishedVersionId) throw new NotFoundError('Cette ressource n’a pas de version publiée.');
    return { dataset: d, resource: r, version: await versionRow(r.publishedVersionId) };
  }

  /** A given version: public once published (superseded ones stay downloadable); editors see every analysed one. */
  async function resolveVersion(c: Caller, versionId: string) {
    const v = await versionRow(versionId);
    const r = await resourceRow(v.resourceId);
    const d = await datasetOf(r);
    const editor = canEdit(c, d);
    if (!editor && !(isPublicDataset(d) && PUBLIC_STATES.includes(v.state))) throw new NotFoundError('Version introuvable.');
    return { dataset: d, resource: r, version: v, editor };
  }

  // ---- DCAT -------------------------------------------------------------------------------------

  /** Published resources of these datasets, as DCAT distributions (the catalogue's export asks). */
  async function distributions(datasetIds: string[]) {
    const out = new Map<
      string,
      {
        title: string;
        downloadUrl: string;
        accessUrl: string;
        format: string | null;
        mediaType: string | null;
        size: number | null;
        sha256: string | null;
        schemaUrl: string | null;
        schemaName: string | null;
        issued: Date | null;
      }[]
    >();
    if (!datasetIds.length) return out;
    const rows = await ctx.db
      .select({ r: opendataResources, v: opendataVersions, source: opendataSchemas.source })
      .from(opendataResources)
      .innerJoin(opendataVersions, eq(opendataVersions.id, opendataResources.publishedVersionId))
      .leftJoin(opendataSchemas, eq(opendataSchemas.id, opendataVersions.schemaId))
      .where(inArray(opendataResources.datasetId, datasetIds))
      .orderBy(asc(opendataResources.createdAt));
    const slugs = new Map<string, string>();
    for (const { r, v, source } of rows) {
      let slug = slugs.get(r.datasetId);
      if (!slug) {
        slug = (await catalog.getAssetById(r.datasetId))?.slug ?? '';
        slugs.set(r.datasetId, slug);
      }
      // A schema.data.gouv.fr schema by its page there (as the catalogue writes it), a ministry one by its address here.
      const enc = (x: string) => x.split('/').map(encodeURIComponent).join('/');
      const schemaUrl = !v.schemaName
        ? null
        : source === 'reference'
          ? `https://schema.data.gouv.fr/${enc(v.schemaName)}/${v.schemaVersion ? `${encodeURIComponent(v.schemaVersion)}/` : ''}`
          : `${ctx.env.publicUrl}/api/opendata/schemas/${v.schemaId}`;
      const list = out.get(r.datasetId) ?? [];
      list.push({
        title: r.title,
        downloadUrl: `${ctx.env.publicUrl}${base}/datasets/${encodeURIComponent(slug)}/resources/${encodeURIComponent(r.slug)}/download`,
        accessUrl: `${ctx.env.publicUrl}/donnees-ouvertes/jeux/${encodeURIComponent(slug)}`,
        format: v.format,
        mediaType: v.format === 'csv' ? 'text/csv' : (v.mediaType ?? null),
        size: v.bytes,
        sha256: v.sha256,
        schemaUrl,
        schemaName: v.schemaName ? `${v.schemaName}${v.schemaVersion ? `@${v.schemaVersion}` : ''}` : null,
        issued: v.publishedAt,
      });
      out.set(r.datasetId, list);
    }
    return out;
  }

  // ---- for the explore module ----------------------------------------------------------------------

  /**
   * Resources with a published version that the caller may read (the explore module's sources): those
   * of open datasets, and for their editors (and admins) those of datasets that are not, or no longer, open.
   */
  async function readablePublished(
    c: Caller,
    resourceIds?: string[],
  ): Promise<{ dataset: Asset; resource: ResourceRow; version: VersionRow; public: boolean }[]> {
    if (resourceIds && !resourceIds.length) return [];
    if (resourceIds?.some((id) => !/^[0-9a-f-]{36}$/i.test(id))) return [];
    const rows = await ctx.db
      .select({ resource: opendataResources, version: opendataVersions })
      .from(opendataResources)
      .innerJoin(opendataVersions, eq(opendataVersions.id, opendataResources.publishedVersionId))
      .where(resourceIds ? inArray(opendataResources.id, resourceIds) : undefined)
      .orderBy(asc(opendataResources.title));
    const datasets = new Map<string, Asset | null>();
    const out = [];
    for (const { resource, version } of rows) {
      if (version.state !== 'published') continue;
      if (!datasets.has(resource.datasetId)) datasets.set(resource.datasetId, await catalog.getAssetById(resource.datasetId));
      const d = datasets.get(resource.datasetId);
      if (!d) continue;
      const open = isPublicDataset(d);
      if (!open && !canEdit(c, d)) continue;
      out.push({ dataset: d, resource, version, public: open });
    }
    return out;
  }

  return {
    readablePublished,
    canEdit,
    canWaive,
    datasetPage,
    listPublished,
    getVersion,
    createResource,
    checkUpload,
    uploadLimit,
    uploadVersion,
    linkVersion,
    publish,
    waive,
    withdraw,
    analyse,
    resolvePublished,
    resolveVersion,
    downloadName,
    counter,
    distributions,
  };
}

export type PublicationService = ReturnType<typeof createPublicationService>;
