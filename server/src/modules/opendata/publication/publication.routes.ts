import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '@patrimoine/contracts/opendata';
import { idParams } from '@patrimoine/contracts/common';
import { routeGroup } from '../../../platform/auth/access.ts';
import { problems, requestMeta, sendCsv } from '../../../platform/http/common.ts';
import { fieldError } from '../../../platform/errors.ts';
import { sendBlob } from '../../../platform/blob/index.ts';
import type { BlobStore } from '../../../platform/blob/blob.ts';
import { DEFAULT_UPLOAD_LIMITS, checkedFile, receiveMultipart } from '../../../platform/http/upload.ts';
import type { PublicationService } from './publication.service.ts';
import type { UsageService } from './usage.ts';

const tags = ['opendata'];
const dataFile = z.string().describe('Fichier de données (CSV, XLSX ou ODS), tel que déposé');
const fileResponse = {
  description: 'Le fichier (206 pour une plage d’octets, 304 si l’ETag n’a pas changé, 416 pour une plage hors du fichier)',
  content: {
    'text/csv': { schema: dataFile },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: dataFile },
    'application/vnd.oasis.opendocument.spreadsheet': { schema: dataFile },
  },
};
const resourceParams = z.object({ slug: z.string().trim().min(1).max(200), resource: z.string().trim().min(1).max(200) });

/**
 * Resources, versions, publication and downloads of open datasets. Reading is public for open
 * datasets (published versions only); writing needs an editor or data_admin of the dataset's
 * organisation (checked in the service); the waiver a data_admin.
 */
