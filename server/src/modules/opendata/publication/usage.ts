/**
 * Usage indicators of open data (A64): downloads of the published files (per resource and day,
 * `opendata_downloads`) and calls of the gateway's APIs linked to the datasets in the catalogue (an
 * `api` asset that exposes or uses the dataset, published on the gateway with that asset), as
 * dashboards for a dataset, an organisation or the ministry, a monthly file, and the roadmap's A64
 * action fed from them (ADR 0512).
 */
import { and, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Asset } from '@patrimoine/contracts/catalog';
import type { MonthlyUsage, UsageReport } from '@patrimoine/contracts/opendata';
import type { AppContext, ModuleServices } from '../../../platform/context.ts';
import type { CatalogService } from '../../catalog/index.ts';
import { requireUser, SYSTEM, type Caller } from '../../../platform/auth/principal.ts';
import { ForbiddenError, NotFoundError, fieldError } from '../../../platform/errors.ts';
import { opendataDiscussions, opendataDownloads, opendataResources, opendataReuses } from '../opendata.table.ts';

/** The roadmap whose A64 action the indicators feed (the reference roadmap, as for governance's feeds). */
export const USAGE_ROADMAP = 'dac-2021-2023';
export const USAGE_ACTION = 'A64';
/** Relations through which an API serves a dataset. */
const API_RELATIONS = ['exposes', 'uses', 'dependsOn'] as const;

const DAY = 86400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

interface LinkedApi {
  apiId: string;
  slug: string;
  name: string;
  datasetIds: string[];
}

