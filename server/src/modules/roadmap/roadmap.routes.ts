import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { routeGroup } from '../../platform/auth/access.ts';
import { actorOf, type Principal } from '../../platform/auth/principal.ts';
import { paginationQuery, problems, requestMeta, sendCsv } from '../../platform/http/common.ts';
import { NotFoundError, fieldError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actionStatuses, openingStatuses, openingTypes } from './roadmap.table.ts';
import {
  canEditAction,
  canEditOpening,
  toActionDto,
  toIndicatorDto,
  toOpeningDto,
  toRoadmapDto,
  toUpdateDto,
  type CatalogLookup,
  type RoadmapService,
} from './roadmap.service.ts';
import { buildDashboard } from './roadmap.dashboard.ts';
import { loadReport, reportHtml, reportMarkdown, statusFr } from './roadmap.report.ts';
import { parisMidnight, periodEnd, quarterOf } from './periods.ts';

/** Midnight in Paris at the start of the UTC calendar day `d`. */
const parisMidnightOf = (d: Date) => parisMidnight(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
import * as s from './roadmap.schemas.ts';
import { BULK_MAX_BYTES } from './roadmap.bulk.ts';
import type { RoadmapRow } from './roadmap.repository.ts';

const TAG = 'roadmap';
const actionFilters = z.object({
  status: z.enum(actionStatuses).optional(),
  section: z.string().max(20).optional().describe('Section (2.1) or part (2)'),
  contributor: z.string().max(100).optional().describe('Organisation code (DSR) or collective contributor'),
  overdue: z.enum(['true', 'false']).optional(),
});
const csvFormat = { format: z.enum(['json', 'csv']).optional() };
const OPENING_TYPE_FR: Record<string, string> = { jeu_de_donnees: 'Jeu de données', api: 'API', code_source: 'Code source', algorithme: 'Algorithme' };
const TIMELINESS_FR: Record<string, string> = {
  a_temps: 'dans les délais',
  en_retard: 'en retard',
  date_inconnue: 'date inconnue',
  a_venir: 'à venir',
  sans_objet: 'sans objet',
};

/** The roadmap API: `/api/roadmaps/...` (signed-in), `/api/public/roadmaps/...` (transparency page). */
export function roadmapRoutes(ctx: AppContext, svc: RoadmapService, catalog: () => CatalogLookup | undefined): FastifyPluginAsync {
  const { repo } = svc;

  async function roadmapListItem(r: RoadmapRow) {
    const actions = await repo.listActions(r.id);
    const openings = await repo.listOpenings(r.id);
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

  async function actionsOf(roadmapId: string, p: Principal | null, f: z.infer<typeof actionFilters>) {
    const now = ctx.clock.now();
    const [rows, notes] = await Promise.all([repo.listActions(roadmapId, f), repo.latestNotes(roadmapId)]);
    let list = rows.map((a) => toActionDto(a, now, { lastNote: notes.get(a.id) ?? null, canEdit: canEditAction(p, a) }));
    if (f.overdue) list = list.filter((a) => a.overdue === (f.overdue === 'true'));
    return list;
  }

  async function openingsOf(roadmapId: string, p: Principal | null) {
    const now = ctx.clock.now();
    return (await repo.listOpenings(roadmapId)).map(({ o, organisationCode }) => toOpeningDto(o, organisationCode, now, canEditOpening(p, o)));
  }

  async function dashboardOf(r: RoadmapRow, p: Principal | null, f: z.infer<typeof actionFilters>) {
    const [actions, openings, log] = await Promise.all([actionsOf(r.id, p, f), openingsOf(r.id, p), repo.actionStatusLog(r.id)]);
    return buildDashboard(actions, openings, log, ctx.clock.now(), r.parts);
  }

  const report = (r: RoadmapRow, quarter: string) => loadReport(repo, r, quarter, ctx.clock.now());

  const sendTable = (reply: FastifyReply, name: string, columns: { key: string; header: string }[], rows: object[]) =>
    sendCsv(reply, `${name}.csv`, columns, rows as Record<string, unknown>[]);
  const statsColumns = [
    { key: 'key', header: 'clé' },
    { key: 'label', header: 'libellé' },
    { key: 'total', header: 'actions' },
    { key: 'a_lancer', header: 'à lancer' },
    { key: 'en_cours', header: 'en cours' },
    { key: 'realisee', header: 'réalisées' },
    { key: 'abandonnee', header: 'abandonnées' },
    { key: 'overdue', header: 'en retard' },
    { key: 'meanProgress', header: 'avancement moyen (%)' },
  ];

  return async (app) => {
    // Transparency: the roadmap is a public document; its progress is public (no names, no notes).
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/public/roadmaps',
          { schema: { tags: [TAG], summary: 'Public roadmaps (transparency page)', response: { 200: z.object({ items: z.array(s.roadmapSchema) }) } } },
          async () => ({ items: (await repo.listRoadmaps()).filter((r) => r.public).map(toRoadmapDto) }),
        );
        p.get(
          '/api/public/roadmaps/:id',
          {
            schema: {
              tags: [TAG],
              summary: 'Progress of a public roadmap: figures by part and semester, openings, burn-up (?format=csv&table=actions|openings for a table as CSV)',
              params: s.roadmapParams,
              querystring: z.object({ format: z.enum(['json', 'csv']).optional(), table: z.enum(['actions', 'openings']).default('actions') }),
              response: {
                200: z.object({
                  roadmap: s.roadmapSchema,
                  totals: s.groupStats,
                  bySection: z.array(s.groupStats),
                  bySemester: z.array(s.groupStats),
                  burnup: s.dashboardSchema.shape.burnup,
                  openingsSummary: s.dashboardSchema.shape.openings,
                  actions: z.array(
                    z.object({
                      code: z.string(),
                      title: z.string(),
                      section: z.string(),
                      deadlineLabel: z.string(),
                      status: z.enum(actionStatuses),
                      progress: z.number(),
                      overdue: z.boolean(),
                    }),
                  ),
                  openings: z.array(
                    z.object({
                      title: z.string(),
                      category: z.string(),
                      type: z.enum(openingTypes),
                      dueLabel: z.string(),
                      status: z.enum(openingStatuses),
                      availableOn: z.string().nullable(),
                    }),
                  ),
                }),
                ...problems,
              },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            if (!r.public) throw new NotFoundError(`Feuille de route « ${req.params.id} » introuvable.`);
            const [actions, openings] = await Promise.all([actionsOf(r.id, null, {}), openingsOf(r.id, null)]);
            if (req.query.format === 'csv') {
              // The public tables, without names or notes, like the page.
              return req.query.table === 'openings'
                ? sendTable(
                    reply,
                    'ouvertures',
                    [
                      { key: 'title', header: 'ouverture' },
                      { key: 'category', header: 'catégorie' },
                      { key: 'type', header: 'type' },
                      { key: 'dueLabel', header: 'échéance' },
                      { key: 'status', header: 'statut' },
                      { key: 'availableOn', header: 'disponible le' },
                    ],
                    openings.map((o) => ({
                      title: o.title,
                      category: o.category,
                      type: o.type,
                      dueLabel: o.dueLabel,
                      status: o.status,
                      availableOn: o.availableOn,
                    })),
                  )
                : sendTable(
                    reply,
                    'actions',
                    [
                      { key: 'code', header: 'code' },
                      { key: 'title', header: 'action' },
                      { key: 'section', header: 'section' },
                      { key: 'deadlineLabel', header: 'échéance' },
                      { key: 'status', header: 'statut' },
                      { key: 'progress', header: 'avancement (%)' },
                      { key: 'overdue', header: 'en retard' },
                    ],
                    actions.map((a) => ({
                      code: a.code,
                      title: a.title,
                      section: a.section,
                      deadlineLabel: a.deadlineLabel,
                      status: a.status,
                      progress: a.progress,
                      overdue: a.overdue,
                    })),
                  );
            }
            const d = buildDashboard(actions, openings, await repo.actionStatusLog(r.id), ctx.clock.now(), r.parts);
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
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/roadmaps',
          {
            schema: {
              tags: [TAG],
              summary: 'Roadmaps, with their sections and contributors',
              response: { 200: z.object({ items: z.array(s.roadmapListItem) }) },
            },
          },
          async () => ({
            items: await Promise.all((await repo.listRoadmaps()).map(roadmapListItem)),
          }),
        );
        p.get(
          '/api/roadmaps/:id',
          { schema: { tags: [TAG], summary: 'A roadmap', params: s.roadmapParams, response: { 200: s.roadmapListItem, ...problems } } },
          async (req) => roadmapListItem(await svc.roadmapOr404(req.params.id)),
        );

        p.get(
          '/api/roadmaps/:id/actions',
          {
            schema: {
              tags: [TAG],
              summary: 'Actions of a roadmap, filtered; `?format=csv` exports them (re-importable by the bulk update)',
              params: s.roadmapParams,
              querystring: actionFilters.extend(csvFormat),
              response: { 200: z.object({ items: z.array(s.actionSchema), total: z.number(), asOf: z.string() }), ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            const items = await actionsOf(r.id, req.principal, req.query);
            if (req.query.format === 'csv') {
              return sendTable(
                reply,
                `actions-${r.slug}`,
                [
                  { key: 'code', header: 'code' },
                  { key: 'title', header: 'intitulé' },
                  { key: 'section', header: 'section' },
                  { key: 'sectionTitle', header: 'titre de la section' },
                  { key: 'deadlineLabel', header: 'échéance' },
                  { key: 'dueDate', header: 'date limite' },
                  { key: 'status', header: 'statut' },
                  { key: 'overdue', header: 'en retard' },
                  { key: 'progress', header: 'avancement' },
                  { key: 'pilot', header: 'pilote' },
                  { key: 'contributors', header: 'contributeurs' },
                  { key: 'sourceNote', header: 'remarque sur la source' },
                  { key: 'lastNoteText', header: 'dernière note' },
                ],
                items.map((a) => ({
                  ...a,
                  contributors: [...a.contributors.map((c) => c.code), ...a.collectiveContributors].join(', '),
                  lastNoteText: a.lastNote?.note ?? '',
                })),
              );
            }
            return { items, total: items.length, asOf: ctx.clock.now().toISOString() };
          },
        );

        p.get(
          '/api/roadmaps/:id/actions/:code',
          {
            schema: {
              tags: [TAG],
              summary: 'An action with its indicators, linked assets and dated log (carried-over history included)',
              params: s.actionParams,
              response: { 200: s.actionDetailSchema, ...problems },
            },
          },
          async (req) => {
            const r = await svc.roadmapOr404(req.params.id);
            const a = await svc.actionOr404(r.id, req.params.code);
            const now = ctx.clock.now();
            const { ids, codes } = await svc.lineage(a.id);
            const [updates, indicators, carriedTo, subs] = await Promise.all([
              repo.updatesOfActions(ids),
              repo.listIndicators([a.id]),
              repo.carriedTo(a.id),
              repo.subActions(r.id, a.code),
            ]);
            const latest = updates.find((u) => u.actionId === a.id && u.note && u.kind !== 'import');
            const c = catalog();
            const assets = await Promise.all(
              a.assetIds.map(async (id) => {
                const x = c ? await c.getAssetById(id) : null;
                return { id, kind: x?.kind ?? null, slug: x?.slug ?? null, title: x?.title ?? null, openness: x?.openness ?? null, found: !!x };
              }),
            );
            const from = a.carriedFromId ? await repo.roadmapOfAction(a.carriedFromId) : null;
            return {
              roadmap: toRoadmapDto(r),
              action: toActionDto(a, now, {
                lastNote: latest ? { at: latest.at, actorLabel: latest.actorLabel, note: latest.note! } : null,
                canEdit: canEditAction(req.principal, a),
              }),
              indicators: indicators.map(toIndicatorDto),
              assets,
              updates: updates.map((u) => toUpdateDto(u, codes)),
              carriedFrom: from ? { roadmapSlug: from.slug, roadmapTitle: from.title, code: from.code } : null,
              carriedTo: carriedTo.map((x) => ({ roadmapSlug: x.roadmapSlug, roadmapTitle: x.roadmapTitle, code: x.code })),
              subActions: subs.map((x) => {
                const d = toActionDto(x, now);
                return { code: d.code, title: d.title, status: d.status, overdue: d.overdue, deadlineLabel: d.deadlineLabel };
              }),
            };
          },
        );

        p.get(
          '/api/roadmaps/:id/openings',
          {
            schema: {
              tags: [TAG],
              summary: 'Announced openings (follow-up table); `?format=csv` exports them',
              params: s.roadmapParams,
              querystring: z.object({
                status: z.enum(openingStatuses).optional(),
                type: z.enum(openingTypes).optional(),
                category: z.string().max(300).optional(),
                timeliness: z.enum(['a_temps', 'en_retard', 'date_inconnue', 'a_venir', 'sans_objet']).optional(),
                ...csvFormat,
              }),
              response: { 200: z.object({ items: z.array(s.openingSchema), total: z.number() }), ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            const q = req.query;
            const c = catalog();
            const items = await Promise.all(
              (await openingsOf(r.id, req.principal))
                .filter(
                  (o) =>
                    (!q.status || o.status === q.status) &&
                    (!q.type || o.type === q.type) &&
                    (!q.category || o.category === q.category) &&
                    (!q.timeliness || o.timeliness === q.timeliness),
                )
                .map(async (o) => {
                  const a = o.assetId && c ? await c.getAssetById(o.assetId) : null;
                  return { ...o, asset: a ? { kind: a.kind, slug: a.slug, title: a.title, openness: a.openness } : null };
                }),
            );
            if (q.format === 'csv') {
              return sendTable(
                reply,
                `ouvertures-${r.slug}`,
                [
                  { key: 'category', header: 'catégorie' },
                  { key: 'title', header: 'ouverture' },
                  { key: 'typeFr', header: 'type' },
                  { key: 'due', header: 'échéance' },
                  { key: 'statusFr', header: 'statut' },
                  { key: 'availableOn', header: 'disponible le' },
                  { key: 'timelinessFr', header: 'délai' },
                  { key: 'organisationCode', header: 'organisation' },
                  { key: 'assetTitle', header: 'actif du catalogue' },
                ],
                items.map((o) => ({
                  ...o,
                  typeFr: OPENING_TYPE_FR[o.type],
                  statusFr: statusFr(o.status),
                  timelinessFr: TIMELINESS_FR[o.timeliness],
                  assetTitle: o.asset?.title ?? o.assetId ?? '',
                })),
              );
            }
            return { items, total: items.length };
          },
        );
        p.get(
          '/api/roadmaps/:id/openings/:openingId',
          {
            schema: {
              tags: [TAG],
              summary: 'An opening with its log',
              params: s.openingParams,
              response: { 200: z.object({ opening: s.openingSchema, updates: z.array(s.updateSchema) }), ...problems },
            },
          },
          async (req) => {
            const r = await svc.roadmapOr404(req.params.id);
            const o = (await openingsOf(r.id, req.principal)).find((x) => x.id === req.params.openingId);
            if (!o) throw new NotFoundError('Ouverture introuvable dans cette feuille de route.');
            return { opening: o, updates: (await repo.updatesOfOpening(o.id)).map((u) => toUpdateDto(u)) };
          },
        );

        p.get(
          '/api/roadmaps/:id/dashboard',
          {
            schema: {
              tags: [TAG],
              summary: 'Dashboard figures; `?format=csv&table=` exports one of its tables',
              params: s.roadmapParams,
              querystring: actionFilters
                .omit({ overdue: true })
                .extend({
                  ...csvFormat,
                  table: z.enum(['bySection', 'bySubsection', 'byContributor', 'bySemester', 'overdue', 'upcoming', 'openingsByQuarter', 'burnup']).optional(),
                }),
              response: { 200: s.dashboardSchema, ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            const d = await dashboardOf(r, req.principal, req.query);
            if (req.query.format !== 'csv') return d;
            const table = req.query.table;
            if (!table) throw fieldError('table', 'Précisez le tableau à exporter.');
            const name = `tableau-de-bord-${table}-${r.slug}`;
            if (table === 'overdue' || table === 'upcoming') {
              const rows = (table === 'overdue' ? d.overdue : d.upcoming).map((x) => ({
                ...x,
                status: statusFr(x.status),
                contributors: x.contributors.join(', '),
                lastNote: 'lastNote' in x ? ((x.lastNote as { note: string } | null)?.note ?? '') : '',
              }));
              return sendTable(
                reply,
                name,
                [
                  { key: 'code', header: 'code' },
                  { key: 'title', header: 'intitulé' },
                  { key: 'deadlineLabel', header: 'échéance' },
                  { key: 'status', header: 'statut' },
                  { key: 'progress', header: 'avancement' },
                  { key: 'contributors', header: 'contributeurs' },
                  ...(table === 'overdue' ? [{ key: 'lastNote', header: 'dernière note' }] : []),
                ],
                rows,
              );
            }
            if (table === 'openingsByQuarter') {
              return sendTable(
                reply,
                name,
                [
                  { key: 'key', header: 'trimestre' },
                  { key: 'total', header: 'ouvertures' },
                  ...Object.entries(TIMELINESS_FR).map(([key, header]) => ({ key, header })),
                ],
                d.openings.byQuarter,
              );
            }
            if (table === 'burnup') {
              return sendTable(
                reply,
                name,
                [
                  { key: 'date', header: 'date' },
                  { key: 'scope', header: 'périmètre' },
                  { key: 'started', header: 'lancées' },
                  { key: 'done', header: 'réalisées' },
                ],
                d.burnup,
              );
            }
            return sendTable(reply, name, statsColumns, d[table]);
          },
        );

        p.get(
          '/api/roadmaps/:id/report',
          {
            schema: {
              tags: [TAG],
              summary: 'Committee report of a quarter: Markdown, printable HTML (A4) or JSON',
              description:
                '`format=html` returns a standalone `text/html` page with a print stylesheet; `format=md` a Markdown download; `format=json` (default) the structured report.',
              params: s.roadmapParams,
              querystring: z.object({
                quarter: s.quarter.optional().describe('Default: the current quarter'),
                format: z.enum(['json', 'md', 'html']).optional(),
              }),
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            const quarter = req.query.quarter ?? quarterOf(ctx.clock.now());
            if (periodEnd(quarter).getTime() <= new Date(Date.UTC(r.startYear, 0, 1)).getTime())
              throw fieldError('quarter', `Le trimestre ${quarter} précède la feuille de route.`);
            const rep = await report(r, quarter);
            if (req.query.format === 'md') {
              reply.header('content-type', 'text/markdown; charset=utf-8');
              reply.header('content-disposition', `attachment; filename="comite-${r.slug}-${quarter}.md"`);
              return reply.send(reportMarkdown(rep));
            }
            if (req.query.format === 'html') {
              reply.header('content-type', 'text/html; charset=utf-8');
              return reply.send(reportHtml(rep));
            }
            return rep;
          },
        );

        p.get(
          '/api/roadmaps/:id/updates',
          {
            schema: {
              tags: [TAG],
              summary: 'The roadmap’s dated log (actions and openings), newest first; `?format=csv` exports every matching entry',
              params: s.roadmapParams,
              querystring: paginationQuery.extend({
                action: s.actionParams.shape.code.optional().describe('Only this action'),
                from: z.iso.date('Date attendue (AAAA-MM-JJ).').optional(),
                to: z.iso.date('Date attendue (AAAA-MM-JJ).').optional().describe('Inclusive'),
                ...csvFormat,
              }),
              response: { 200: z.object({ items: z.array(s.updateSchema.extend({ openingTitle: z.string().nullable() })), total: z.number() }), ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            const q = req.query;
            const action = q.action ? await svc.actionOr404(r.id, q.action) : null;
            const day = (d: string, next = false) => {
              const [y, m, dd] = d.split('-').map(Number) as [number, number, number];
              const t = new Date(Date.UTC(y, m - 1, dd + (next ? 1 : 0)));
              return parisMidnightOf(t);
            };
            const f = { actionId: action?.id, from: q.from ? day(q.from) : undefined, to: q.to ? day(q.to, true) : undefined };
            const csv = q.format === 'csv';
            const { items, total } = await repo.listUpdates(r.id, f, csv ? 100_000 : q.pageSize, csv ? 0 : (q.page - 1) * q.pageSize);
            const rows = items.map(({ u, actionCode, openingTitle }) => ({ ...toUpdateDto(u), actionCode, roadmapTitle: null, openingTitle }));
            if (!csv) return { items: rows, total };
            return sendTable(
              reply,
              `journal-${r.slug}`,
              [
                { key: 'at', header: 'date' },
                { key: 'actorLabel', header: 'auteur' },
                { key: 'kind', header: 'type' },
                { key: 'actionCode', header: 'action' },
                { key: 'openingTitle', header: 'ouverture' },
                { key: 'statusAfter', header: 'statut après' },
                { key: 'progressAfter', header: 'avancement après' },
                { key: 'changesText', header: 'changements' },
                { key: 'note', header: 'note' },
              ],
              rows.map((x) => ({
                ...x,
                changesText: Object.entries(x.changes)
                  .map(([k, c]) => `${k}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
                  .join(' ; '),
              })),
            );
          },
        );
        p.get(
          '/api/roadmaps/:id/decisions',
          {
            schema: {
              tags: [TAG],
              summary: 'Decisions recorded by the committee',
              params: s.roadmapParams,
              querystring: z.object({ quarter: s.quarter.optional() }),
              response: { 200: z.object({ items: z.array(s.decisionSchema) }), ...problems },
            },
          },
          async (req) => {
            const r = await svc.roadmapOr404(req.params.id);
            return {
              items: (await repo.listDecisions(r.id, req.query.quarter)).map((d) => ({
                id: d.id,
                quarter: d.quarter,
                text: d.text,
                actionCode: d.actionCode,
                actorLabel: d.actorLabel,
                createdAt: d.createdAt.toISOString(),
              })),
            };
          },
        );
      }),
    );

    // Updates: data administrators (their organisation's actions, checked in the service) and the admin.
    await app.register(
      routeGroup({ roles: ['admin', 'data_admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        const detailOf = async (roadmapId: string, code: string, principal: Principal) => {
          const a = await svc.actionOr404(roadmapId, code);
          const notes = await repo.latestNotes(roadmapId);
          return toActionDto(a, ctx.clock.now(), { lastNote: notes.get(a.id) ?? null, canEdit: canEditAction(principal, a) });
        };
        p.patch(
          '/api/roadmaps/:id/actions/:code',
          {
            schema: {
              tags: [TAG],
              summary: 'Update an action (status, progress, pilot, indicators, linked assets; deadline and contributors: admin)',
              params: s.actionParams,
              body: s.actionPatchBody,
              response: { 200: s.actionSchema, ...problems },
            },
          },
          async (req) => {
            const { roadmap } = await svc.updateAction(req.principal!, actorOf(req.principal), req.params.id, req.params.code, req.body, {
              meta: requestMeta(req),
            });
            return detailOf(roadmap.id, req.params.code, req.principal!);
          },
        );
        p.post(
          '/api/roadmaps/:id/actions/:code/updates',
          {
            schema: {
              tags: [TAG],
              summary: 'Add a dated update (a note, with optional changes) to an action',
              params: s.actionParams,
              body: s.updateBody,
              response: { 201: z.object({ update: s.updateSchema, action: s.actionSchema }), ...problems },
            },
          },
          async (req, reply) => {
            const { roadmap, update } = await svc.updateAction(req.principal!, actorOf(req.principal), req.params.id, req.params.code, req.body, {
              meta: requestMeta(req),
            });
            return reply.status(201).send({ update: toUpdateDto(update), action: await detailOf(roadmap.id, req.params.code, req.principal!) });
          },
        );
        p.post(
          '/api/roadmaps/:id/actions/bulk',
          {
            schema: {
              tags: [TAG],
              summary: 'Bulk update of actions from a CSV (columns code, statut, avancement, pilote, note): all or nothing, errors by line',
              params: s.roadmapParams,
              body: z
                .object({
                  csv: z.string().min(1, 'Fichier vide.').max(BULK_MAX_BYTES, 'Fichier trop volumineux (900 Ko au plus).'),
                  dryRun: z.boolean().default(false),
                })
                .strict(),
              response: {
                200: z.object({
                  dryRun: z.boolean(),
                  applied: z.boolean(),
                  lines: z.number(),
                  unchanged: z.number(),
                  updated: z.array(
                    z.object({ line: z.number(), code: z.string(), changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })) }),
                  ),
                  errors: z.array(z.object({ field: z.string(), message: z.string() })),
                }),
                ...problems,
              },
            },
          },
          async (req, reply) => {
            const result = await svc.bulkUpdate(req.principal!, req.params.id, req.body.csv, req.body.dryRun, requestMeta(req));
            if (result.errors.length) {
              return reply
                .status(400)
                .type('application/problem+json')
                .send({
                  type: 'about:blank#validation',
                  title: 'Requête invalide',
                  status: 400,
                  detail: `${result.errors.length} erreur(s) : aucune ligne n’a été appliquée.`,
                  errors: result.errors,
                  lines: result.lines,
                });
            }
            return result;
          },
        );
        p.patch(
          '/api/roadmaps/:id/openings/:openingId',
          {
            schema: {
              tags: [TAG],
              summary: 'Update an opening (status, availability date, linked catalogue asset; due quarter and organisation: admin)',
              params: s.openingParams,
              body: s.openingPatchBody,
              response: { 200: s.openingSchema, ...problems },
            },
          },
          async (req) => svc.updateOpening(req.principal!, req.params.id, req.params.openingId, req.body, requestMeta(req)),
        );
      }),
    );

    await app.register(
      routeGroup({ roles: ['admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/roadmaps',
          {
            schema: {
              tags: [TAG],
              summary: 'Create a roadmap (e.g. 2024-2026)',
              body: z
                .object({
                  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,60}$/, 'Identifiant en minuscules, chiffres et tirets.'),
                  title: z.string().min(3).max(300),
                  startYear: z.number().int().min(2000).max(2100),
                  endYear: z.number().int().min(2000).max(2100),
                  source: z.string().max(1000).nullable().optional(),
                  public: z.boolean().optional(),
                })
                .strict(),
              response: { 201: s.roadmapSchema, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(toRoadmapDto(await svc.createRoadmap(actorOf(req.principal), req.body, requestMeta(req)))),
        );
        p.post(
          '/api/roadmaps/:id/actions/:code/carry-over',
          {
            schema: {
              tags: [TAG],
              summary: 'Carry an action over to a later roadmap, keeping its history',
              params: s.actionParams,
              body: z
                .object({
                  targetRoadmap: z.string().min(1).max(100),
                  code: z.string().max(10).optional(),
                  deadline: s.period,
                  note: z.string().max(2000).optional(),
                })
                .strict(),
              response: { 201: z.object({ roadmap: s.roadmapSchema, code: z.string() }), ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.carryOver(actorOf(req.principal), req.params.id, req.params.code, req.body, requestMeta(req));
            return reply.status(201).send({ roadmap: toRoadmapDto(r.roadmap), code: r.code });
          },
        );
        p.post(
          '/api/roadmaps/:id/decisions',
          {
            schema: {
              tags: [TAG],
              summary: 'Record a decision of the committee of a quarter',
              params: s.roadmapParams,
              body: z
                .object({
                  quarter: s.quarter,
                  text: z.string().trim().min(3, 'Décision trop courte.').max(5000),
                  actionCode: z.string().max(10).nullable().optional(),
                })
                .strict(),
              response: { 201: s.decisionSchema, ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            const actor = actorOf(req.principal);
            const d = await ctx.db.transaction(async (tx) => {
              if (req.body.actionCode && !(await repo.findAction(r.id, req.body.actionCode, tx)))
                throw fieldError('actionCode', `Action « ${req.body.actionCode} » introuvable.`);
              const row = await repo.insertDecision(
                {
                  roadmapId: r.id,
                  quarter: req.body.quarter,
                  text: req.body.text,
                  actionCode: req.body.actionCode?.toUpperCase() || null,
                  actorId: actor.id,
                  actorLabel: actor.label,
                  createdAt: ctx.clock.now(),
                },
                tx,
              );
              await recordAudit(tx, {
                actor,
                action: 'roadmap.decision.create',
                entityType: 'roadmap_decision',
                entityId: row.id,
                after: row,
                ...requestMeta(req),
              });
              return row;
            });
            return reply
              .status(201)
              .send({ id: d.id, quarter: d.quarter, text: d.text, actionCode: d.actionCode, actorLabel: d.actorLabel, createdAt: d.createdAt.toISOString() });
          },
        );
        p.delete(
          '/api/roadmaps/:id/decisions/:decisionId',
          {
            schema: {
              tags: [TAG],
              summary: 'Delete a decision recorded by mistake',
              params: s.roadmapParams.extend({ decisionId: z.uuid() }),
              response: { 204: z.null(), ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.roadmapOr404(req.params.id);
            await ctx.db.transaction(async (tx) => {
              const d = await repo.deleteDecision(r.id, req.params.decisionId, tx);
              if (!d) throw new NotFoundError('Décision introuvable.');
              await recordAudit(tx, {
                actor: actorOf(req.principal),
                action: 'roadmap.decision.delete',
                entityType: 'roadmap_decision',
                entityId: d.id,
                before: d,
                ...requestMeta(req),
              });
            });
            return reply.status(204).send(null);
          },
        );
      }),
    );
  };
}
