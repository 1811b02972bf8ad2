import type {
  Action,
  ActionDetail,
  ActionFilters,
  Decision,
  Opening,
  OpeningFilters,
  PublicRoadmap,
  Roadmap,
  RoadmapSummary,
  UpdatesFilters,
} from '@patrimoine/contracts/roadmap';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { ANONYMOUS, type Caller } from '../../platform/auth/principal.ts';
import { NotFoundError, fieldError } from '../../platform/errors.ts';
import type { ActionWithOrgs, RoadmapRepository, RoadmapRow } from './roadmap.repository.ts';
import type { CatalogLookup } from './roadmap.service.ts';
import {
  canEditAction,
  canEditOpening,
  requireReader,
  toActionDto,
  toDecisionDto,
  toIndicatorDto,
  toOpeningDto,
  toRoadmapDto,
  toUpdateDto,
} from './roadmap.dto.ts';
import { buildDashboard } from './roadmap.dashboard.ts';
import type { RoadmapFeed } from './roadmap.feeds.ts';
import type { ReportSection, RoadmapGap } from '@patrimoine/contracts/roadmap';
import { loadReport } from './roadmap.report.ts';
import { parisMidnight, periodEnd, periodStart, quarterOf } from './periods.ts';

interface Lookups {
  roadmapOr404(idOrSlug: string, tx?: Db): Promise<RoadmapRow>;
  actionOr404(roadmapId: string, code: string, tx?: Db): Promise<ActionWithOrgs>;
  lineage(actionId: string): Promise<{ ids: string[]; codes: Map<string, { code: string; roadmapTitle?: string }> }>;
  /** Contributions of other modules (gaps, report sections). */
  feeds: RoadmapFeed[];
}

