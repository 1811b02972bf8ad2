import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { itemsOf, noContent } from '@patrimoine/contracts/common';
import * as c from '@patrimoine/contracts/habilitations';
import { routeGroup } from '../../platform/auth/access.ts';
import { principalOfUser } from '../../platform/auth/principal.ts';
import { problems, sendCsv } from '../../platform/http/common.ts';
import { ForbiddenError, UnauthorizedError, ValidationError, fieldError } from '../../platform/errors.ts';
import type { HabilitationsService } from './habilitations.service.ts';
import type { Webhooks } from './webhooks.ts';
import type { Notifier } from './notify.ts';
import type { AppContext } from '../../platform/context.ts';
import type { GatewayModuleService } from '../gateway/index.ts';
import { MAX_DOCUMENT_BYTES } from './blocks.ts';
import { monthOfFile, openDataColumns, type OpenDataExports } from './opendata.ts';
import { sendBlob } from '../../platform/blob/http.ts';

const tags = ['habilitations'];
const P = '/api/habilitations';
/** The gateway API whose OAuth2 tokens open the DataPass-compatible API (ADR 0605). */
export const V1_API_SLUG = 'habilitations-api';

const requestColumns = [
  { key: 'id', header: 'identifiant' },
  { key: 'definitionName', header: 'type_habilitation' },
  { key: 'intitule', header: 'intitule' },
  { key: 'state', header: 'etat' },
  { key: 'organisationName', header: 'organisation' },
  { key: 'siret', header: 'siret' },
  { key: 'applicant', header: 'demandeur' },
  { key: 'createdAt', header: 'creee_le' },
  { key: 'lastSubmittedAt', header: 'soumise_le' },
  { key: 'lastValidatedAt', header: 'validee_le' },
];
const habColumns = [
  { key: 'slug', header: 'habilitation' },
  { key: 'definitionName', header: 'api' },
  { key: 'state', header: 'etat' },
  { key: 'organisationName', header: 'organisation' },
  { key: 'siret', header: 'siret' },
  { key: 'scopes', header: 'perimetre' },
  { key: 'createdAt', header: 'date_debut' },
  { key: 'expiresAt', header: 'date_fin' },
];

const transitionParams = z.object({ id: z.string().min(1).max(80), transition: z.enum(c.transitions) });
const roleParams = z.object({ id: z.string().min(1).max(80), userId: z.uuid(), role: z.enum(c.definitionRoles) });
const formParams = z.object({ id: z.string().min(1).max(80), uid: z.string().min(1).max(80) });
const docParams = z.object({ id: z.string().min(1).max(80), docId: z.string().min(1).max(80) });
const attemptParams = z.object({ id: z.string().min(1).max(80), attemptId: z.string().min(1).max(80) });
const unsubscribeQuery = z.object({ email: z.string().max(200), sig: z.string().max(100) });
const opendataQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/, 'mois AAAA-MM attendu')
    .optional(),
});

