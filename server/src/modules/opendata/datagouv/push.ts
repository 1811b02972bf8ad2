/**
 * Push of a dataset's published files to data.gouv.fr (issue 16): a job per push, with the owner
 * organisation's API key (sealed at rest, opened in the job only), through `DatagouvClient.push()`
 * (create or update the dataset, upload or replace resources, idempotent by checksum, retried with
 * backoff — ADR 0510). The remote ids are kept for the next push.
 */
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Asset } from '@patrimoine/contracts/catalog';
import type { DatagouvPush } from '@patrimoine/contracts/opendata';
import type { AppContext } from '../../../platform/context.ts';
import type { CatalogService } from '../../catalog/index.ts';
import { recordAudit } from '../../../platform/audit/audit.repository.ts';
import { actorOf, isUser, requireUser, type Caller } from '../../../platform/auth/principal.ts';
import { ConflictError, ForbiddenError, NotFoundError, fieldError } from '../../../platform/errors.ts';
import { checkOutboundUrl } from '../../../platform/net/outbound.ts';
import { opendataDatagouvAccounts, opendataDatagouvPushes, opendataResources, opendataSchemas, opendataVersions } from '../opendata.table.ts';
import { DatagouvClient, DatagouvError, blobSource, type ResourceInput } from './client.ts';
import { createKeySealer } from './secrets.ts';

export const PUSH_JOB = 'opendata.datagouv.push';
type Meta = { ip?: string; requestId?: string };

/** udata licence id of the catalogue's licence text (undefined: left to data.gouv.fr's default). */
export function udataLicence(l: string | undefined): string | undefined {
  if (!l) return undefined;
  if (/ouverte.*2|lov2|etalab-2/i.test(l)) return 'lov2';
  if (/ouverte|fr-lo/i.test(l)) return 'fr-lo';
  if (/odbl/i.test(l)) return 'odc-odbl';
  if (/cc.?by.?sa/i.test(l)) return 'cc-by-sa';
  if (/cc.?by/i.test(l)) return 'cc-by';
  return undefined;
}
const FREQUENCIES = new Set([
  'punctual',
  'continuous',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'semiannual',
  'annual',
  'biennial',
  'irregular',
  'unknown',
]);

