import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { itemsOf, noContent } from '@patrimoine/contracts/common';
import * as c from '@patrimoine/contracts/roadmap';
import { routeGroup } from '../../platform/auth/access.ts';
import { problems, requestMeta, sendCsv } from '../../platform/http/common.ts';
import { fieldError } from '../../platform/errors.ts';
import type { RoadmapService } from './roadmap.service.ts';
import { reportHtml, reportMarkdown } from './roadmap.report.ts';
import { actionsCsv, dashboardCsv, openingsCsv, publicCsv, updatesCsv, type CsvTable } from './roadmap.csv.ts';
import { toRoadmapDto } from './roadmap.dto.ts';

const tags = ['roadmap'];
const send = (reply: FastifyReply, t: CsvTable) => sendCsv(reply, `${t.name}.csv`, t.columns, t.rows);

/**
 * The roadmap API: `/api/roadmaps/...` (signed-in), `/api/public/roadmaps/...` (transparency page).
 * Thin: validates with the contract's schemas, calls the service with the caller, answers.
 */
export function roadmapRoutes(svc: RoadmapService): FastifyPluginAsync {
  return async (app) => {
    // Transparency: the roadmap is a public document; its progress is public (no names, no notes).
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/public/roadmaps',
          { schema: { tags, operationId: 'listPublicRoadmaps', summary: 'Public roadmaps (transparency page)', response: { 200: itemsOf(c.roadmap) } } },
          async () => ({ items: await svc.publicRoadmaps() }),
        );
        p.get(
          '/api/public/roadmaps/:id',
          {
            schema: {
              tags,
              operationId: 'getPublicRoadmap',
              summary: 'Progress of a public roadmap: figures by part and semester, openings, burn-up',
              description: '`?format=csv&table=actions|openings` downloads one of the page’s tables as CSV (`text/csv`, no names nor notes).',
              params: c.roadmapParams,
              querystring: c.publicRoadmapQuery,
              response: { 200: c.publicRoadmap, ...problems },
            },
          },
          async (req, reply) => {
            const d = await svc.publicRoadmap(req.params.id);
            return req.query.format === 'csv' ? send(reply, publicCsv(d, req.query.table)) : d;
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
              tags,
              operationId: 'listRoadmaps',
              summary: 'Roadmaps, with their sections and contributors',
              response: { 200: itemsOf(c.roadmapSummary) },
            },
          },
          async (req) => ({ items: await svc.listRoadmaps(req.caller) }),
        );
        p.get(
          '/api/roadmaps/:id',
          { schema: { tags, operationId: 'getRoadmap', summary: 'A roadmap', params: c.roadmapParams, response: { 200: c.roadmapSummary, ...problems } } },
          async (req) => svc.getRoadmap(req.caller, req.params.id),
        );
        p.get(
          '/api/roadmaps/:id/actions',
          {
            schema: {
              tags,
              operationId: 'listRoadmapActions',
              summary: 'Actions of a roadmap, filtered',
              description: '`?format=csv` downloads them as CSV (`text/csv`), re-importable by the bulk update.',
              params: c.roadmapParams,
              querystring: c.actionsQuery,
              response: { 200: c.actionList, ...problems },
            },
          },
          async (req, reply) => {
            const { format, ...filters } = req.query;
            const { roadmap, items, total, asOf } = await svc.listActions(req.caller, req.params.id, filters);
            return format === 'csv' ? send(reply, actionsCsv(roadmap.slug, items)) : { items, total, asOf };
          },
        );
        p.get(
          '/api/roadmaps/:id/actions/:code',
          {
            schema: {
              tags,
              operationId: 'getRoadmapAction',
              summary: 'An action with its indicators, linked assets and dated log (carried-over history included)',
              params: c.actionParams,
              response: { 200: c.actionDetail, ...problems },
            },
          },
          async (req) => svc.actionDetail(req.caller, req.params.id, req.params.code),
        );
        p.get(
          '/api/roadmaps/:id/openings',
          {
            schema: {
              tags,
              operationId: 'listRoadmapOpenings',
              summary: 'Announced openings (follow-up table)',
              description: '`?format=csv` downloads them as CSV (`text/csv`).',
              params: c.roadmapParams,
              querystring: c.openingsQuery,
              response: { 200: c.openingList, ...problems },
            },
          },
          async (req, reply) => {
            const { format, ...filters } = req.query;
            const { roadmap, items, total } = await svc.listOpenings(req.caller, req.params.id, filters);
            return format === 'csv' ? send(reply, openingsCsv(roadmap.slug, items)) : { items, total };
          },
        );
        p.get(
          '/api/roadmaps/:id/openings/:openingId',
          {
            schema: {
              tags,
              operationId: 'getRoadmapOpening',
              summary: 'An opening with its log',
              params: c.openingParams,
              response: { 200: c.openingDetail, ...problems },
            },
          },
          async (req) => svc.openingDetail(req.caller, req.params.id, req.params.openingId),
        );
        p.get(
          '/api/roadmaps/:id/dashboard',
          {
            schema: {
              tags,
              operationId: 'getRoadmapDashboard',
              summary: 'Dashboard figures',
              description: '`?format=csv&table=` downloads one of its tables as CSV (`text/csv`).',
              params: c.roadmapParams,
              querystring: c.dashboardQuery,
              response: { 200: c.dashboard, ...problems },
            },
          },
          async (req, reply) => {
            const { format, table, ...filters } = req.query;
            const { roadmap, dashboard } = await svc.dashboard(req.caller, req.params.id, filters);
            if (format !== 'csv') return dashboard;
            if (!table) throw fieldError('table', 'Précisez le tableau à exporter.');
            return send(reply, dashboardCsv(roadmap.slug, dashboard, table));
          },
        );
        p.get(
          '/api/roadmaps/:id/report',
          {
            schema: {
              tags,
              operationId: 'getRoadmapReport',
              summary: 'Committee report of a quarter: JSON, Markdown or printable HTML (A4)',
              description:
                '`format=html` returns a standalone `text/html` page with a print stylesheet; `format=md` a Markdown download (`text/markdown`); `format=json` (default) the structured report.',
              params: c.roadmapParams,
              querystring: c.reportQuery,
              response: { 200: c.report, ...problems },
            },
          },
          async (req, reply) => {
            const { roadmap, quarter, report } = await svc.report(req.caller, req.params.id, req.query.quarter);
            if (req.query.format === 'md') {
              reply.header('content-type', 'text/markdown; charset=utf-8');
              reply.header('content-disposition', `attachment; filename="comite-${roadmap.slug}-${quarter}.md"`);
              // A text body, not the JSON report: Fastify sends strings as they are (no serialiser).
              return reply.send(reportMarkdown(report) as never);
            }
            if (req.query.format === 'html') {
              reply.header('content-type', 'text/html; charset=utf-8');
              return reply.send(reportHtml(report) as never);
            }
            return report;
          },
        );
        p.get(
          '/api/roadmaps/:id/updates',
          {
            schema: {
              tags,
              operationId: 'listRoadmapUpdates',
              summary: 'The roadmap’s dated log (actions and openings), newest first',
              description: '`?format=csv` downloads every matching entry as CSV (`text/csv`).',
              params: c.roadmapParams,
              querystring: c.updatesQuery,
              response: { 200: c.updateList, ...problems },
            },
          },
          async (req, reply) => {
            const { format, page, pageSize, ...filters } = req.query;
            const csv = format === 'csv';
            const { roadmap, items, total } = await svc.listUpdates(req.caller, req.params.id, filters, csv ? null : { page, pageSize });
            return csv ? send(reply, updatesCsv(roadmap.slug, items)) : { items, total };
          },
        );
        p.get(
          '/api/roadmaps/:id/decisions',
          {
            schema: {
              tags,
              operationId: 'listRoadmapDecisions',
              summary: 'Decisions recorded by the committee',
              params: c.roadmapParams,
              querystring: c.decisionsQuery,
              response: { 200: itemsOf(c.decision), ...problems },
            },
          },
          async (req) => ({ items: await svc.listDecisions(req.caller, req.params.id, req.query.quarter) }),
        );
      }),
    );

    // Updates: data administrators (their organisation's actions, checked in the service) and the admin.
    await app.register(
      routeGroup({ roles: ['admin', 'data_admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.patch(
          '/api/roadmaps/:id/actions/:code',
          {
            schema: {
              tags,
              operationId: 'updateRoadmapAction',
              summary: 'Update an action (status, progress, pilot, indicators, linked assets; deadline and contributors: admin)',
              params: c.actionParams,
              body: c.actionPatch,
              response: { 200: c.action, ...problems },
            },
          },
          async (req) => (await svc.editAction(req.caller, req.params.id, req.params.code, req.body, requestMeta(req))).action,
        );
        p.post(
          '/api/roadmaps/:id/actions/:code/updates',
          {
            schema: {
              tags,
              operationId: 'addRoadmapActionUpdate',
              summary: 'Add a dated update (a note, with optional changes) to an action',
              params: c.actionParams,
              body: c.actionNote,
              response: { 201: c.actionNoteResult, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.editAction(req.caller, req.params.id, req.params.code, req.body, requestMeta(req))),
        );
        p.post(
          '/api/roadmaps/:id/actions/bulk',
          {
            schema: {
              tags,
              operationId: 'bulkUpdateRoadmapActions',
              summary: 'Bulk update of actions from a CSV (columns code, statut, avancement, pilote, note): all or nothing, errors by line',
              description: 'A file with errors is refused as a whole: 400 with one `errors` entry per problem, field `lignes.<line>.<column>`.',
              params: c.roadmapParams,
              body: c.bulkUpdateBody,
              response: { 200: c.bulkUpdateResult, ...problems },
            },
          },
          async (req, reply) => {
            const result = await svc.bulkUpdate(req.caller, req.params.id, req.body.csv, req.body.dryRun, requestMeta(req));
            if (!result.errors.length) return result;
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
          },
        );
        p.patch(
          '/api/roadmaps/:id/openings/:openingId',
          {
            schema: {
              tags,
              operationId: 'updateRoadmapOpening',
              summary: 'Update an opening (status, availability date, linked catalogue asset; due quarter and organisation: admin)',
              params: c.openingParams,
              body: c.openingPatch,
              response: { 200: c.opening, ...problems },
            },
          },
          async (req) => svc.updateOpening(req.caller, req.params.id, req.params.openingId, req.body, requestMeta(req)),
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
              tags,
              operationId: 'createRoadmap',
              summary: 'Create a roadmap (e.g. 2024-2026)',
              body: c.createRoadmapBody,
              response: { 201: c.roadmap, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(toRoadmapDto(await svc.createRoadmap(req.caller, req.body, requestMeta(req)))),
        );
        p.post(
          '/api/roadmaps/:id/actions/:code/carry-over',
          {
            schema: {
              tags,
              operationId: 'carryOverRoadmapAction',
              summary: 'Carry an action over to a later roadmap, keeping its history',
              params: c.actionParams,
              body: c.carryOverBody,
              response: { 201: c.carryOverResult, ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.carryOver(req.caller, req.params.id, req.params.code, req.body, requestMeta(req));
            return reply.status(201).send({ roadmap: toRoadmapDto(r.roadmap), code: r.code });
          },
        );
        p.post(
          '/api/roadmaps/:id/decisions',
          {
            schema: {
              tags,
              operationId: 'createRoadmapDecision',
              summary: 'Record a decision of the committee of a quarter',
              params: c.roadmapParams,
              body: c.decisionBody,
              response: { 201: c.decision, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createDecision(req.caller, req.params.id, req.body, requestMeta(req))),
        );
        p.delete(
          '/api/roadmaps/:id/decisions/:decisionId',
          {
            schema: {
              tags,
              operationId: 'deleteRoadmapDecision',
              summary: 'Delete a decision recorded by mistake',
              params: c.decisionParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await svc.deleteDecision(req.caller, req.params.id, req.params.decisionId, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
      }),
    );
  };
}