export function habilitationsRoutes(deps: {
  ctx: AppContext;
  svc: HabilitationsService;
  webhooks: Webhooks;
  notifier: Notifier;
  gateway: () => GatewayModuleService | undefined;
  exports: OpenDataExports;
}): FastifyPluginAsync {
  const { ctx, svc, webhooks, notifier } = deps;
  const flat = (s: c.RequestSummary) => ({ ...s, applicant: s.applicant.displayName ?? s.applicant.login ?? '' });
  const habFlat = (h: c.Habilitation) => ({ ...h, scopes: h.scopes.join(' ') });

  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          `${P}/definitions`,
          {
            schema: {
              tags,
              operationId: 'listHabDefinitions',
              summary: 'Habilitation definitions (public ones, and those the caller instructs)',
              response: { 200: itemsOf(c.definition) },
            },
          },
          async (req) => ({ items: await svc.listDefinitions(req.caller) }),
        );
        p.get(
          `${P}/definitions/:id`,
          {
            schema: {
              tags,
              operationId: 'getHabDefinition',
              summary: 'A definition with its eligibility rules, blocks and scopes',
              params: c.idParam,
              response: { 200: c.definition, ...problems },
            },
          },
          async (req) => svc.getDefinition(req.caller, req.params.id),
        );
        p.get(
          `${P}/definitions/:id/forms`,
          {
            schema: {
              tags,
              operationId: 'listHabForms',
              summary: 'Forms of a definition (free and pre-filled)',
              params: c.idParam,
              response: { 200: itemsOf(c.form), ...problems },
            },
          },
          async (req) => ({ items: await svc.forms(req.caller, req.params.id) }),
        );
        p.post(
          `${P}/secrets/:token`,
          {
            schema: {
              tags,
              operationId: 'revealHabCredential',
              summary: 'Shows the credential of a habilitation once (one-time link of the technical contact)',
              description: 'POST, so that link previews and prefetchers do not consume the link. The secret is erased as it is shown.',
              params: c.revealParams,
              response: { 200: c.revealResult, ...problems },
            },
          },
          async (req) => svc.reveal(req.params.token),
        );
        p.get(
          `${P}/unsubscribe`,
          {
            schema: {
              tags,
              operationId: 'unsubscribeHabEmails',
              summary: 'Stops the habilitation e-mails to an address (signed link of each e-mail)',
              querystring: unsubscribeQuery,
              response: { 200: z.object({ email: z.string(), unsubscribed: z.boolean() }), ...problems },
            },
          },
          async (req) => {
            if (notifier.unsubscribeSig(req.query.email) !== req.query.sig) throw fieldError('sig', 'lien de désinscription invalide');
            await ctx.db.transaction(async (tx) => {
              await svc.repo.unsubscribe(req.query.email.toLowerCase(), tx);
              const { recordAudit } = await import('../../platform/audit/audit.repository.ts');
              await recordAudit(tx, {
                actor: { id: null, label: 'lien de désinscription' },
                action: 'habilitations.email.unsubscribe',
                entityType: 'hab_unsubscribe',
                entityId: req.query.email.toLowerCase(),
              });
            });
            return { email: req.query.email, unsubscribed: true };
          },
        );
        p.get(
          `${P}/opendata`,
          {
            schema: {
              tags,
              operationId: 'habOpenData',
              summary: 'Open data: active habilitations (organisation, SIRET, API, scopes, dates) as CSV',
              description: 'Like DataPass’s open export: `?month=YYYY-MM` gives the habilitations active at the end of that month (default: now). `text/csv`.',
              querystring: opendataQuery,
              response: { 200: z.string().describe('CSV'), ...problems },
            },
          },
          async (req, reply) => {
            const end = req.query.month ? new Date(Date.UTC(Number(req.query.month.slice(0, 4)), Number(req.query.month.slice(5, 7)), 1)) : ctx.clock.now();
            const rows = (await svc.openData(end)).map((h) => ({ ...h, scopes: h.scopes.join(' ') }));
            return sendCsv(reply, `habilitations-${req.query.month ?? end.toISOString().slice(0, 7)}.csv`, openDataColumns, rows);
          },
        );
        p.get(
          `${P}/opendata/exports`,
          {
            schema: {
              tags,
              operationId: 'listHabOpenDataExports',
              summary: 'Open data: the published monthly files of active habilitations',
              description: 'One CSV per ended month, written by the monthly job and never rewritten (like DataPass’s open export).',
              response: { 200: itemsOf(c.openDataExport), ...problems },
            },
          },
          async () => ({ items: await deps.exports.list() }),
        );
        p.get(
          `${P}/opendata/exports/:file`,
          {
            schema: {
              tags,
              operationId: 'getHabOpenDataExport',
              summary: 'Open data: one published monthly CSV (`habilitations-YYYY-MM.csv`)',
              params: z.object({ file: z.string().max(40) }),
              response: { 200: z.string().describe('CSV'), ...problems },
            },
          },
          async (req, reply) => {
            const month = monthOfFile(req.params.file);
            if (!month) throw fieldError('file', 'fichier habilitations-AAAA-MM.csv attendu');
            return sendBlob(req, reply, ctx.blobs, deps.exports.keyOf(month), {
              filename: req.params.file,
              contentType: 'text/csv; charset=utf-8',
              cacheControl: 'public, max-age=3600',
              notFound: `Le fichier du mois ${month} n’est pas publié.`,
            });
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.put(
          `${P}/definitions/:id`,
          {
            schema: {
              tags,
              operationId: 'saveHabDefinition',
              summary: 'Creates or replaces a definition (its managers, the provider’s data administrators)',
              params: c.idParam,
              body: c.definitionInput.omit({ id: true }),
              response: { 200: c.definition, ...problems },
            },
          },
          async (req) => svc.saveDefinition(req.caller, { ...req.body, id: req.params.id }),
        );
        p.put(
          `${P}/definitions/:id/forms/:uid`,
          {
            schema: {
              tags,
              operationId: 'saveHabForm',
              summary: 'Creates or replaces a form of a definition',
              params: formParams,
              body: c.formInput.omit({ uid: true }),
              response: { 200: c.form, ...problems },
            },
          },
          async (req) => svc.saveForm(req.caller, req.params.id, { ...req.body, uid: req.params.uid }),
        );
        p.get(
          `${P}/definitions/:id/roles`,
          {
            schema: {
              tags,
              operationId: 'listHabRoles',
              summary: 'Instructors, reporters and managers of a definition',
              params: c.idParam,
              response: { 200: itemsOf(c.roleAssignment), ...problems },
            },
          },
          async (req) => ({ items: await svc.roles(req.caller, req.params.id) }),
        );
        p.post(
          `${P}/definitions/:id/roles`,
          {
            schema: {
              tags,
              operationId: 'grantHabRole',
              summary: 'Gives a role on a definition (managers)',
              params: c.idParam,
              body: c.roleGrant,
              response: { 200: itemsOf(c.roleAssignment), ...problems },
            },
          },
          async (req) => ({ items: await svc.grantRole(req.caller, req.params.id, req.body.login, req.body.role) }),
        );
        p.delete(
          `${P}/definitions/:id/roles/:userId/:role`,
          {
            schema: {
              tags,
              operationId: 'revokeHabRole',
              summary: 'Withdraws a role (managers)',
              params: roleParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await svc.revokeRole(req.caller, req.params.id, req.params.userId, req.params.role);
            return reply.code(204).send(null);
          },
        );
        p.get(
          `${P}/definitions/:id/templates`,
          {
            schema: {
              tags,
              operationId: 'listHabTemplates',
              summary: 'Message templates of a definition',
              params: c.idParam,
              response: { 200: itemsOf(c.messageTemplate), ...problems },
            },
          },
          async (req) => ({ items: await svc.templates(req.caller, req.params.id) }),
        );
        p.post(
          `${P}/definitions/:id/templates`,
          {
            schema: {
              tags,
              operationId: 'createHabTemplate',
              summary: 'Adds a message template (managers)',
              params: c.idParam,
              body: c.messageTemplateInput,
              response: { 201: c.messageTemplate, ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await svc.addTemplate(req.caller, req.params.id, req.body)),
        );
        p.delete(
          `${P}/definitions/:id/templates/:templateId`,
          {
            schema: {
              tags,
              operationId: 'deleteHabTemplate',
              summary: 'Deletes a message template (managers)',
              params: z.object({ id: z.string().min(1).max(80), templateId: z.string().min(1).max(80) }),
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await svc.deleteTemplate(req.caller, req.params.id, req.params.templateId);
            return reply.code(204).send(null);
          },
        );
        p.get(
          `${P}/requests`,
          {
            schema: {
              tags,
              operationId: 'listHabRequests',
              summary: 'Requests: the caller’s and their organisation’s (`mine=true`), or the instruction queue',
              description: '`?format=csv` downloads the list as CSV (`text/csv`).',
              querystring: c.requestsQuery,
              response: { 200: c.requestList, ...problems },
            },
          },
          async (req, reply) => {
            const { format, ...q } = req.query;
            if (format === 'csv') {
              const all = await svc.listRequests(req.caller, { ...q, page: 1, pageSize: 10_000 });
              return sendCsv(reply, 'demandes-habilitation.csv', requestColumns, all.items.map(flat));
            }
            return svc.listRequests(req.caller, q);
          },
        );
        p.post(
          `${P}/requests`,
          {
            schema: {
              tags,
              operationId: 'createHabRequest',
              summary: 'Starts a request (draft), from a form; an instructor may pre-fill one for an applicant',
              body: c.createRequestInput,
              response: { 201: c.requestSummary, ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await svc.createRequest(req.caller, req.body)),
        );
        p.get(
          `${P}/requests/:id`,
          {
            schema: {
              tags,
              operationId: 'getHabRequest',
              summary: 'A request with its timeline, messages, documents, diff and allowed transitions',
              params: c.idParam,
              response: { 200: c.requestDetail, ...problems },
            },
          },
          async (req) => svc.getRequest(req.caller, req.params.id),
        );
        p.patch(
          `${P}/requests/:id`,
          {
            schema: {
              tags,
              operationId: 'updateHabRequest',
              summary: 'Saves the form’s data (autosave; draft or changes requested)',
              params: c.idParam,
              body: c.updateRequestInput,
              response: { 200: c.requestSummary, ...problems },
            },
          },
          async (req) => svc.updateRequest(req.caller, req.params.id, req.body),
        );
        p.post(
          `${P}/requests/:id/transitions/:transition`,
          {
            schema: {
              tags,
              operationId: 'transitionHabRequest',
              summary: 'A transition of DataPass’s state machine (submit, request_changes, approve, refuse, archive, reopen, cancel_reopening, revoke, claim)',
              description:
                'Checked by role; concurrent decisions: the first wins, the other gets 409. Approval provisions the gateway in the same transaction.',
              params: transitionParams,
              body: c.transitionInput.optional(),
              response: { 200: c.transitionResult, ...problems },
            },
          },
          async (req) => svc.transition(req.caller, req.params.id, req.params.transition, req.body ?? {}),
        );
        p.post(
          `${P}/requests/:id/messages`,
          {
            schema: {
              tags,
              operationId: 'postHabMessage',
              summary: 'A message between the applicant and the instruction',
              params: c.idParam,
              body: c.messageInput,
              response: { 201: c.message, ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await svc.postMessage(req.caller, req.params.id, req.body.body)),
        );
        await p.register(async (up) => {
          up.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES + 1 }, (_req, body, done) => done(null, body));
          up.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES + 1 }, (_req, body, done) => done(null, body));
          up.withTypeProvider<ZodTypeProvider>().post(
            `${P}/requests/:id/documents`,
            {
              bodyLimit: MAX_DOCUMENT_BYTES + 1,
              schema: {
                tags,
                operationId: 'uploadHabDocument',
                summary: 'Attaches a PDF (≤ 10 MB, checked by its first bytes) to a document field; body: the file (`application/pdf`)',
                consumes: ['application/pdf', 'multipart/form-data'],
                params: c.idParam,
                querystring: c.documentQuery.extend({ filename: z.string().max(200).optional() }),
                response: { 201: c.document, ...problems },
              },
              errorHandler: (err) => {
                if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw fieldError('document', 'document trop volumineux (10 Mo au plus)');
                throw err;
              },
            },
            async (req, reply) => {
              let body = req.body as unknown;
              let filename = req.query.filename ?? 'document.pdf';
              if (req.isMultipart()) {
                // A form's file field (the web page): one file, read up to the limit.
                const f = await req.file({ limits: { fileSize: MAX_DOCUMENT_BYTES + 1, files: 1 } });
                if (!f) throw fieldError(req.query.key, 'aucun fichier reçu');
                body = await f.toBuffer().catch(() => {
                  throw fieldError(req.query.key, 'document trop volumineux (10 Mo au plus)');
                });
                filename = f.filename || filename;
              }
              if (!Buffer.isBuffer(body)) throw fieldError('document', 'envoyez le fichier PDF comme corps de la requête (application/pdf)');
              return reply.code(201).send(await svc.uploadDocument(req.caller, req.params.id, req.query.key, filename, body));
            },
          );
        });
        p.get(
          `${P}/requests/:id/documents/:docId`,
          {
            schema: {
              tags,
              operationId: 'getHabDocument',
              summary: 'Downloads a document of a request (PDF)',
              params: docParams,
              response: { 200: z.string().describe('PDF'), ...problems },
            },
          },
          async (req, reply) => {
            const d = await svc.document(req.caller, req.params.id, req.params.docId);
            return reply
              .type('application/pdf')
              .header('content-disposition', `attachment; filename="${encodeURIComponent(d.filename)}"`)
              .header('x-content-type-options', 'nosniff')
              .send(d.content as never);
          },
        );
        p.get(
          `${P}/habilitations`,
          {
            schema: {
              tags,
              operationId: 'listHabHabilitations',
              summary: 'Habilitations the caller may see',
              description: '`?format=csv` downloads them as CSV.',
              querystring: c.habilitationsQuery,
              response: { 200: itemsOf(c.habilitation), ...problems },
            },
          },
          async (req, reply) => {
            const { format, ...q } = req.query;
            const items = await svc.listHabilitations(req.caller, q);
            return format === 'csv' ? sendCsv(reply, 'habilitations.csv', habColumns, items.map(habFlat)) : { items };
          },
        );
        p.get(
          `${P}/habilitations/:id`,
          {
            schema: {
              tags,
              operationId: 'getHabHabilitation',
              summary: 'A habilitation with its live usage and quota from the gateway',
              params: c.idParam,
              response: { 200: c.habilitationWithUsage, ...problems },
            },
          },
          async (req) => svc.getHabilitation(req.caller, req.params.id),
        );
        p.get(
          `${P}/stats`,
          {
            schema: {
              tags,
              operationId: 'habStats',
              summary: 'Statistics per definition: volumes, backlog, p50/p80 times (hours)',
              description: '`?format=csv` downloads them as CSV.',
              querystring: c.statsQuery.extend({ format: z.enum(['json', 'csv']).optional() }),
              response: { 200: c.statsResult, ...problems },
            },
          },
          async (req, reply) => {
            const out = await svc.stats(req.caller, req.query.definitionId);
            if (req.query.format === 'csv')
              return sendCsv(
                reply,
                'statistiques-habilitations.csv',
                [
                  { key: 'name', header: 'type_habilitation' },
                  { key: 'submitted', header: 'soumises' },
                  { key: 'validated', header: 'validees' },
                  { key: 'refused', header: 'refusees' },
                  { key: 'reopened', header: 'reouvertes' },
                  { key: 'backlog', header: 'en_instruction' },
                  { key: 'firstP50', header: 'premiere_decision_p50_h' },
                  { key: 'finalP50', header: 'decision_finale_p50_h' },
                ],
                out.items.map((s) => ({
                  name: s.name,
                  ...s.volumes,
                  backlog: s.backlog,
                  firstP50: s.timeToFirstDecision.p50,
                  finalP50: s.timeToFinalDecision.p50,
                })),
              );
            return out;
          },
        );
        // Webhooks (DataPass's developer space).
        p.get(
          `${P}/webhooks`,
          {
            schema: {
              tags,
              operationId: 'listHabWebhooks',
              summary: 'Webhooks of the definitions the caller manages',
              description: '`?format=csv` downloads them as CSV.',
              querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
              response: { 200: itemsOf(c.webhook), ...problems },
            },
          },
          async (req, reply) => {
            const items = await webhooks.list(req.caller);
            return req.query.format === 'csv'
              ? sendCsv(
                  reply,
                  'webhooks.csv',
                  [
                    { key: 'definitionId', header: 'type_habilitation' },
                    { key: 'url', header: 'url' },
                    { key: 'enabled', header: 'actif' },
                    { key: 'consecutiveFailures', header: 'echecs' },
                  ],
                  items,
                )
              : { items };
          },
        );
        p.post(
          `${P}/webhooks`,
          {
            schema: {
              tags,
              operationId: 'createHabWebhook',
              summary: 'Creates a webhook and sends it the test payload (enabled when accepted)',
              body: c.webhookInput,
              response: { 201: z.object({ webhook: c.webhook, test: z.object({ statusCode: z.number().nullable(), ok: z.boolean() }) }), ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await webhooks.create(req.caller, req.body)),
        );
        p.post(
          `${P}/webhooks/:id/enabled`,
          {
            schema: {
              tags,
              operationId: 'setHabWebhookEnabled',
              summary: 'Enables or disables a webhook',
              params: c.idParam,
              body: z.object({ enabled: z.boolean() }),
              response: { 200: c.webhook, ...problems },
            },
          },
          async (req) => webhooks.setEnabled(req.caller, req.params.id, req.body.enabled),
        );
        p.get(
          `${P}/webhooks/:id/attempts`,
          {
            schema: {
              tags,
              operationId: 'listHabWebhookAttempts',
              summary: 'Delivery attempts of a webhook',
              description: '`?format=csv` downloads them as CSV.',
              params: c.idParam,
              querystring: c.v1AttemptsQuery.extend({ format: z.enum(['json', 'csv']).optional() }),
              response: { 200: itemsOf(c.webhookAttempt), ...problems },
            },
          },
          async (req, reply) => {
            const { format, ...f } = req.query;
            const items = await webhooks.attempts(req.caller, req.params.id, f);
            return format === 'csv'
              ? sendCsv(
                  reply,
                  'appels-webhook.csv',
                  ['created_at', 'event', 'status_code', 'attempt', 'authorization_request_id'].map((k) => ({ key: k, header: k })),
                  items,
                )
              : { items };
          },
        );
        p.post(
          `${P}/webhooks/:id/attempts/:attemptId/replay`,
          {
            schema: {
              tags,
              operationId: 'replayHabWebhookAttempt',
              summary: 'Sends an attempt’s payload again',
              params: attemptParams,
              response: { 202: z.object({ queued: z.boolean() }), ...problems },
            },
          },
          async (req, reply) => reply.code(202).send(await webhooks.replay(req.caller, req.params.id, req.params.attemptId)),
        );
      }),
    );

    // ---------- DataPass API v1 (OAuth2 client credentials of the gateway) ----------
    const V = `${P}/v1`;
    // A bearer token, here an access token of the gateway's OAuth2 server (audience: the `habilitations-api` API).
    const security = [{ bearer: [] as string[] }];
    await app.register(
      routeGroup('raw', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        type Client = { applicationId: string; organisationCode: string | null; clientId: string; scopes: string[]; definitionIds: string[] };
        async function client(req: FastifyRequest, scope: 'read_authorizations' | 'write_authorizations' | 'read_webhooks'): Promise<Client> {
          const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
          if (!m) throw new UnauthorizedError('Jeton d’accès OAuth2 requis (client credentials de la passerelle, API « habilitations-api »).');
          const gw = deps.gateway();
          if (!gw) throw new UnauthorizedError('Passerelle indisponible.');
          const v = await gw.provisioning.verifyToken(m[1]!, V1_API_SLUG);
          if (!v.ok) throw new UnauthorizedError(v.reason);
          if (!v.scopes.includes(scope)) throw new ForbiddenError(`Portée « ${scope} » requise.`);
          const defs = (await svc.repo.listDefinitions()).filter(
            (d) => v.organisationCode !== null && d.providerId === (ctx.organisations && orgIds.get(v.organisationCode!)),
          );
          return { ...v, definitionIds: defs.map((d) => d.id) };
        }
        const orgIds = new Map<string, string>();
        g.addHook('onReady', async () => {
          for (const o of await ctx.organisations.list()) orgIds.set(o.code, o.id);
        });
        const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
        const errs = { 401: problems[401], 403: problems[403], 404: problems[404], 400: problems[400] };

        p.get(
          `${V}/me`,
          { schema: { tags, operationId: 'v1Me', summary: 'DataPass API v1: the calling client', security, response: { 200: c.v1Me, ...errs } } },
          async (req, reply) => {
            const cl = await client(req, 'read_authorizations').catch(
              async (e) => (await client(req, 'read_webhooks').catch(() => Promise.reject(e))) as Client,
            );
            noStore(reply);
            return {
              client_id: cl.clientId,
              application_id: cl.applicationId,
              organisation: cl.organisationCode,
              scopes: cl.scopes,
              definitions: cl.definitionIds,
            };
          },
        );
        p.get(
          `${V}/definitions`,
          {
            schema: {
              tags,
              operationId: 'v1ListDefinitions',
              summary: 'DataPass API v1: definitions',
              security,
              response: { 200: z.array(c.v1Definition), ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            return (await svc.v1.definitions()).filter((d) => cl.definitionIds.includes(d.id));
          },
        );
        p.get(
          `${V}/definitions/:id/formulaires`,
          {
            schema: {
              tags,
              operationId: 'v1ListForms',
              summary: 'DataPass API v1: forms of a definition',
              security,
              params: c.idParam,
              response: { 200: z.array(c.v1Form), ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            if (!cl.definitionIds.includes(req.params.id)) throw new ForbiddenError('Ce type d’habilitation n’est pas ouvert à ce client.');
            return svc.v1.forms(req.params.id);
          },
        );
        p.get(
          `${V}/demandes`,
          {
            schema: {
              tags,
              operationId: 'v1ListRequests',
              summary: 'DataPass API v1: requests of the client’s definitions',
              security,
              querystring: c.v1ListQuery,
              response: { 200: z.array(c.v1Request), ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            return svc.v1.requests(cl.definitionIds, req.query);
          },
        );
        p.get(
          `${V}/demandes/:id`,
          {
            schema: {
              tags,
              operationId: 'v1GetRequest',
              summary: 'DataPass API v1: a request',
              security,
              params: c.idParam,
              response: { 200: c.v1Request, ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            return svc.v1.request(cl.definitionIds, req.params.id);
          },
        );
        p.get(
          `${V}/demandes/:id/events`,
          {
            schema: {
              tags,
              operationId: 'v1ListRequestEvents',
              summary: 'DataPass API v1: events of a request',
              security,
              params: c.idParam,
              response: { 200: z.array(c.v1Event), ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            return (await svc.v1.request(cl.definitionIds, req.params.id)).events;
          },
        );
        p.post(
          `${V}/demandes`,
          {
            schema: {
              tags,
              operationId: 'v1CreateRequest',
              summary: 'DataPass API v1: creates a draft for an applicant (by e-mail)',
              security,
              body: c.v1CreateRequest,
              response: { 201: c.v1Request, ...errs },
            },
          },
          async (req, reply) => {
            const cl = await client(req, 'write_authorizations');
            if (!cl.definitionIds.includes(req.body.definition_id)) throw new ForbiddenError('Ce type d’habilitation n’est pas ouvert à ce client.');
            const users = await ctx.usersRepo.list({ q: req.body.applicant_email, page: 1, pageSize: 5 });
            const u = users.items.find((x) => (x.email ?? '').toLowerCase() === req.body.applicant_email.toLowerCase());
            if (!u) throw new ValidationError('Demandeur inconnu.', [{ field: 'applicant_email', message: 'aucun compte n’a cette adresse' }]);
            const full = await ctx.usersRepo.findById(u.id);
            const s = await svc.createRequest(
              principalOfUser(full!),
              { definitionId: req.body.definition_id, formUid: req.body.form_uid, data: req.body.data },
              true,
            );
            return reply.code(201).send(await svc.v1.request(cl.definitionIds, s.id));
          },
        );
        p.patch(
          `${V}/demandes/:id`,
          {
            schema: {
              tags,
              operationId: 'v1UpdateRequest',
              summary: 'DataPass API v1: updates the data of a draft',
              security,
              params: c.idParam,
              body: c.v1UpdateRequest,
              response: { 200: c.v1Request, ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'write_authorizations');
            const cur = await svc.v1.request(cl.definitionIds, req.params.id);
            const full = cur.applicant?.id ? await ctx.usersRepo.findById(cur.applicant.id) : null;
            if (!full) throw new ForbiddenError('Demande sans demandeur : elle se reprend dans l’interface.');
            await svc.updateRequest(principalOfUser(full), req.params.id, { data: { ...cur.data, ...req.body.data } }, true);
            return svc.v1.request(cl.definitionIds, req.params.id);
          },
        );
        p.get(
          `${V}/habilitations`,
          {
            schema: {
              tags,
              operationId: 'v1ListHabilitations',
              summary: 'DataPass API v1: habilitations of the client’s definitions',
              security,
              querystring: c.v1ListQuery.omit({ state: true }),
              response: { 200: z.array(c.v1Habilitation), ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            return svc.v1.habilitations(cl.definitionIds, req.query);
          },
        );
        p.get(
          `${V}/habilitations/:id`,
          {
            schema: {
              tags,
              operationId: 'v1GetHabilitation',
              summary: 'DataPass API v1: a habilitation',
              security,
              params: c.idParam,
              response: { 200: c.v1Habilitation, ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_authorizations');
            return svc.v1.habilitation(cl.definitionIds, req.params.id);
          },
        );
        p.get(
          `${V}/webhooks/:id/attempts`,
          {
            schema: {
              tags,
              operationId: 'v1ListWebhookAttempts',
              summary: 'DataPass API v1: attempts of a webhook (`since`, `until`)',
              security,
              params: c.idParam,
              querystring: c.v1AttemptsQuery,
              response: { 200: z.array(c.webhookAttempt), ...errs },
            },
          },
          async (req) => {
            const cl = await client(req, 'read_webhooks');
            const w = /^[0-9a-f-]{36}$/i.test(req.params.id) ? await svc.repo.webhook(req.params.id) : null;
            if (!w || !cl.definitionIds.includes(w.definitionId)) throw new ForbiddenError('Ce webhook n’est pas ouvert à ce client.');
            return (await svc.repo.attemptsOf(w.id, req.query)).map(webhooks.attemptView);
          },
        );
      }),
    );
  };
}