export function publicationRoutes(svc: PublicationService, usage: UsageService, blobs: BlobStore): FastifyPluginAsync {
  async function serve(
    req: FastifyRequest,
    reply: FastifyReply,
    found: {
      dataset: { slug: string };
      resource: { id: string; slug: string };
      version: { id: string; number: number; format: string | null; filename: string; blobKey: string; mediaType: string | null; state: string };
    },
    count: boolean,
  ) {
    const { dataset, resource, version } = found;
    if (version.state === 'withdrawn') {
      return reply
        .status(410)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Version retirée', status: 410, detail: 'Cette version a été retirée par son producteur.' });
    }
    const range = req.headers.range;
    const res = await sendBlob(req, reply, blobs, version.blobKey, {
      filename: svc.downloadName(dataset.slug, resource.slug, version),
      contentType: version.mediaType ?? undefined,
      cacheControl: count ? 'public, max-age=60' : 'private, no-store',
      notFound: 'Fichier introuvable.',
    });
    // One download per client and window; a resumed download (range past the start) is not another.
    const status = reply.statusCode;
    if (count && (status === 200 || (status === 206 && /^bytes=0-/.test(range ?? '')))) {
      svc.counter.hit(resource.id, { ip: req.ip, userAgent: req.headers['user-agent'] });
    }
    return res;
  }

  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/opendata/datasets',
          {
            schema: {
              tags,
              operationId: 'listPublishedOpendatasets',
              summary: 'Open datasets with at least one published resource',
              response: { 200: c.publishedDatasetList, ...problems },
            },
          },
          async () => svc.listPublished(),
        );
        p.get(
          '/api/opendata/datasets/:slug',
          {
            schema: {
              tags,
              operationId: 'getOpendataset',
              summary: 'Public page of a dataset: producer, licence, resources with their versions and history',
              description: 'Visitors see open datasets and their published (or superseded, withdrawn) versions; editors of the producer see every version.',
              params: c.datasetSlugParams,
              response: { 200: c.datasetPage, ...problems },
            },
          },
          async (req) => svc.datasetPage(req.caller, req.params.slug),
        );
        p.get(
          '/api/opendata/versions/:id',
          {
            schema: {
              tags,
              operationId: 'getOpendataVersion',
              summary: 'One version: validation report, personal-data verdict, preview (50 rows), column profile, analysis progress',
              params: idParams,
              response: { 200: c.versionDetail, ...problems },
            },
          },
          async (req) => svc.getVersion(req.caller, req.params.id),
        );
        p.get(
          '/api/opendata/datasets/:slug/resources/:resource/download',
          {
            schema: {
              tags,
              operationId: 'downloadOpendataResource',
              summary: 'Stable URL of a resource: its published version (ETag, If-None-Match, Range)',
              params: resourceParams,
              response: { 200: fileResponse, ...problems },
            },
          },
          async (req, reply) => serve(req, reply, await svc.resolvePublished(req.params.slug, req.params.resource), true),
        );
        p.get(
          '/api/opendata/versions/:id/download',
          {
            schema: {
              tags,
              operationId: 'downloadOpendataVersion',
              summary: 'One version’s file (published and superseded versions are public; 410 once withdrawn)',
              params: idParams,
              response: { 200: fileResponse, ...problems },
            },
          },
          async (req, reply) => {
            const found = await svc.resolveVersion(req.caller, req.params.id);
            const publicState = found.version.state === 'published' || found.version.state === 'superseded';
            return serve(req, reply, found, publicState);
          },
        );
      }),
    );

    await app.register(
      routeGroup({ roles: ['admin', 'data_admin', 'editor'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/opendata/datasets/:slug/resources',
          {
            schema: {
              tags,
              operationId: 'createOpendataResource',
              summary: 'Add a resource to a catalogue dataset (editor or data_admin of its organisation)',
              params: c.datasetSlugParams,
              body: c.resourceCreateBody,
              response: { 201: c.resourceSummary, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createResource(req.caller, req.params.slug, req.body, requestMeta(req))),
        );
        p.post(
          '/api/opendata/resources/:id/versions',
          {
            schema: {
              tags,
              operationId: 'uploadOpendataVersion',
              summary: 'Upload a new version of a resource (multipart `file`); its analysis is queued',
              description: `At most \`PATRIMOINE_OPENDATA_USER_LIMIT\` bytes. The answer is the version in state \`uploaded\`; follow \`GET /api/opendata/versions/:id\` for the analysis.`,
              params: idParams,
              consumes: ['multipart/form-data'],
              response: { 201: c.versionDetail, ...problems },
            },
          },
          async (req, reply) => {
            if (!req.isMultipart()) throw fieldError('file', 'envoyez un formulaire multipart avec le fichier (champ file)');
            // Rights and resource checked before a byte of the file is read.
            await svc.checkUpload(req.caller, req.params.id);
            const fileBytes = svc.uploadLimit();
            let result: c.VersionDetail | null = null;
            await receiveMultipart(req, reply, {
              limits: { ...DEFAULT_UPLOAD_LIMITS, fields: 2, fileBytes },
              fileField: 'file',
              onField: () => undefined,
              onFile: async (part) => {
                if (part.fieldname !== 'file') throw fieldError(part.fieldname, 'le fichier est attendu dans le champ « file »');
                const filename = (part.filename || 'fichier.csv').replace(/[\\/]/g, '_').slice(0, 200);
                if (!/\.(csv|txt|tsv|xlsx|ods)$/i.test(filename)) throw fieldError('file', 'format non pris en charge : CSV, XLSX ou ODS');
                result = await svc.uploadVersion(req.caller, req.params.id, { filename, body: checkedFile(part, 'file', fileBytes) }, requestMeta(req));
              },
            });
            if (!result) throw fieldError('file', 'fichier manquant (champ file)');
            return reply.status(201).send(result);
          },
        );
        p.post(
          '/api/opendata/resources/:id/versions/from-url',
          {
            schema: {
              tags,
              operationId: 'linkOpendataVersion',
              summary: 'A new version from a link: the file is fetched by the analysis, through the outbound policy (public addresses only)',
              params: idParams,
              body: c.versionFromUrlBody,
              response: { 201: c.versionDetail, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.linkVersion(req.caller, req.params.id, req.body.url, requestMeta(req))),
        );
        p.post(
          '/api/opendata/versions/:id/publish',
          {
            schema: {
              tags,
              operationId: 'publishOpendataVersion',
              summary: 'Publish a ready version (or a reviewed one with a waiver); the previous published version is superseded',
              params: idParams,
              response: { 200: c.versionDetail, ...problems },
            },
          },
          async (req) => svc.publish(req.caller, req.params.id, requestMeta(req)),
        );
        p.post(
          '/api/opendata/versions/:id/waiver',
          {
            schema: {
              tags,
              operationId: 'waiveOpendataVersion',
              summary: 'Waive the personal-data alert of a version, with a reason (data_admin of the organisation)',
              params: idParams,
              body: c.waiverBody,
              response: { 200: c.versionDetail, ...problems },
            },
          },
          async (req) => svc.waive(req.caller, req.params.id, req.body.reason, requestMeta(req)),
        );
        p.post(
          '/api/opendata/versions/:id/withdraw',
          {
            schema: {
              tags,
              operationId: 'withdrawOpendataVersion',
              summary: 'Withdraw the published version (the resource has no published version until the next publication)',
              params: idParams,
              body: c.withdrawBody,
              response: { 200: c.versionDetail, ...problems },
            },
          },
          async (req) => svc.withdraw(req.caller, req.params.id, req.body.reason, requestMeta(req)),
        );
        p.get(
          '/api/opendata/usage',
          {
            schema: {
              tags,
              operationId: 'getOpendataUsage',
              summary: 'Usage indicators (A64): downloads and calls of the linked APIs per day, resource, dataset and organisation; `?format=csv`',
              description:
                'The ministry (admin, without `organisation`), an organisation (`organisation`; editors and data_admins: their own) or a dataset (`dataset`). 30 days by default, a year at most.',
              querystring: c.usageQuery,
              response: { 200: c.usageReport, ...problems },
            },
          },
          async (req, reply) => {
            const r = await usage.report(req.caller, req.query);
            if (req.query.format === 'csv') {
              return sendCsv(
                reply,
                `telechargements-${r.from}-${r.to}.csv`,
                [
                  { key: 'organisation', header: 'organisation' },
                  { key: 'dataset', header: 'jeu de données' },
                  { key: 'datasetTitle', header: 'titre' },
                  { key: 'resource', header: 'ressource' },
                  { key: 'downloads', header: 'téléchargements' },
                ],
                r.resources,
              );
            }
            return r;
          },
        );
        p.get(
          '/api/opendata/usage/monthly',
          {
            schema: {
              tags,
              operationId: 'getOpendataMonthlyUsage',
              summary: 'The month’s indicators per dataset: downloads, API calls, reuses and discussions (A64); `?format=csv`',
              querystring: c.monthlyUsageQuery,
              response: { 200: c.monthlyUsage, ...problems },
            },
          },
          async (req, reply) => {
            const r = await usage.monthly(req.caller, req.query);
            if (req.query.format === 'csv') {
              return sendCsv(
                reply,
                `indicateurs-donnees-ouvertes-${r.month}.csv`,
                [
                  { key: 'month', header: 'mois' },
                  { key: 'organisation', header: 'organisation' },
                  { key: 'dataset', header: 'jeu de données' },
                  { key: 'datasetTitle', header: 'titre' },
                  { key: 'downloads', header: 'téléchargements' },
                  { key: 'apiCalls', header: 'appels d’API' },
                  { key: 'reuses', header: 'réutilisations' },
                  { key: 'discussions', header: 'discussions' },
                ],
                r.rows,
              );
            }
            return r;
          },
        );
      }),
    );
  };
}
