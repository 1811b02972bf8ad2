/**
 * Reuses and discussions of open datasets (A01): reuses (title, URL, type, author) declared by
 * signed-in users, public questions answered by the producer's editors, and both imported from
 * data.gouv.fr for pushed datasets (udata's `GET /api/1/reuses/?dataset=` and
 * `GET /api/1/discussions/?for=`, through the push's client and the organisation's key). Every URL
 * kept is checked against the outbound policy after resolution (public addresses only).
 */
import { and, asc, desc, eq, inArray, sql, type AnyColumn } from 'drizzle-orm';
import type { Asset } from '@patrimoine/contracts/catalog';
import { reuseTypes, type Community, type CommunityImport, type Discussion, type Reuse, type ReuseType } from '@patrimoine/contracts/opendata';
import type { AppContext } from '../../../platform/context.ts';
import type { CatalogService } from '../../catalog/index.ts';
import { recordAudit } from '../../../platform/audit/audit.repository.ts';
import { actorOf, isUser, requireUser, type Caller } from '../../../platform/auth/principal.ts';
import { ConflictError, ForbiddenError, NotFoundError, fieldError } from '../../../platform/errors.ts';
import { checkOutboundUrl, type OutboundPolicy } from '../../../platform/net/outbound.ts';
import type { Db } from '../../../db/client.ts';
import { opendataDatagouvAccounts, opendataDatagouvPushes, opendataDiscussionMessages, opendataDiscussions, opendataReuses } from '../opendata.table.ts';
import { DatagouvClient, DatagouvError, type UdataDiscussion, type UdataOrgRef, type UdataReuse, type UdataUserRef } from '../datagouv/client.ts';
import { createKeySealer } from '../datagouv/secrets.ts';

type Meta = { ip?: string; requestId?: string };
type ReuseRow = typeof opendataReuses.$inferSelect;
type DiscussionRow = typeof opendataDiscussions.$inferSelect;
type MessageRow = typeof opendataDiscussionMessages.$inferSelect;

/** At most this many reuses and discussions per dataset (import and display). */
export const MAX_COMMUNITY_ITEMS = 500;
const MAX_TEXT = 5000;

const nameOf = (u: UdataUserRef | null | undefined) => [u?.first_name, u?.last_name].filter(Boolean).join(' ').trim();
const orgName = (o: UdataOrgRef | null | undefined) => (o?.name ?? '').trim();
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const validDate = (s: string | null | undefined): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};
async function countOf(db: Db, table: typeof opendataReuses | typeof opendataDiscussions, column: AnyColumn, datasetId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(eq(column, datasetId));
  return Number(r?.n ?? 0);
}
/** A remote page kept only when it is an http(s) address (never `javascript:`…). */
const httpOnly = (s: string | null | undefined) => (s && /^https?:\/\/\S+$/i.test(s) && s.length <= 2000 ? s : null);