/** Midnight in Paris at the start of the calendar day `YYYY-MM-DD` (`next`: of the day after). */
function parisDayStart(day: string, next = false): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + (next ? 1 : 0)));
  return parisMidnight(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/**
 * The read side of the roadmap: what the pages show, computed for a caller (their edit rights),
 * with the linked catalogue assets resolved. Internal views need an account (or the system);
 * the public transparency page is computed as an anonymous visitor sees it.
 */
export function createRoadmapQueries(ctx: AppContext, repo: RoadmapRepository, catalog: () => CatalogLookup | undefined, h: Lookups) {
  const now = () => ctx.clock.now();

  /** Gaps of the feeds at `at`, on the actions of the roadmap only; a failing feed is logged and skipped. */
  async function feedGaps(r: RoadmapRow, codes: Set<string>, at: Date): Promise<RoadmapGap[]> {
    const out: RoadmapGap[] = [];
    for (const f of h.feeds) {
      if (!f.gaps) continue;
      try {
        for (const g of await f.gaps(r, at)) if (codes.has(g.actionCode)) out.push({ ...g, source: f.name });
      } catch (err) {
        ctx.logger.warn({ err, feed: f.name }, 'roadmap feed failed (gaps)');
      }
    }
    return out.sort((a, b) => a.actionCode.localeCompare(b.actionCode) || (a.organisation ?? '').localeCompare(b.organisation ?? ''));
  }
  async function feedSections(r: RoadmapRow, period: { quarter: string; from: Date; to: Date }): Promise<ReportSection[]> {
    const out: ReportSection[] = [];
    for (const f of h.feeds) {
      if (!f.reportSections) continue;
      try {
        out.push(...(await f.reportSections(r, period)));
      } catch (err) {
        ctx.logger.warn({ err, feed: f.name }, 'roadmap feed failed (report sections)');
      }
    }
    return out;
  }

  async function summaryOf(r: RoadmapRow): Promise<RoadmapSummary> {
    const [actions, openings] = await Promise.all([repo.listActions(r.id), repo.listOpenings(r.id)]);
    const sections = new Map<string, string>();
    const contributors = new Map<string, string>();
    for (const a of actions) {
      sections.set(a.section, a.sectionTitle);
      for (const o of a.organisations) contributors.set(o.code, o.name);
      for (const c of a.collectiveContributors) contributors.set(c, c);
    }
    return {
      ...toRoadmapDto(r),
      parts: r.parts,
      actions: actions.length,
      openings: openings.length,
      sections: [...sections].map(([code, title]) => ({ code, title })).sort((x, y) => x.code.localeCompare(y.code, 'fr', { numeric: true })),
      contributors: [...contributors].map(([code, name]) => ({ code, name })).sort((x, y) => x.code.localeCompare(y.code)),
    };
  }

  async function actionsOf(roadmapId: string, caller: Caller, f: ActionFilters): Promise<Action[]> {
    const at = now();
    const [rows, notes] = await Promise.all([repo.listActions(roadmapId, f), repo.latestNotes(roadmapId)]);
    let list = rows.map((a) => toActionDto(a, at, { lastNote: notes.get(a.id) ?? null, canEdit: canEditAction(caller, a) }));
    if (f.overdue) list = list.filter((a) => a.overdue === (f.overdue === 'true'));
    return list;
  }

  async function openingsOf(roadmapId: string, caller: Caller): Promise<Opening[]> {
    const at = now();
    return (await repo.listOpenings(roadmapId)).map(({ o, organisationCode }) => toOpeningDto(o, organisationCode, at, canEditOpening(caller, o)));
  }

  /** Catalogue assets by id, each looked up once (the catalogue may not be installed). */
  function assetResolver() {
    const c = catalog();
    const seen = new Map<string, ReturnType<CatalogLookup['getAssetById']>>();
    return (id: string) => {
      if (!c) return Promise.resolve(null);
      let p = seen.get(id);
      if (!p) seen.set(id, (p = c.getAssetById(id)));
      return p;
    };
  }

  return {
    /** Every roadmap, with the parts, sections and contributors its filters offer. */
    async listRoadmaps(caller: Caller): Promise<RoadmapSummary[]> {
      requireReader(caller);
      return Promise.all((await repo.listRoadmaps()).map(summaryOf));
    },
    async getRoadmap(caller: Caller, ref: string): Promise<RoadmapSummary> {
      requireReader(caller);
      return summaryOf(await h.roadmapOr404(ref));
    },

    async listActions(caller: Caller, ref: string, f: ActionFilters) {
      requireReader(caller);
      const roadmap = await h.roadmapOr404(ref);
      const items = await actionsOf(roadmap.id, caller, f);
      return { roadmap, items, total: items.length, asOf: now() };
    },

    /** One action as the caller sees it (their edit right, its latest note). */
    async actionOf(caller: Caller, roadmapId: string, code: string): Promise<Action> {
      requireReader(caller);
      const a = await h.actionOr404(roadmapId, code);
      const notes = await repo.latestNotes(roadmapId);
      return toActionDto(a, now(), { lastNote: notes.get(a.id) ?? null, canEdit: canEditAction(caller, a) });
    },

    /** An action with its indicators, linked assets and dated log (the history of the actions it carries over included). */
    async actionDetail(caller: Caller, ref: string, code: string): Promise<ActionDetail> {
      requireReader(caller);
      const r = await h.roadmapOr404(ref);
      const a = await h.actionOr404(r.id, code);
      const at = now();
      const { ids, codes } = await h.lineage(a.id);
      const [updates, indicators, carriedTo, subs] = await Promise.all([
        repo.updatesOfActions(ids),
        repo.listIndicators([a.id]),
        repo.carriedTo(a.id),
        repo.subActions(r.id, a.code),
      ]);
      const latest = updates.find((u) => u.actionId === a.id && u.note && u.kind !== 'import');
      const asset = assetResolver();
      const assets = await Promise.all(
        a.assetIds.map(async (id) => {
          const x = await asset(id);
          return { id, kind: x?.kind ?? null, slug: x?.slug ?? null, title: x?.title ?? null, openness: x?.openness ?? null, found: !!x };
        }),
      );
      const from = a.carriedFromId ? await repo.roadmapOfAction(a.carriedFromId) : null;
      return {
        roadmap: toRoadmapDto(r),
        action: toActionDto(a, at, {
          lastNote: latest ? { at: latest.at, actorLabel: latest.actorLabel, note: latest.note! } : null,
          canEdit: canEditAction(caller, a),
        }),
        indicators: indicators.map(toIndicatorDto),
        assets,
        updates: updates.map((u) => toUpdateDto(u, codes)),
        carriedFrom: from ? { roadmapSlug: from.slug, roadmapTitle: from.title, code: from.code } : null,
        carriedTo: carriedTo.map((x) => ({ roadmapSlug: x.roadmapSlug, roadmapTitle: x.roadmapTitle, code: x.code })),
        subActions: subs.map((x) => {
          const d = toActionDto(x, at);
          return { code: d.code, title: d.title, status: d.status, overdue: d.overdue, deadlineLabel: d.deadlineLabel };
        }),
      };
    },

    /** The follow-up table of openings, filtered, with their linked catalogue asset. */
    async listOpenings(caller: Caller, ref: string, q: OpeningFilters) {
      requireReader(caller);
      const roadmap = await h.roadmapOr404(ref);
      const asset = assetResolver();
      const items = await Promise.all(
        (await openingsOf(roadmap.id, caller))
          .filter(
            (o) =>
              (!q.status || o.status === q.status) &&
              (!q.type || o.type === q.type) &&
              (!q.category || o.category === q.category) &&
              (!q.timeliness || o.timeliness === q.timeliness),
          )
          .map(async (o): Promise<Opening> => {
            const a = o.assetId ? await asset(o.assetId) : null;
            return { ...o, asset: a ? { kind: a.kind, slug: a.slug, title: a.title, openness: a.openness } : null };
          }),
      );
      return { roadmap, items, total: items.length };
    },

    async openingDetail(caller: Caller, ref: string, openingId: string) {
      requireReader(caller);
      const r = await h.roadmapOr404(ref);
      const o = (await openingsOf(r.id, caller)).find((x) => x.id === openingId);
      if (!o) throw new NotFoundError('Ouverture introuvable dans cette feuille de route.');
      return { opening: o, updates: (await repo.updatesOfOpening(o.id)).map((u) => toUpdateDto(u)) };
    },

    async dashboard(caller: Caller, ref: string, f: Omit<ActionFilters, 'overdue'>) {
      requireReader(caller);
      const roadmap = await h.roadmapOr404(ref);
      const [actions, openings, log] = await Promise.all([actionsOf(roadmap.id, caller, f), openingsOf(roadmap.id, caller), repo.actionStatusLog(roadmap.id)]);
      const dashboard = buildDashboard(actions, openings, log, now(), roadmap.parts);
      // Gaps concern the whole roadmap's actions that the filters keep.
      dashboard.gaps = await feedGaps(roadmap, new Set(actions.map((a) => a.code)), now());
      return { roadmap, dashboard };
    },

    /** The committee report of `quarter` (default: the current one). */
    async report(caller: Caller, ref: string, quarter?: string) {
      requireReader(caller);
      const roadmap = await h.roadmapOr404(ref);
      const q = quarter ?? quarterOf(now());
      if (periodEnd(q).getTime() <= new Date(Date.UTC(roadmap.startYear, 0, 1)).getTime())
        throw fieldError('quarter', `Le trimestre ${q} précède la feuille de route.`);
      const report = await loadReport(repo, roadmap, q, now());
      const to = new Date(Math.min(now().getTime(), periodEnd(q).getTime() - 1));
      const codes = new Set((await repo.listActions(roadmap.id)).map((a) => a.code));
      report.gaps = await feedGaps(roadmap, codes, to);
      report.sections = await feedSections(roadmap, { quarter: q, from: periodStart(q), to });
      return { roadmap, quarter: q, report };
    },

    /** The roadmap's dated log, newest first; `page: null` gives every matching entry (CSV export). */
    async listUpdates(caller: Caller, ref: string, f: UpdatesFilters, page: { page: number; pageSize: number } | null) {
      requireReader(caller);
      const roadmap = await h.roadmapOr404(ref);
      const action = f.action ? await h.actionOr404(roadmap.id, f.action) : null;
      const filters = { actionId: action?.id, from: f.from ? parisDayStart(f.from) : undefined, to: f.to ? parisDayStart(f.to, true) : undefined };
      const { items, total } = await repo.listUpdates(roadmap.id, filters, page ? page.pageSize : 100_000, page ? (page.page - 1) * page.pageSize : 0);
      return { roadmap, items: items.map(({ u, actionCode, openingTitle }) => ({ ...toUpdateDto(u), actionCode, roadmapTitle: null, openingTitle })), total };
    },

    async listDecisions(caller: Caller, ref: string, quarter?: string): Promise<Decision[]> {
      requireReader(caller);
      const r = await h.roadmapOr404(ref);
      return (await repo.listDecisions(r.id, quarter)).map(toDecisionDto);
    },

    /** Roadmaps shown on the public transparency page. */
    async publicRoadmaps(): Promise<Roadmap[]> {
      return (await repo.listRoadmaps()).filter((r) => r.public).map(toRoadmapDto);
    },

    /** A public roadmap's progress as any visitor sees it: figures and tables, no names, no notes. */
    async publicRoadmap(ref: string): Promise<PublicRoadmap> {
      const r = await h.roadmapOr404(ref);
      if (!r.public) throw new NotFoundError(`Feuille de route « ${ref} » introuvable.`);
      const [actions, openings, log] = await Promise.all([actionsOf(r.id, ANONYMOUS, {}), openingsOf(r.id, ANONYMOUS), repo.actionStatusLog(r.id)]);
      const d = buildDashboard(actions, openings, log, now(), r.parts);
      return {
        roadmap: toRoadmapDto(r),
        totals: d.totals,
        bySection: d.bySection,
        bySemester: d.bySemester,
        burnup: d.burnup,
        openingsSummary: d.openings,
        actions: actions.map((a) => ({
          code: a.code,
          title: a.title,
          section: a.section,
          deadlineLabel: a.deadlineLabel,
          status: a.status,
          progress: a.progress,
          overdue: a.overdue,
        })),
        openings: openings.map((o) => ({
          title: o.title,
          category: o.category,
          type: o.type,
          dueLabel: o.dueLabel,
          status: o.status,
          availableOn: o.availableOn,
        })),
      };
    },
  };
}
