import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '@patrimoine/contracts/explore';
import { idParams, noContent } from '@patrimoine/contracts/common';
import { routeGroup } from '../../platform/auth/access.ts';
import { problemSchema, problems as common, requestMeta, sendCsv } from '../../platform/http/common.ts';
import type { ExploreService } from './explore.service.ts';

const tags = ['explore'];
/** The platform's problems, and 429 when the node runs too many explore queries at once. */
const problems = { ...common, 429: problemSchema } as const;
const csvQuery = z.object({ format: z.enum(['json', 'csv']).optional().describe('csv: the result as CSV (up to the export limit).') });
const cardQuery = csvQuery.extend({
  filters: z.string().max(4000).optional().describe('Values of the shared filters, as JSON: {"departement": "75"}.'),
});
const cardParams = z.object({ id: z.uuid(), index: z.coerce.number().int().min(0).max(100) });
const embedParams = z.object({ token: z.string().min(10).max(1000) });
const embedCardParams = embedParams.extend({ index: z.coerce.number().int().min(0).max(100) });
const embedBody = z.object({
  ttlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 30),
});
const embedAnswer = z.object({ token: z.string(), expiresAt: z.date(), path: z.string() });
const dashboardSummary = c.dashboard.omit({ cards: true, questions: true });

/** A result as CSV: the columns' labels as headers, one line per row. */
function sendResult(reply: FastifyReply, name: string, r: c.QueryResult) {
  const slug =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'resultat';
  return sendCsv(
    reply,
    `${slug}.csv`,
    r.columns.map((col, i) => ({ key: `c${i}`, header: col.label })),
    r.rows.map((row) => Object.fromEntries(row.map((v, i) => [`c${i}`, v]))),
  );
}

/**
 * Explore routes. Reading resources, the tabular API, public dashboards and embeds is public (the
 * service shows each caller only what it may read); questions and changes need a signed-in agent;
 * SQL of one's own the data team (checked in the service).
 */