export function createCommunityService(
  ctx: AppContext,
  deps: {
    catalog: CatalogService;
    canEdit(c: Caller, d: Pick<Asset, 'organisationId'>): boolean;
    /** Outbound policy for reuse URLs (tests: a reuse on a loopback address is refused like any private one). */
    policy?: OutboundPolicy;
  },
) {
  const { catalog } = deps;
  const policy: OutboundPolicy = deps.policy ?? { allowPrivate: false };
  const sealer = createKeySealer(ctx.env);

  async function dataset(slug: string): Promise<Asset> {
    const d = await catalog.getAsset('dataset', slug);
    if (!d) throw new NotFoundError('Jeu de données introuvable dans le catalogue.');
    return d;
  }
  const isPublic = (d: Asset) => d.openness === 'ouvert' && !d.personalData;
  /** The dataset as the caller may see it: open ones for everyone, the others for their editors only. */
  async function visible(c: Caller, slug: string): Promise<Asset> {
    const d = await dataset(slug);
    if (!isPublic(d) && !deps.canEdit(c, d)) throw new NotFoundError('Jeu de données introuvable.');
    return d;
  }
  function requireModerator(c: Caller, d: Asset): void {
    requireUser(c);
    if (!deps.canEdit(c, d))
      throw new ForbiddenError(
        'Seuls les éditeurs et administrateurs des données de l’organisation productrice répondent aux questions et gèrent les réutilisations.',
      );
  }

  const toReuse = (r: ReuseRow): Reuse => ({
    id: r.id,
    datasetId: r.datasetId,
    title: r.title,
    url: r.url,
    type: r.type,
    author: r.author,
    source: r.source,
    remotePage: r.remotePage,
    createdBy: r.source === 'local' ? r.createdBy : null,
    createdAt: r.createdAt,
  });
  const toDiscussion = (d: DiscussionRow, messages: MessageRow[]): Discussion => ({
    id: d.id,
    datasetId: d.datasetId,
    title: d.title,
    author: d.author,
    source: d.source,
    remotePage: d.remotePage,
    answered: d.answered,
    closedAt: d.closedAt,
    createdAt: d.createdAt,
    messages: messages.map((m) => ({ id: m.id, body: m.body, author: m.author, producer: m.producer, postedAt: m.createdAt })),
  });

  async function discussionsOf(datasetId: string, db: Db = ctx.db): Promise<Discussion[]> {
    const ds = await db
      .select()
      .from(opendataDiscussions)
      .where(eq(opendataDiscussions.datasetId, datasetId))
      .orderBy(desc(opendataDiscussions.createdAt))
      .limit(MAX_COMMUNITY_ITEMS);
    if (!ds.length) return [];
    const ms = await db
      .select()
      .from(opendataDiscussionMessages)
      .where(
        inArray(
          opendataDiscussionMessages.discussionId,
          ds.map((d) => d.id),
        ),
      )
      .orderBy(asc(opendataDiscussionMessages.position));
    return ds.map((d) =>
      toDiscussion(
        d,
        ms.filter((m) => m.discussionId === d.id),
      ),
    );
  }

  /** Reuses and discussions of a dataset (public for open datasets), with the last import from data.gouv.fr. */
  async function community(c: Caller, slug: string): Promise<Community> {
    const d = await visible(c, slug);
    const reuses = await ctx.db
      .select()
      .from(opendataReuses)
      .where(eq(opendataReuses.datasetId, d.id))
      .orderBy(desc(opendataReuses.createdAt))
      .limit(MAX_COMMUNITY_ITEMS);
    const [push] = await ctx.db.select().from(opendataDatagouvPushes).where(eq(opendataDatagouvPushes.datasetId, d.id));
    return {
      reuses: reuses.map(toReuse),
      discussions: await discussionsOf(d.id),
      canModerate: deps.canEdit(c, d) && isUser(c),
      remotePage: push?.remoteId ? httpOnly(push.page) : null,
      // jsonb gives the date back as a string.
      lastImport: push?.communityImport ? { ...push.communityImport, at: new Date(push.communityImport.at) } : null,
    };
  }

  async function checkUrl(url: string, field = 'url'): Promise<void> {
    const refused = await checkOutboundUrl(url, policy, { allowQuery: true });
    if (refused) throw fieldError(field, `adresse refusée : ${refused}`);
  }

  /** A signed-in user declares a reuse of an open dataset; its URL must be a public http(s) address. */
  async function addReuse(c: Caller, slug: string, body: { title: string; url: string; type: ReuseType; author: string }, meta: Meta): Promise<Reuse> {
    const p = requireUser(c);
    const d = await visible(c, slug);
    if (!isPublic(d)) throw new ConflictError('Seul un jeu de données ouvert peut être réutilisé.');
    await checkUrl(body.url);
    return ctx.db.transaction(async (tx) => {
      if ((await countOf(tx as never, opendataReuses, opendataReuses.datasetId, d.id)) >= MAX_COMMUNITY_ITEMS)
        throw new ConflictError(`Ce jeu de données a déjà ${MAX_COMMUNITY_ITEMS} réutilisations.`);
      const [dup] = await tx
        .select({ id: opendataReuses.id })
        .from(opendataReuses)
        .where(and(eq(opendataReuses.datasetId, d.id), eq(opendataReuses.url, body.url)));
      if (dup) throw fieldError('url', 'cette réutilisation est déjà déclarée pour ce jeu de données');
      const [row] = await tx
        .insert(opendataReuses)
        .values({
          datasetId: d.id,
          title: body.title,
          url: body.url,
          type: body.type,
          author: body.author,
          source: 'local',
          createdBy: p.login,
          createdAt: ctx.clock.now(),
        })
        .returning();
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.reuse.create',
        entityType: 'opendata_reuse',
        entityId: row!.id,
        after: { dataset: d.slug, title: body.title, url: body.url, type: body.type, author: body.author },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return toReuse(row!);
    });
  }

  /** The producer's editors remove a reuse (a wrong link, spam); audited. */
  async function removeReuse(c: Caller, id: string, meta: Meta): Promise<void> {
    const [r] = await ctx.db.select().from(opendataReuses).where(eq(opendataReuses.id, id));
    if (!r) throw new NotFoundError('Réutilisation introuvable.');
    const d = await catalog.getAssetById(r.datasetId);
    if (!d) throw new NotFoundError('Jeu de données introuvable.');
    requireModerator(c, d);
    await ctx.db.transaction(async (tx) => {
      await tx.delete(opendataReuses).where(eq(opendataReuses.id, id));
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.reuse.delete',
        entityType: 'opendata_reuse',
        entityId: id,
        before: { dataset: d.slug, title: r.title, url: r.url, source: r.source },
        ip: meta.ip,
        requestId: meta.requestId,
      });
    });
  }

  /** A signed-in user asks a public question about an open dataset (their display name is shown). */
  async function ask(c: Caller, slug: string, body: { title: string; body: string }, meta: Meta): Promise<Discussion> {
    const p = requireUser(c);
    const d = await visible(c, slug);
    if (!isPublic(d)) throw new ConflictError('Les questions portent sur les jeux de données ouverts.');
    return ctx.db.transaction(async (tx) => {
      if ((await countOf(tx as never, opendataDiscussions, opendataDiscussions.datasetId, d.id)) >= MAX_COMMUNITY_ITEMS)
        throw new ConflictError(`Ce jeu de données a déjà ${MAX_COMMUNITY_ITEMS} discussions.`);
      const now = ctx.clock.now();
      const [row] = await tx
        .insert(opendataDiscussions)
        .values({ datasetId: d.id, title: body.title, author: p.displayName, source: 'local', createdBy: p.login, createdAt: now })
        .returning();
      await tx.insert(opendataDiscussionMessages).values({
        discussionId: row!.id,
        position: 0,
        body: body.body,
        author: p.displayName,
        producer: false,
        createdBy: p.login,
        createdAt: now,
      });
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.discussion.create',
        entityType: 'opendata_discussion',
        entityId: row!.id,
        after: { dataset: d.slug, title: body.title },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return (await discussionsOf(d.id, tx as never)).find((x) => x.id === row!.id)!;
    });
  }

  /**
   * The producer answers a question asked here (an imported one is answered on data.gouv.fr). The
   * answer is signed by the organisation, not by the agent.
   */
  async function answer(c: Caller, id: string, body: { body: string; close?: boolean }, meta: Meta): Promise<Discussion> {
    const [disc] = await ctx.db.select().from(opendataDiscussions).where(eq(opendataDiscussions.id, id));
    if (!disc) throw new NotFoundError('Discussion introuvable.');
    const d = await catalog.getAssetById(disc.datasetId);
    if (!d) throw new NotFoundError('Jeu de données introuvable.');
    requireModerator(c, d);
    const p = requireUser(c);
    if (disc.source === 'datagouv') throw new ConflictError('Cette discussion vient de data.gouv.fr : répondez-y sur data.gouv.fr, la réponse sera importée.');
    if (disc.closedAt) throw new ConflictError('Cette discussion est close.');
    return ctx.db.transaction(async (tx) => {
      const cur = await tx.select().from(opendataDiscussionMessages).where(eq(opendataDiscussionMessages.discussionId, id));
      if (cur.length >= 200) throw new ConflictError('Cette discussion a atteint 200 messages.');
      const now = ctx.clock.now();
      await tx.insert(opendataDiscussionMessages).values({
        discussionId: id,
        position: Math.max(...cur.map((m) => m.position)) + 1,
        body: body.body,
        author: `Producteur (${d.ownerName ?? d.owner ?? 'organisation productrice'})`,
        producer: true,
        createdBy: p.login,
        createdAt: now,
      });
      await tx
        .update(opendataDiscussions)
        .set({ answered: true, ...(body.close ? { closedAt: now } : {}) })
        .where(eq(opendataDiscussions.id, id));
      await recordAudit(tx as never, {
        actor: actorOf(c),
        action: 'opendata.discussion.answer',
        entityType: 'opendata_discussion',
        entityId: id,
        after: { dataset: d.slug, close: !!body.close },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      return (await discussionsOf(d.id, tx as never)).find((x) => x.id === id)!;
    });
  }

  /**
   * Imports the reuses and discussions of a pushed dataset from data.gouv.fr: new ones are added,
   * known ones (by remote id) updated; a reuse whose URL the outbound policy refuses is skipped with
   * a note. Reuses and discussions removed on data.gouv.fr are removed here too.
   */
  async function importFromDatagouv(datasetId: string): Promise<CommunityImport> {
    const d = await catalog.getAssetById(datasetId);
    if (!d?.organisationId) throw new NotFoundError('Jeu de données introuvable.');
    const [push] = await ctx.db.select().from(opendataDatagouvPushes).where(eq(opendataDatagouvPushes.datasetId, datasetId));
    if (!push?.remoteId) throw new ConflictError('Ce jeu de données n’a pas encore été envoyé sur data.gouv.fr.');
    const [account] = await ctx.db.select().from(opendataDatagouvAccounts).where(eq(opendataDatagouvAccounts.organisationId, d.organisationId));
    if (!account) throw new ConflictError('Aucun compte data.gouv.fr n’est configuré pour l’organisation productrice.');
    if (account.target !== push.target)
      throw new ConflictError('Le compte data.gouv.fr a changé de cible depuis le dernier envoi : envoyez le jeu de données à nouveau.');
    const client = new DatagouvClient({
      baseUrl: account.target,
      apiKey: sealer.open(account.apiKeySealed),
      policy: { allowPrivate: ctx.env.DATAGOUV_ALLOW_PRIVATE },
    });
    let remoteReuses: UdataReuse[];
    let remoteDiscussions: UdataDiscussion[];
    try {
      remoteReuses = (await client.listReuses(push.remoteId)).items.slice(0, MAX_COMMUNITY_ITEMS);
      remoteDiscussions = (await client.listDiscussions(push.remoteId)).items.slice(0, MAX_COMMUNITY_ITEMS);
    } catch (e) {
      if (e instanceof DatagouvError) throw new ConflictError(`Import depuis data.gouv.fr impossible : ${e.message}`);
      throw e;
    } finally {
      await client.close();
    }
    const notes: string[] = [];
    const reuses: (typeof opendataReuses.$inferInsert)[] = [];
    for (const r of remoteReuses) {
      if (!r || typeof r.id !== 'string' || typeof r.url !== 'string' || typeof r.title !== 'string') continue;
      const refused =
        /^https?:\/\/\S+$/i.test(r.url) && r.url.length <= 2000
          ? await checkOutboundUrl(r.url, policy, { allowQuery: true })
          : 'seuls http et https sont acceptés';
      if (refused) {
        if (notes.length < 20) notes.push(`Réutilisation « ${clip(r.title, 80)} » ignorée : adresse refusée (${refused}).`);
        continue;
      }
      reuses.push({
        datasetId,
        title: clip(r.title.trim() || r.url, 200),
        url: r.url,
        type: (reuseTypes as readonly string[]).includes(r.type) ? (r.type as ReuseType) : 'application',
        author: clip(orgName(r.organization) || nameOf(r.owner) || 'Réutilisateur de data.gouv.fr', 200),
        source: 'datagouv',
        remoteId: clip(r.id, 100),
        remotePage: httpOnly(r.page),
        createdAt: validDate(r.created_at) ?? ctx.clock.now(),
      });
    }
    const skipped = remoteReuses.length - reuses.length;
    const now = ctx.clock.now();
    const result = await ctx.db.transaction(async (tx) => {
      const known = await tx
        .select({ id: opendataReuses.id, remoteId: opendataReuses.remoteId })
        .from(opendataReuses)
        .where(and(eq(opendataReuses.datasetId, datasetId), eq(opendataReuses.source, 'datagouv')));
      const knownIds = new Set(known.map((k) => k.remoteId));
      let added = 0;
      for (const r of reuses) {
        if (!knownIds.has(r.remoteId!)) added++;
        await tx
          .insert(opendataReuses)
          .values(r)
          .onConflictDoUpdate({
            target: [opendataReuses.datasetId, opendataReuses.remoteId],
            set: { title: r.title, url: r.url, type: r.type, author: r.author, remotePage: r.remotePage },
          });
      }
      const keep = new Set(reuses.map((r) => r.remoteId));
      const gone = known.filter((k) => !keep.has(k.remoteId)).map((k) => k.id);
      if (gone.length) await tx.delete(opendataReuses).where(inArray(opendataReuses.id, gone));

      const knownD = await tx
        .select({ id: opendataDiscussions.id, remoteId: opendataDiscussions.remoteId })
        .from(opendataDiscussions)
        .where(and(eq(opendataDiscussions.datasetId, datasetId), eq(opendataDiscussions.source, 'datagouv')));
      const byRemote = new Map(knownD.map((k) => [k.remoteId, k.id]));
      let dAdded = 0;
      let dUpdated = 0;
      const seen = new Set<string>();
      for (const x of remoteDiscussions) {
        if (!x || typeof x.id !== 'string' || !Array.isArray(x.discussion) || !x.discussion.length) continue;
        const remoteId = clip(x.id, 100);
        seen.add(remoteId);
        const messages = x.discussion.slice(0, 200).map((m, i) => {
          const producer = !!m.posted_by_organization?.id && m.posted_by_organization.id === account.udataOrganization;
          return {
            position: i,
            body: clip(String(m.content ?? ''), MAX_TEXT),
            author: clip(
              producer ? `Producteur (${orgName(m.posted_by_organization) || d.ownerName || d.owner})` : nameOf(m.posted_by) || 'Utilisateur de data.gouv.fr',
              200,
            ),
            producer,
            createdAt: validDate(m.posted_on) ?? now,
          };
        });
        const values = {
          datasetId,
          title: clip(String(x.title ?? '').trim() || 'Discussion', 200),
          author: clip(nameOf(x.user) || orgName(x.organization) || 'Utilisateur de data.gouv.fr', 200),
          source: 'datagouv' as const,
          remoteId,
          remotePage: push.page ? httpOnly(`${push.page.replace(/\/?$/, '/')}#/discussions/${encodeURIComponent(x.id)}`) : null,
          answered: messages.some((m) => m.producer),
          closedAt: validDate(x.closed),
          createdAt: validDate(x.created) ?? now,
        };
        let id = byRemote.get(remoteId);
        if (id) {
          dUpdated++;
          await tx.update(opendataDiscussions).set(values).where(eq(opendataDiscussions.id, id));
          await tx.delete(opendataDiscussionMessages).where(eq(opendataDiscussionMessages.discussionId, id));
        } else {
          dAdded++;
          id = (await tx.insert(opendataDiscussions).values(values).returning({ id: opendataDiscussions.id }))[0]!.id;
        }
        await tx.insert(opendataDiscussionMessages).values(messages.map((m) => ({ ...m, discussionId: id! })));
      }
      const goneD = knownD.filter((k) => !seen.has(k.remoteId!)).map((k) => k.id);
      if (goneD.length) await tx.delete(opendataDiscussions).where(inArray(opendataDiscussions.id, goneD));
      const out: CommunityImport = {
        at: now,
        reuses: { added, updated: reuses.length - added, skipped },
        discussions: { added: dAdded, updated: dUpdated },
        notes,
      };
      await tx.update(opendataDatagouvPushes).set({ communityImport: out }).where(eq(opendataDatagouvPushes.datasetId, datasetId));
      return out;
    });
    return result;
  }

  /** An editor asks for the import of a pushed dataset's reuses and discussions (audited). */
  async function requestImport(c: Caller, slug: string, meta: Meta): Promise<CommunityImport> {
    const d = await dataset(slug);
    requireModerator(c, d);
    const out = await importFromDatagouv(d.id);
    await recordAudit(ctx.db as never, {
      actor: actorOf(c),
      action: 'opendata.community.import',
      entityType: 'catalog_asset',
      entityId: d.id,
      after: { reuses: out.reuses, discussions: out.discussions },
      ip: meta.ip,
      requestId: meta.requestId,
    });
    return out;
  }

  return { community, addReuse, removeReuse, ask, answer, importFromDatagouv, requestImport };
}

export type CommunityService = ReturnType<typeof createCommunityService>;