export function createDatagouvPush(ctx: AppContext, deps: { catalog: CatalogService; afterPush?: (datasetId: string) => Promise<unknown> }) {
  const sealer = createKeySealer(ctx.env);
  const policy = { allowPrivate: ctx.env.DATAGOUV_ALLOW_PRIVATE };

  function mayManage(c: Caller, organisationId: string | null): boolean {
    if (!isUser(c)) return false;
    return c.role === 'admin' || (c.role === 'data_admin' && !!c.organisationId && c.organisationId === organisationId);
  }
  function mayPush(c: Caller, d: Asset): boolean {
    if (!isUser(c)) return false;
    return c.role === 'admin' || ((c.role === 'data_admin' || c.role === 'editor') && !!c.organisationId && c.organisationId === d.organisationId);
  }
  const toAccount = (a: typeof opendataDatagouvAccounts.$inferSelect) => ({
    organisationId: a.organisationId,
    target: a.target,
    udataOrganization: a.udataOrganization,
    apiKeyHint: a.apiKeyHint,
    updatedBy: a.updatedBy,
    updatedAt: a.updatedAt,
  });

  async function getAccount(c: Caller, organisationId: string) {
    requireUser(c);
    if (!mayManage(c, organisationId)) throw new ForbiddenError('Seuls les administrateurs des données de l’organisation voient son compte data.gouv.fr.');
    const [a] = await ctx.db.select().from(opendataDatagouvAccounts).where(eq(opendataDatagouvAccounts.organisationId, organisationId));
    if (!a) throw new NotFoundError('Aucun compte data.gouv.fr n’est configuré pour cette organisation.');
    return toAccount(a);
  }

  async function setAccount(c: Caller, organisationId: string, body: { target: string; udataOrganization: string; apiKey: string }, meta: Meta) {
    const p = requireUser(c);
    if (!mayManage(c, organisationId)) throw new ForbiddenError('Seuls les administrateurs des données de l’organisation configurent son compte data.gouv.fr.');
    if (!(await ctx.organisations.list()).some((o) => o.id === organisationId)) throw new NotFoundError('Organisation inconnue.');
    const refused = await checkOutboundUrl(body.target, policy);
    if (refused) throw fieldError('target', `adresse refusée : ${refused}`);
    const values = {
      organisationId,
      target: body.target.replace(/\/+$/, ''),
      udataOrganization: body.udataOrganization,
      apiKeySealed: sealer.seal(body.apiKey),
      apiKeyHint: `…${body.apiKey.slice(-4)}`,
      updatedBy: p.login,
      updatedAt: ctx.clock.now(),
    };
    return ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(opendataDatagouvAccounts)
        .values(values)
        .onConflictDoUpdate({ target: opendataDatagouvAccounts.organisationId, set: values })
        .returning();
      // The key itself is never audited: its hint only.
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.datagouv.account',
        entityType: 'organisation',
        entityId: organisationId,
        after: { target: values.target, udataOrganization: values.udataOrganization, apiKeyHint: values.apiKeyHint },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return toAccount(row!);
    });
  }

  async function datasetBySlug(slug: string) {
    const d = await deps.catalog.getAsset('dataset', slug);
    if (!d) throw new NotFoundError('Jeu de données introuvable dans le catalogue.');
    return d;
  }

  const toPush = (r: typeof opendataDatagouvPushes.$inferSelect): DatagouvPush => ({ ...r, result: r.result ?? null });

  async function status(c: Caller, slug: string): Promise<DatagouvPush> {
    const d = await datasetBySlug(slug);
    requireUser(c);
    if (!mayPush(c, d)) throw new ForbiddenError('Seuls les éditeurs et administrateurs des données de l’organisation productrice voient ses envois.');
    const [r] = await ctx.db.select().from(opendataDatagouvPushes).where(eq(opendataDatagouvPushes.datasetId, d.id));
    if (!r) throw new NotFoundError('Ce jeu de données n’a jamais été envoyé sur data.gouv.fr.');
    return toPush(r);
  }

  /** Queues a push of the dataset's published files (one at a time per dataset). */
  async function request(c: Caller, slug: string, meta: Meta): Promise<DatagouvPush> {
    const p = requireUser(c);
    const d = await datasetBySlug(slug);
    if (!mayPush(c, d))
      throw new ForbiddenError('Seuls les éditeurs et administrateurs des données de l’organisation productrice envoient ses fichiers sur data.gouv.fr.');
    if (d.openness !== 'ouvert' || d.personalData)
      throw new ConflictError('Seul un jeu de données « ouvert » sans données personnelles est envoyé sur data.gouv.fr.');
    if (!d.organisationId) throw new ConflictError('Le jeu de données n’a pas d’organisation propriétaire.');
    const [account] = await ctx.db.select().from(opendataDatagouvAccounts).where(eq(opendataDatagouvAccounts.organisationId, d.organisationId));
    if (!account)
      throw new ConflictError(
        'Aucun compte data.gouv.fr n’est configuré pour l’organisation productrice : un administrateur des données doit saisir sa clé d’API.',
      );
    const published = await ctx.db
      .select({ id: opendataResources.id })
      .from(opendataResources)
      .where(and(eq(opendataResources.datasetId, d.id), isNotNull(opendataResources.publishedVersionId)));
    if (!published.length) throw new ConflictError('Ce jeu de données n’a aucune version publiée à envoyer.');
    const row = await ctx.db.transaction(async (tx) => {
      const [cur] = await tx.select().from(opendataDatagouvPushes).where(eq(opendataDatagouvPushes.datasetId, d.id)).for('update');
      if (cur && (cur.state === 'queued' || cur.state === 'running')) throw new ConflictError('Un envoi de ce jeu de données est déjà en cours.');
      const job = await ctx.jobs.enqueue(PUSH_JOB, { datasetId: d.id }, { ownerId: p.userId, tx: tx as never });
      // Remote ids belong to a target: another target starts afresh.
      const keep = cur && cur.target === account.target;
      const values = {
        datasetId: d.id,
        target: account.target,
        remoteId: keep ? cur.remoteId : null,
        page: keep ? cur.page : null,
        resources: keep ? cur.resources : {},
        state: 'queued' as const,
        error: null,
        result: null,
        jobId: job.id,
        requestedBy: p.login,
        updatedAt: ctx.clock.now(),
      };
      const [r] = await tx
        .insert(opendataDatagouvPushes)
        .values(values)
        .onConflictDoUpdate({ target: opendataDatagouvPushes.datasetId, set: values })
        .returning();
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.datagouv.push',
        entityType: 'catalog_asset',
        entityId: d.id,
        after: { target: account.target, remoteId: values.remoteId },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return r!;
    });
    ctx.jobs.notify();
    return toPush(row);
  }

  async function run(datasetId: string, progress: (done: number, total: number, message: string) => Promise<void>) {
    const d = await deps.catalog.getAssetById(datasetId);
    const set = (v: Partial<typeof opendataDatagouvPushes.$inferInsert>) =>
      ctx.db
        .update(opendataDatagouvPushes)
        .set({ ...v, updatedAt: ctx.clock.now() })
        .where(eq(opendataDatagouvPushes.datasetId, datasetId));
    const fail = async (message: string) => {
      await set({ state: 'failed', error: message });
      return { state: 'failed', error: message };
    };
    if (!d || !d.organisationId) return fail('Le jeu de données n’existe plus dans le catalogue.');
    const [push] = await ctx.db.select().from(opendataDatagouvPushes).where(eq(opendataDatagouvPushes.datasetId, datasetId));
    const [account] = await ctx.db.select().from(opendataDatagouvAccounts).where(eq(opendataDatagouvAccounts.organisationId, d.organisationId));
    if (!push) return { skipped: true };
    if (!account) return fail('Le compte data.gouv.fr de l’organisation a été supprimé.');
    await set({ state: 'running', error: null });
    const rows = await ctx.db
      .select({ r: opendataResources, v: opendataVersions, source: opendataSchemas.source })
      .from(opendataResources)
      .innerJoin(opendataVersions, eq(opendataVersions.id, opendataResources.publishedVersionId))
      .leftJoin(opendataSchemas, eq(opendataSchemas.id, opendataVersions.schemaId))
      .where(inArray(opendataResources.datasetId, [datasetId]));
    if (!rows.length) return fail('Aucune version publiée à envoyer.');
    const resources: ResourceInput[] = rows.map(({ r, v, source }) => ({
      localId: r.id,
      remoteId: push.resources[r.id] ?? null,
      title: r.title,
      description: r.description || undefined,
      type: 'main',
      filename: `${r.slug}.${v.format ?? 'csv'}`,
      size: v.bytes ?? 0,
      sha256: v.sha256 ?? '',
      // data.gouv.fr knows schema.data.gouv.fr's schemas only.
      schema: source === 'reference' && v.schemaName ? { name: v.schemaName, ...(v.schemaVersion ? { version: v.schemaVersion } : {}) } : null,
      open: blobSource(ctx.blobs, v.blobKey),
    }));
    const spec = d.spec as { licence?: string; frequency?: string };
    const client = new DatagouvClient({ baseUrl: account.target, apiKey: sealer.open(account.apiKeySealed), policy });
    try {
      await progress(0, resources.length, 'Envoi vers data.gouv.fr');
      const out = await client.push({
        remoteId: push.remoteId,
        dataset: {
          title: d.title,
          description: d.description.trim() || d.title,
          organization: account.udataOrganization,
          license: udataLicence(spec.licence),
          frequency: spec.frequency && FREQUENCIES.has(spec.frequency) ? spec.frequency : undefined,
          tags: d.tags.map((t) => t.toLowerCase().replace(/[^a-z0-9à-ÿ-]+/g, '-')).filter((t) => t.length >= 3),
        },
        resources,
      });
      const map = { ...push.resources };
      for (const x of out.resources) map[x.localId] = x.remoteId;
      const result = {
        dataset: out.dataset,
        resources: out.resources.map((x) => ({ localId: x.localId, remoteId: x.remoteId, action: x.action })),
        requests: out.requests,
      };
      await set({ state: 'succeeded', remoteId: out.datasetId, page: out.page, resources: map, result, error: null });
      await progress(resources.length, resources.length, 'Envoyé');
      // Reuses and discussions: a failure there does not make the push fail (the import can be asked again).
      if (deps.afterPush)
        await deps.afterPush(datasetId).catch((err: unknown) => ctx.logger.warn({ err, datasetId }, 'opendata: reuses and discussions not imported'));
      return result;
    } catch (e) {
      // Keep what is known: a dataset created before a failure is updated by the next push.
      if (e instanceof DatagouvError) return fail(e.message);
      throw e;
    } finally {
      await client.close();
    }
  }

  ctx.jobs.register<{ datasetId: string }, unknown, never>(PUSH_JOB, {
    maxAttempts: 3,
    retentionMs: 30 * 24 * 3600_000,
    run: (j) => run(j.payload.datasetId, (done, total, message) => j.progress({ done, total, message })),
    cleanup: async (job) => {
      const id = (job.payload as { datasetId?: string }).datasetId;
      if (id)
        await ctx.db
          .update(opendataDatagouvPushes)
          .set({ state: 'failed', error: 'L’envoi n’a pas pu aboutir (erreur technique répétée) : réessayez plus tard.', updatedAt: ctx.clock.now() })
          .where(eq(opendataDatagouvPushes.datasetId, id))
          .catch(() => undefined);
    },
  });

  return { getAccount, setAccount, status, request, run };
}

export type DatagouvPushService = ReturnType<typeof createDatagouvPush>;