export function createUsage(ctx: AppContext, deps: { catalog: CatalogService; services: () => Partial<ModuleServices> }) {
  const { catalog } = deps;

  /** The gateway's APIs that serve catalogue datasets, with those datasets (none without the gateway). */
  async function linkedApis(): Promise<LinkedApi[]> {
    const gw = deps.services().gateway;
    if (!gw) return [];
    const apis = (await gw.service.listApis(SYSTEM)).filter((a) => a.catalogAssetId);
    if (!apis.length) return [];
    const assetIds = [...new Set(apis.map((a) => a.catalogAssetId!))];
    const rels = await catalog.relationsOf(assetIds, [...API_RELATIONS]);
    const datasetsOf = new Map<string, Set<string>>();
    for (const r of rels) {
      if (!assetIds.includes(r.fromId)) continue;
      const set = datasetsOf.get(r.fromId) ?? new Set<string>();
      set.add(r.toId);
      datasetsOf.set(r.fromId, set);
    }
    const out: LinkedApi[] = [];
    for (const a of apis) {
      const ids = [...(datasetsOf.get(a.catalogAssetId!) ?? [])];
      if (ids.length) out.push({ apiId: a.id, slug: a.slug, name: a.name, datasetIds: ids });
    }
    return out;
  }

  /** Calls per API and UTC day over [from, to] (the gateway's day rollups). */
  async function callsByDay(apiIds: string[], from: string, to: string): Promise<Map<string, Map<string, number>>> {
    const gw = deps.services().gateway;
    const out = new Map<string, Map<string, number>>();
    if (!gw) return out;
    for (const apiId of apiIds) {
      const u = await gw.service.usage(SYSTEM, {
        apiId,
        granularity: 'day',
        from: new Date(`${from}T00:00:00Z`),
        to: new Date(Date.parse(`${to}T00:00:00Z`) + DAY),
      });
      const days = new Map<string, number>();
      for (const r of u.rows) days.set(isoDay(r.bucket.getTime()), (days.get(isoDay(r.bucket.getTime())) ?? 0) + Number(r.calls));
      out.set(apiId, days);
    }
    return out;
  }

  /** The organisation the caller may see (admin: the one asked, or the ministry), as a code. */
  async function scopeOf(c: Caller, organisation: string | undefined): Promise<string | null> {
    if (c.kind === 'system') return organisation?.toUpperCase() ?? null;
    const p = requireUser(c);
    const asked = organisation?.toUpperCase() || null;
    if (p.role === 'admin') return asked;
    if (!p.organisationId) throw new ForbiddenError('Votre compte n’est rattaché à aucune organisation.');
    const own = (await ctx.organisations.list()).find((o) => o.id === p.organisationId);
    if (asked && asked !== own?.code.toUpperCase()) throw new ForbiddenError('Vous ne voyez que les indicateurs de votre organisation.');
    return own?.code.toUpperCase() ?? null;
  }

  function period(q: { from?: string; to?: string }) {
    const today = ctx.clock.now().toISOString().slice(0, 10);
    const to = q.to ?? today;
    const from = q.from ?? isoDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY);
    if (from > to) throw fieldError('from', 'la date de début doit précéder la date de fin');
    if (Date.parse(to) - Date.parse(from) > 366 * DAY) throw fieldError('from', 'période d’un an au plus');
    return { from, to };
  }

  /** Downloads and API calls over [from, to], per day, resource, dataset and organisation, within a scope. */
  async function compute(from: string, to: string, scope: { organisation: string | null; dataset: Asset | null }): Promise<UsageReport> {
    const rows = await ctx.db
      .select({ resourceId: opendataDownloads.resourceId, day: opendataDownloads.day, count: opendataDownloads.count })
      .from(opendataDownloads)
      .where(and(gte(opendataDownloads.day, from), lte(opendataDownloads.day, to)));
    const resources = rows.length
      ? await ctx.db
          .select()
          .from(opendataResources)
          .where(inArray(opendataResources.id, [...new Set(rows.map((r) => r.resourceId))]))
      : [];
    const assets = new Map<string, Asset | null>();
    const assetOf = async (id: string) => {
      if (!assets.has(id)) assets.set(id, await catalog.getAssetById(id));
      return assets.get(id) ?? null;
    };
    const inScope = (d: Asset | null): d is Asset =>
      !!d && d.kind === 'dataset' && (!scope.dataset || d.id === scope.dataset.id) && (!scope.organisation || d.owner?.toUpperCase() === scope.organisation);

    const byResource = new Map<string, UsageReport['resources'][number]>();
    const byDataset = new Map<string, UsageReport['datasets'][number]>();
    const byDay = new Map<string, { downloads: number; apiCalls: number }>();
    const byOrg = new Map<string | null, { downloads: number; apiCalls: number }>();
    const datasetEntry = (d: Asset) => {
      let e = byDataset.get(d.id);
      if (!e) {
        e = { dataset: d.slug, datasetTitle: d.title, organisation: d.owner, downloads: 0, apiCalls: 0, apis: [] };
        byDataset.set(d.id, e);
      }
      return e;
    };
    const add = <K>(m: Map<K, { downloads: number; apiCalls: number }>, k: K, f: 'downloads' | 'apiCalls', n: number) => {
      const e = m.get(k) ?? { downloads: 0, apiCalls: 0 };
      e[f] += n;
      m.set(k, e);
    };
    for (const row of rows) {
      const r = resources.find((x) => x.id === row.resourceId);
      const d = r ? await assetOf(r.datasetId) : null;
      if (!r || !inScope(d)) continue;
      const e = byResource.get(r.id) ?? { resourceId: r.id, dataset: d.slug, datasetTitle: d.title, resource: r.title, organisation: d.owner, downloads: 0 };
      e.downloads += row.count;
      byResource.set(r.id, e);
      datasetEntry(d).downloads += row.count;
      add(byDay, row.day, 'downloads', row.count);
      add(byOrg, d.owner, 'downloads', row.count);
    }

    // API calls: each linked API once in the totals, and for each of its datasets in scope.
    const apis = await linkedApis();
    const relevant: { api: LinkedApi; datasets: Asset[] }[] = [];
    for (const api of apis) {
      const ds: Asset[] = [];
      for (const id of api.datasetIds) {
        const d = await assetOf(id);
        if (inScope(d)) ds.push(d);
      }
      if (ds.length) relevant.push({ api, datasets: ds });
    }
    const calls = await callsByDay(
      relevant.map((x) => x.api.apiId),
      from,
      to,
    );
    let apiCalls = 0;
    for (const { api, datasets } of relevant) {
      const days = calls.get(api.apiId) ?? new Map<string, number>();
      const sum = [...days.values()].reduce((a, b) => a + b, 0);
      apiCalls += sum;
      for (const [day, n] of days) add(byDay, day, 'apiCalls', n);
      for (const owner of new Set(datasets.map((d) => d.owner))) add(byOrg, owner, 'apiCalls', sum);
      for (const d of datasets) {
        const e = datasetEntry(d);
        e.apiCalls += sum;
        e.apis.push({ slug: api.slug, name: api.name });
      }
    }

    const days: UsageReport['days'] = [];
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) {
      const day = isoDay(t);
      days.push({ day, downloads: byDay.get(day)?.downloads ?? 0, apiCalls: byDay.get(day)?.apiCalls ?? 0 });
    }
    const list = [...byResource.values()].sort((a, b) => b.downloads - a.downloads);
    return {
      from,
      to,
      scope: { organisation: scope.organisation, dataset: scope.dataset?.slug ?? null, datasetTitle: scope.dataset?.title ?? null },
      days,
      resources: list,
      datasets: [...byDataset.values()].sort(
        (a, b) => b.downloads + b.apiCalls - (a.downloads + a.apiCalls) || a.datasetTitle.localeCompare(b.datasetTitle, 'fr'),
      ),
      organisations: [...byOrg.entries()]
        .map(([organisation, v]) => ({ organisation, ...v }))
        .sort((a, b) => b.downloads + b.apiCalls - (a.downloads + a.apiCalls)),
      total: list.reduce((a, b) => a + b.downloads, 0),
      apiCalls,
    };
  }

  /** The dashboard: a dataset's (`dataset`), an organisation's, or the ministry's (admin, no organisation). */
  async function report(c: Caller, q: { from?: string; to?: string; organisation?: string; dataset?: string }): Promise<UsageReport> {
    const { from, to } = period(q);
    let organisation = await scopeOf(c, q.organisation);
    let dataset: Asset | null = null;
    if (q.dataset) {
      dataset = await catalog.getAsset('dataset', q.dataset);
      if (!dataset) throw fieldError('dataset', 'jeu de données introuvable dans le catalogue');
      if (organisation && dataset.owner?.toUpperCase() !== organisation) {
        // Someone of another organisation: not theirs to see.
        if (c.kind === 'user' && c.role !== 'admin') throw new ForbiddenError('Vous ne voyez que les indicateurs de votre organisation.');
        throw new NotFoundError('Ce jeu de données n’appartient pas à cette organisation.');
      }
      organisation = dataset.owner?.toUpperCase() ?? organisation;
    }
    return compute(from, to, { organisation, dataset });
  }

  /** The month's indicators per dataset (downloads, API calls, reuses and discussions known): the monthly file. */
  async function monthly(c: Caller, q: { month: string; organisation?: string }): Promise<MonthlyUsage> {
    const organisation = await scopeOf(c, q.organisation);
    const [y, m] = q.month.split('-').map(Number) as [number, number];
    const from = isoDay(Date.UTC(y, m - 1, 1));
    const to = isoDay(Date.UTC(y, m, 0));
    const r = await compute(from, to, { organisation, dataset: null });
    const slugs = r.datasets.map((d) => d.dataset);
    const ids = new Map<string, string>();
    for (const s of slugs) {
      const a = await catalog.getAsset('dataset', s);
      if (a) ids.set(s, a.id);
    }
    const idList = [...ids.values()];
    const end = new Date(Date.UTC(y, m, 1));
    const count = async (table: typeof opendataReuses | typeof opendataDiscussions) =>
      idList.length
        ? new Map(
            (
              await ctx.db
                .select({ id: table.datasetId, n: sql<number>`count(*)::int` })
                .from(table)
                .where(and(inArray(table.datasetId, idList), sql`${table.createdAt} < ${end.toISOString()}::timestamptz`))
                .groupBy(table.datasetId)
            ).map((x) => [x.id, Number(x.n)]),
          )
        : new Map<string, number>();
    const reuses = await count(opendataReuses);
    const discussions = await count(opendataDiscussions);
    return {
      month: q.month,
      rows: r.datasets.map((d) => ({
        month: q.month,
        organisation: d.organisation,
        dataset: d.dataset,
        datasetTitle: d.datasetTitle,
        downloads: d.downloads,
        apiCalls: d.apiCalls,
        reuses: reuses.get(ids.get(d.dataset) ?? '') ?? 0,
        discussions: discussions.get(ids.get(d.dataset) ?? '') ?? 0,
      })),
    };
  }

  /**
   * Feeds the roadmap's A64 action (ADR 0702's way): progress is the share of the catalogue's open
   * datasets whose usage is measured here (a published file or a linked API); the indicators are the
   * last 30 days' downloads and API calls. Nothing is written when nothing changed; an abandoned
   * action is left alone.
   */
  async function syncRoadmap(): Promise<boolean> {
    const roadmap = deps.services().roadmap;
    if (!roadmap) return false;
    const r = await roadmap.repo.findRoadmap(USAGE_ROADMAP);
    if (!r) return false;
    const a = await roadmap.repo.findAction(r.id, USAGE_ACTION);
    if (!a || a.status === 'abandonnee') return false;
    const open: Asset[] = [];
    for (let page = 1; page <= 50; page++) {
      const got = await catalog.listAssets({ kind: 'dataset', page, pageSize: 200 });
      open.push(...got.items.filter((d) => d.openness === 'ouvert' && !d.personalData));
      if (got.items.length < 200) break;
    }
    const published = new Set(
      (
        await ctx.db
          .select({ id: opendataResources.datasetId })
          .from(opendataResources)
          .where(sql`${opendataResources.publishedVersionId} is not null`)
      ).map((x) => x.id),
    );
    for (const api of await linkedApis()) for (const id of api.datasetIds) published.add(id);
    const measured = open.filter((d) => published.has(d.id)).length;
    const { from, to } = period({});
    const u = await compute(from, to, { organisation: null, dataset: null });
    const progress = open.length ? Math.round((100 * measured) / open.length) : 0;
    const status = progress >= 100 ? 'realisee' : progress > 0 ? 'en_cours' : 'a_lancer';
    const indicators = [
      { name: 'Jeux de données ouverts dont l’usage est mesuré', unit: 'jeux de données', target: String(open.length), value: String(measured) },
      { name: 'Téléchargements des fichiers publiés (30 derniers jours)', unit: 'téléchargements', target: '', value: String(u.total) },
      { name: 'Appels des API liées aux jeux ouverts (30 derniers jours)', unit: 'appels', target: '', value: String(u.apiCalls) },
    ];
    const today = ctx.clock.now().toISOString().slice(0, 10);
    // Decided under the action's row lock: two nodes checking at once write once.
    return ctx.db.transaction(async (tx) => {
      const locked = (await roadmap.repo.findAction(r.id, USAGE_ACTION, tx as never, true))!;
      const current = await roadmap.repo.listIndicators([locked.id], tx as never);
      const ours = indicators.map((i) => current.find((x) => x.name === i.name));
      const sameState =
        locked.progress === progress &&
        locked.status === status &&
        ours[0]?.currentValue === indicators[0]!.value &&
        (ours[0]?.target ?? '') === indicators[0]!.target;
      const sameFigures = indicators.every((i, k) => ours[k]?.currentValue === i.value);
      // The 30-day figures move with every download: written once a day, the coverage as soon as it changes.
      const writtenToday = ours.every((x) => x && x.updatedAt.toISOString().slice(0, 10) === today);
      if (sameState && (sameFigures || writtenToday)) return false;
      await roadmap.updateAction(
        SYSTEM,
        r.id,
        USAGE_ACTION,
        {
          status,
          progress,
          indicators: indicators.map((i) => ({ name: i.name, unit: i.unit, value: i.value, ...(i.target ? { target: i.target } : {}) })),
          note: `Indicateurs d’usage des données ouvertes : ${measured} jeu(x) mesuré(s) sur ${open.length} ouvert(s) ; ${u.total} téléchargement(s) et ${u.apiCalls} appel(s) d’API du ${from} au ${to}.`,
        },
        { kind: 'automatic', tx: tx as never, roadmap: r },
      );
      return true;
    });
  }

  return { report, monthly, syncRoadmap, linkedApis };
}

export type UsageService = ReturnType<typeof createUsage>;