export function exploreRoutes(svc: ExploreService): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/explore/resources',
          {
            schema: {
              tags,
              operationId: 'listExplorableResources',
              summary: 'Published resources the caller may explore, with the state of their extract and their columns',
              response: { 200: c.explorableResourceList, ...problems },
            },
          },
          async (req) => ({ items: await svc.listResources(req.caller) }),
        );
        p.get(
          '/api/explore/resources/:id',
          {
            schema: {
              tags,
              operationId: 'getExplorableResource',
              summary: 'One explorable resource: extract state, rows, columns and their types',
              params: c.resourceIdParams,
              response: { 200: c.explorableResource, ...problems },
            },
          },
          async (req) => svc.getResource(req.caller, req.params.id),
        );
        p.get(
          '/api/explore/resources/:id/data',
          {
            schema: {
              tags,
              operationId: 'getResourceData',
              summary: 'Tabular API (like data.gouv.fr’s api-tabular): filtered, sorted, paged or aggregated rows; JSON or CSV',
              description:
                'Filters per column: `<col>__exact`, `__differs`, `__contains`, `__notcontains`, `__in` (comma-separated), `__notin`, `__less`, `__greater`, ' +
                '`__strictly_less`, `__strictly_greater`, `__isnull`, `__isnotnull`. Sort: `<col>__sort=asc|desc`. Aggregation: `<col>__groupby` and ' +
                '`<col>__count`, `__sum`, `__avg`, `__min`, `__max` (output columns named `<col>__<fn>`). `columns=a,b` chooses columns. ' +
                'Rows carry `__id` (order of the file). Only resources the caller may read (open data, or its producers).',
              params: c.resourceIdParams,
              querystring: c.tabularQuery,
              response: { 200: c.tabularPage, ...problems },
            },
          },
          async (req, reply) => {
            if (req.query.format === 'csv') {
              const { name, result } = await svc.tabularCsv(req.caller, req.params.id, req.query);
              return sendResult(reply, name, result);
            }
            return svc.tabular(req.caller, req.params.id, req.query, req.url);
          },
        );
        p.get(
          '/api/explore/dashboards',
          {
            schema: {
              tags,
              operationId: 'listExploreDashboards',
              summary: 'Dashboards: public ones for everyone, restricted ones for signed-in agents',
              response: { 200: z.object({ items: z.array(dashboardSummary) }), ...problems },
            },
          },
          async (req) => ({ items: await svc.listDashboards(req.caller) }),
        );
        p.get(
          '/api/explore/dashboards/:id',
          {
            schema: {
              tags,
              operationId: 'getExploreDashboard',
              summary: 'One dashboard: cards, shared filters, the questions the caller may see',
              params: idParams,
              response: { 200: c.dashboard, ...problems },
            },
          },
          async (req) => svc.getDashboard(req.caller, req.params.id),
        );
        p.get(
          '/api/explore/dashboards/:id/cards/:index/result',
          {
            schema: {
              tags,
              operationId: 'getExploreDashboardCardResult',
              summary: 'Result of one card with the shared filters applied (to the cards having the column); JSON or CSV',
              params: cardParams,
              querystring: cardQuery,
              response: { 200: c.queryResult, ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.cardResult(req.caller, req.params.id, req.params.index, req.query.filters, { csv: req.query.format === 'csv' });
            return req.query.format === 'csv' ? sendResult(reply, r.title, r.result) : r.result;
          },
        );
        p.get(
          '/api/explore/embed/:token',
          {
            schema: {
              tags,
              operationId: 'getEmbeddedDashboard',
              summary: 'The dashboard of an embed token (signed, expiring, revocable)',
              params: embedParams,
              response: { 200: c.dashboard, ...problems },
            },
          },
          async (req) => svc.embeddedDashboard(req.params.token),
        );
        p.get(
          '/api/explore/embed/:token/cards/:index/result',
          {
            schema: {
              tags,
              operationId: 'getEmbeddedDashboardCardResult',
              summary: 'Result of one card of an embedded dashboard; the token is checked on every request, CSV included',
              params: embedCardParams,
              querystring: cardQuery,
              response: { 200: c.queryResult, ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.embeddedCard(req.params.token, req.params.index, req.query.filters, { csv: req.query.format === 'csv' });
            return req.query.format === 'csv' ? sendResult(reply, r.title, r.result) : r.result;
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/explore/resources/:id/convert',
          {
            schema: {
              tags,
              operationId: 'convertExplorableResource',
              summary: 'Convert the published version again (editors of the producer, admins)',
              params: c.resourceIdParams,
              response: { 202: c.explorableResource, ...problems },
            },
          },
          async (req, reply) => reply.status(202).send(await svc.reconvert(req.caller, req.params.id, requestMeta(req))),
        );
        p.post(
          '/api/explore/run',
          {
            schema: {
              tags,
              operationId: 'runExploreQuery',
              summary: 'Run an unsaved question (builder, or SQL for the data team)',
              body: c.runInput,
              response: { 200: c.queryResult, ...problems },
            },
          },
          async (req) => svc.run(req.caller, req.body),
        );
        p.get(
          '/api/explore/questions',
          {
            schema: {
              tags,
              operationId: 'listExploreQuestions',
              summary: 'Saved questions over resources the caller may read',
              response: { 200: c.questionList, ...problems },
            },
          },
          async (req) => ({ items: (await svc.listQuestions(req.caller)).map(({ builder: _b, sql: _s, ...q }) => q) }),
        );
        p.get(
          '/api/explore/questions/:id',
          {
            schema: { tags, operationId: 'getExploreQuestion', summary: 'One question', params: idParams, response: { 200: c.question, ...problems } },
          },
          async (req) => svc.getQuestion(req.caller, req.params.id),
        );
        p.get(
          '/api/explore/questions/:id/result',
          {
            schema: {
              tags,
              operationId: 'getExploreQuestionResult',
              summary: 'Result of a question; JSON or CSV',
              params: idParams,
              querystring: csvQuery,
              response: { 200: c.queryResult, ...problems },
            },
          },
          async (req, reply) => {
            const r = await svc.questionResult(req.caller, req.params.id, { csv: req.query.format === 'csv' });
            return req.query.format === 'csv' ? sendResult(reply, r.title, r.result) : r.result;
          },
        );
        p.post(
          '/api/explore/questions',
          {
            schema: {
              tags,
              operationId: 'createExploreQuestion',
              summary: 'Save a question',
              body: c.questionInput,
              response: { 201: c.question, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createQuestion(req.caller, req.body, requestMeta(req))),
        );
        p.put(
          '/api/explore/questions/:id',
          {
            schema: {
              tags,
              operationId: 'updateExploreQuestion',
              summary: 'Change a question (its author, editors of its organisation, admins)',
              params: idParams,
              body: c.questionInput,
              response: { 200: c.question, ...problems },
            },
          },
          async (req) => svc.updateQuestion(req.caller, req.params.id, req.body, requestMeta(req)),
        );
        p.delete(
          '/api/explore/questions/:id',
          {
            schema: { tags, operationId: 'deleteExploreQuestion', summary: 'Delete a question', params: idParams, response: { 204: noContent, ...problems } },
          },
          async (req, reply) => {
            await svc.deleteQuestion(req.caller, req.params.id, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
        p.post(
          '/api/explore/dashboards',
          {
            schema: {
              tags,
              operationId: 'createExploreDashboard',
              summary: 'Create a dashboard',
              body: c.dashboardInput,
              response: { 201: c.dashboard, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createDashboard(req.caller, req.body, requestMeta(req))),
        );
        p.put(
          '/api/explore/dashboards/:id',
          {
            schema: {
              tags,
              operationId: 'updateExploreDashboard',
              summary: 'Change a dashboard (cards, filters, visibility)',
              params: idParams,
              body: c.dashboardInput,
              response: { 200: c.dashboard, ...problems },
            },
          },
          async (req) => svc.updateDashboard(req.caller, req.params.id, req.body, requestMeta(req)),
        );
        p.delete(
          '/api/explore/dashboards/:id',
          {
            schema: { tags, operationId: 'deleteExploreDashboard', summary: 'Delete a dashboard', params: idParams, response: { 204: noContent, ...problems } },
          },
          async (req, reply) => {
            await svc.deleteDashboard(req.caller, req.params.id, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
        p.post(
          '/api/explore/dashboards/:id/embed',
          {
            schema: {
              tags,
              operationId: 'createExploreDashboardEmbed',
              summary: 'A signed, expiring embed token for an <iframe> of a public dashboard',
              params: idParams,
              body: embedBody,
              response: { 201: embedAnswer, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.embedToken(req.caller, req.params.id, req.body.ttlHours, requestMeta(req))),
        );
        p.post(
          '/api/explore/dashboards/:id/embed/revoke',
          {
            schema: {
              tags,
              operationId: 'revokeExploreDashboardEmbeds',
              summary: 'Revoke every embed token of a dashboard issued so far',
              params: idParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await svc.revokeEmbeds(req.caller, req.params.id, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
      }),
    );
  };
}
