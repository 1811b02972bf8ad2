import fs from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, noContent } from '@patrimoine/contracts/common';
import * as c from '@patrimoine/contracts/governance';
import { routeGroup } from '../../platform/auth/access.ts';
import { problems, requestMeta, sendCsv } from '../../platform/http/common.ts';
import { fieldError } from '../../platform/errors.ts';
import { LETTER_LIMIT, type GovernanceService } from './governance.service.ts';

const tags = ['governance'];
const API = '/api/governance';
const pdfFile = z.string().describe('Fichier PDF');

/**
 * The governance API (issue 20): `/api/governance/...` (signed-in; mutations checked by role in the
 * service) and `/api/public/governance/network` (names of the administrators, as published).
 */
export function governanceRoutes(svc: GovernanceService): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        g.withTypeProvider<ZodTypeProvider>().get(
          '/api/public/governance/network',
          {
            schema: {
              tags,
              operationId: 'getPublicGovernanceNetwork',
              summary: 'Names of the data administrators and referents in office, as published (no contact details)',
              response: { 200: c.publicNetwork },
            },
          },
          async () => svc.publicNetwork(),
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        // ---- the network ----
        p.get(
          `${API}/network`,
          {
            schema: {
              tags,
              operationId: 'getGovernanceNetwork',
              summary: 'The network by role, directorate and région, with vacancies',
              response: { 200: c.network, ...problems },
            },
          },
          async (req) => svc.network(req.caller),
        );
        p.get(
          `${API}/appointments`,
          {
            schema: {
              tags,
              operationId: 'listGovernanceAppointments',
              summary: 'Appointments in office (or all with `history=true`)',
              description: '`?format=csv` downloads the directory as CSV (`text/csv`).',
              querystring: c.directoryQuery,
              response: { 200: z.object({ items: z.array(c.appointment) }), ...problems },
            },
          },
          async (req, reply) => {
            const { format, history, ...f } = req.query;
            const items = await svc.listAppointments(req.caller, { ...f, history: history === 'true' });
            if (format !== 'csv') return { items };
            return sendCsv(
              reply,
              'annuaire-gouvernance-donnees.csv',
              [
                { key: 'role', header: 'Rôle' },
                { key: 'position', header: 'Position' },
                { key: 'organisation', header: 'Direction' },
                { key: 'region', header: 'Région' },
                { key: 'personName', header: 'Nom' },
                { key: 'email', header: 'Courriel' },
                { key: 'phone', header: 'Téléphone' },
                { key: 'appointedOn', header: 'Nommé(e) le' },
                { key: 'until', header: 'Jusqu’au' },
                { key: 'letterSignedOn', header: 'Lettre de mission signée le' },
                { key: 'letterSignatory', header: 'Signataire' },
                { key: 'public', header: 'Publié' },
              ],
              items.map((a) => ({
                role: c.governanceRoleLabels[a.role],
                position: c.appointmentPositionLabels[a.position],
                organisation: a.organisation?.code ?? '',
                region: a.regionName ?? '',
                personName: a.personName,
                email: a.email ?? '',
                phone: a.phone ?? '',
                appointedOn: a.appointedOn,
                until: a.until ?? '',
                letterSignedOn: a.letter?.signedOn ?? '',
                letterSignatory: a.letter?.signatory ?? '',
                public: a.public,
              })),
            );
          },
        );
        p.get(
          `${API}/appointments/:id`,
          {
            schema: {
              tags,
              operationId: 'getGovernanceAppointment',
              summary: 'An appointment',
              params: idParams,
              response: { 200: c.appointment, ...problems },
            },
          },
          async (req) => svc.getAppointment(req.caller, req.params.id),
        );
        p.post(
          `${API}/appointments`,
          {
            schema: {
              tags,
              operationId: 'createGovernanceAppointment',
              summary: 'Appoint someone to a role of the network (ministerial data administrator)',
              body: c.appointmentInput,
              response: { 201: c.appointment, ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await svc.createAppointment(req.caller, req.body, requestMeta(req))),
        );
        p.patch(
          `${API}/appointments/:id`,
          {
            schema: {
              tags,
              operationId: 'updateGovernanceAppointment',
              summary: 'Change an appointment (end it with `until`)',
              params: idParams,
              body: c.appointmentPatch,
              response: { 200: c.appointment, ...problems },
            },
          },
          async (req) => svc.updateAppointment(req.caller, req.params.id, req.body, requestMeta(req)),
        );
        p.delete(
          `${API}/appointments/:id`,
          {
            schema: {
              tags,
              operationId: 'deleteGovernanceAppointment',
              summary: 'Delete an appointment recorded by mistake',
              params: idParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await svc.deleteAppointment(req.caller, req.params.id, requestMeta(req));
            return reply.code(204).send(null);
          },
        );
        p.put(
          `${API}/appointments/:id/letter`,
          {
            schema: {
              tags,
              operationId: 'putGovernanceMissionLetter',
              summary: 'Upload the mission letter of an appointment (PDF, 5 MB at most)',
              description: 'Multipart form: file `letter` (PDF, checked by its signature), fields `signedOn` (YYYY-MM-DD) and `signatory`.',
              params: idParams,
              response: { 200: c.appointment, ...problems },
            },
          },
          async (req) => {
            if (!req.isMultipart()) throw fieldError('letter', 'envoyez un formulaire multipart (multipart/form-data) avec le fichier « letter »');
            const fields: Record<string, string> = {};
            let pdf: Buffer | null = null;
            for await (const part of req.parts({ limits: { fileSize: LETTER_LIMIT, files: 1, fields: 10, fieldSize: 4096 } })) {
              if (part.type === 'file') {
                if (part.fieldname !== 'letter') {
                  part.file.resume();
                  throw fieldError(part.fieldname, 'champ de fichier inattendu (attendu : letter)');
                }
                const chunks: Buffer[] = [];
                for await (const ch of part.file as AsyncIterable<Buffer>) chunks.push(ch);
                if (part.file.truncated) throw fieldError('letter', 'lettre trop volumineuse (5 Mo au plus)');
                pdf = Buffer.concat(chunks);
              } else fields[part.fieldname] = String(part.value ?? '');
            }
            return svc.putLetter(req.caller, req.params.id, pdf, fields, requestMeta(req));
          },
        );
        p.get(
          `${API}/appointments/:id/letter`,
          {
            schema: {
              tags,
              operationId: 'getGovernanceMissionLetter',
              summary: 'The mission letter (PDF): ministerial administrator, the directorate’s data administrator, the person appointed',
              params: idParams,
              response: { 200: { content: { 'application/pdf': { schema: pdfFile } } }, ...problems },
            },
          },
          async (req, reply) => {
            const { file, name } = await svc.letterPath(req.caller, req.params.id);
            reply.header('content-type', 'application/pdf');
            reply.header('content-disposition', `attachment; filename="${name}"`);
            reply.header('cache-control', 'private, no-store');
            return reply.send(fs.createReadStream(file) as never);
          },
        );

        // ---- review campaigns ----
        p.get(
          `${API}/campaigns`,
          {
            schema: {
              tags,
              operationId: 'listGovernanceCampaigns',
              summary: 'Review campaigns of the cartography, with their progress',
              response: { 200: c.campaignList, ...problems },
            },
          },
          async (req) => ({ items: await svc.listCampaigns(req.caller) }),
        );
        p.post(
          `${API}/campaigns`,
          {
            schema: {
              tags,
              operationId: 'createGovernanceCampaign',
              summary: 'Open a review campaign (ministerial administrator)',
              body: c.campaignInput,
              response: { 201: c.campaign, ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await svc.createCampaign(req.caller, req.body, requestMeta(req))),
        );
        p.get(
          `${API}/campaigns/:id`,
          {
            schema: {
              tags,
              operationId: 'getGovernanceCampaign',
              summary: 'A campaign and its progress per directorate',
              params: idParams,
              response: { 200: c.campaign, ...problems },
            },
          },
          async (req) => svc.getCampaign(req.caller, req.params.id),
        );
        p.get(
          `${API}/campaigns/:id/items`,
          {
            schema: {
              tags,
              operationId: 'listGovernanceReviewItems',
              summary: 'Assets of a campaign with completeness, last confirmation and outcome',
              description: '`?format=csv` downloads the list as CSV (`text/csv`).',
              params: idParams,
              querystring: c.reviewItemsQuery,
              response: { 200: c.reviewItemPage, ...problems },
            },
          },
          async (req, reply) => {
            const { format, page, pageSize, ...f } = req.query;
            const r = await svc.reviewItems(req.caller, req.params.id, f, format === 'csv' ? null : { page, pageSize });
            if (format !== 'csv') return { items: r.items, total: r.total, page, pageSize };
            return sendCsv(
              reply,
              `revue-${r.campaign.id.slice(0, 8)}.csv`,
              [
                { key: 'organisationCode', header: 'Direction' },
                { key: 'ref', header: 'Actif' },
                { key: 'title', header: 'Titre' },
                { key: 'completeness', header: 'Complétude (%)' },
                { key: 'lastConfirmedAt', header: 'Dernière confirmation' },
                { key: 'stale', header: 'Périmé' },
                { key: 'outcome', header: 'Revue' },
                { key: 'reviewedAt', header: 'Revu le' },
                { key: 'reviewedBy', header: 'Revu par' },
              ],
              r.items.map((i) => ({
                ...i,
                ref: `${i.kind}:${i.slug}`,
                outcome: c.reviewOutcomeLabels[i.outcome],
                lastConfirmedAt: i.lastConfirmedAt ?? '',
                reviewedAt: i.reviewedAt ?? '',
              })),
            );
          },
        );
        p.post(
          `${API}/campaigns/:id/items/:assetId/confirm`,
          {
            schema: {
              tags,
              operationId: 'confirmGovernanceReviewItem',
              summary: 'Confirm an asset unchanged (the owner’s data administrator)',
              params: c.campaignAssetParams,
              response: { 200: c.reviewItem, ...problems },
            },
          },
          async (req) => svc.confirm(req.caller, req.params.id, req.params.assetId, requestMeta(req)),
        );
        p.post(
          `${API}/campaigns/:id/remind`,
          {
            schema: {
              tags,
              operationId: 'remindGovernanceCampaign',
              summary: 'Send the reminders now (ministerial administrator)',
              params: idParams,
              response: { 200: c.remindResult, ...problems },
            },
          },
          async (req) => svc.remind(req.caller, req.params.id, requestMeta(req)),
        );
        p.post(
          `${API}/campaigns/:id/close`,
          {
            schema: {
              tags,
              operationId: 'closeGovernanceCampaign',
              summary: 'Close a campaign (ministerial administrator)',
              params: idParams,
              response: { 200: c.campaign, ...problems },
            },
          },
          async (req) => svc.closeCampaign(req.caller, req.params.id, requestMeta(req)),
        );

        // ---- value of data projects ----
        p.get(
          `${API}/grid`,
          { schema: { tags, operationId: 'getGovernanceGrid', summary: 'The weighted scoring grid of data projects', response: { 200: c.grid, ...problems } } },
          async (req) => svc.grid(req.caller),
        );
        p.put(
          `${API}/grid`,
          {
            schema: {
              tags,
              operationId: 'putGovernanceGrid',
              summary: 'Replace the scoring grid (data team)',
              body: c.gridInput,
              response: { 200: c.grid, ...problems },
            },
          },
          async (req) => svc.saveGrid(req.caller, req.body, requestMeta(req)),
        );
        p.get(
          `${API}/projects`,
          {
            schema: {
              tags,
              operationId: 'listGovernanceProjects',
              summary: 'Data project proposals with their scores',
              description: '`?format=csv` downloads proposals and scores as CSV (`text/csv`).',
              querystring: c.projectsQuery,
              response: { 200: c.projectList, ...problems },
            },
          },
          async (req, reply) => {
            const items = await svc.listProjects(req.caller, req.query.status);
            if (req.query.format !== 'csv') return { items };
            const grid = await svc.grid(req.caller);
            return sendCsv(
              reply,
              'projets-donnees.csv',
              [
                { key: 'title', header: 'Projet' },
                { key: 'organisationCode', header: 'Direction' },
                { key: 'status', header: 'Statut' },
                { key: 'value', header: 'Valeur (/100)' },
                { key: 'effort', header: 'Effort (/100)' },
                { key: 'catalogQuality', header: 'Complétude des actifs (%)' },
                { key: 'assets', header: 'Actifs' },
                ...grid.criteria.map((k) => ({ key: `k:${k.id}`, header: `${k.label} (${k.weight})` })),
                { key: 'decision', header: 'Décision' },
                { key: 'decidedAt', header: 'Décidé le' },
              ],
              items.map((x) => ({
                title: x.title,
                organisationCode: x.organisationCode,
                status: c.projectStatusLabels[x.status],
                value: x.value ?? '',
                effort: x.effort ?? '',
                catalogQuality: x.catalogQuality ?? '',
                assets: x.assets.map((a) => a.ref).join(' '),
                ...Object.fromEntries(x.scores.map((s) => [`k:${s.criterionId}`, s.score])),
                decision: x.decision ?? '',
                decidedAt: x.decidedAt ?? '',
              })),
            );
          },
        );
        p.post(
          `${API}/projects`,
          {
            schema: {
              tags,
              operationId: 'createGovernanceProject',
              summary: 'Propose a data project',
              body: c.projectInput,
              response: { 201: c.project, ...problems },
            },
          },
          async (req, reply) => reply.code(201).send(await svc.createProject(req.caller, req.body, requestMeta(req))),
        );
        p.get(
          `${API}/projects/:id`,
          { schema: { tags, operationId: 'getGovernanceProject', summary: 'A data project', params: idParams, response: { 200: c.project, ...problems } } },
          async (req) => svc.getProject(req.caller, req.params.id),
        );
        p.put(
          `${API}/projects/:id/scores`,
          {
            schema: {
              tags,
              operationId: 'scoreGovernanceProject',
              summary: 'Score a project on the grid (data lab)',
              params: idParams,
              body: c.scoreInput,
              response: { 200: c.project, ...problems },
            },
          },
          async (req) => svc.score(req.caller, req.params.id, req.body, requestMeta(req)),
        );
        p.post(
          `${API}/projects/:id/decision`,
          {
            schema: {
              tags,
              operationId: 'decideGovernanceProject',
              summary: 'Record the decision on a project (ministerial administrator)',
              params: idParams,
              body: c.decisionInput,
              response: { 200: c.project, ...problems },
            },
          },
          async (req) => svc.decide(req.caller, req.params.id, req.body, requestMeta(req)),
        );
      }),
    );
  };
}
