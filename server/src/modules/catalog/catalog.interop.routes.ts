import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeGroup } from '../../platform/auth/access.ts';
import { problems, sendCsv } from '../../platform/http/common.ts';
import { slugSchema } from './catalog.model.ts';
import { toDocument, type CatalogService } from './catalog.service.ts';
import { formatImportReport, type createCatalogTransfer, type ImportReport } from './catalog.transfer.ts';
import {
  algorithmInventoryColumns,
  algorithmRow,
  datagouvDocuments,
  dictionaryColumns,
  dictionaryRows,
  importDocuments,
  parseDictionaryCsv,
  parseDictionaryDdl,
  publiccodeToDocument,
  toPubliccode,
} from './catalog.interop.ts';

const reportSchema = z.object({
  dryRun: z.boolean(),
  diff: z.string(),
  summary: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), relationsCreated: z.number(), relationsUpdated: z.number() }),
});
const report = (r: ImportReport) => ({ dryRun: r.dryRun, diff: formatImportReport(r), summary: r.summary });

/** Exchange formats of the national platforms: publiccode.yml, Etalab's algorithm inventory, data.gouv.fr, data dictionaries. */
export function catalogInteropRoutes(service: CatalogService, transfer: ReturnType<typeof createCatalogTransfer>): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/catalog/assets/repository/:slug/publiccode.yml',
          { schema: { tags: ['catalog'], summary: 'publiccode.yml of a source-code repository', params: z.object({ slug: slugSchema }) } },
          async (req, reply) => {
            const { asset } = await service.get('repository', req.params.slug, req.principal);
            return reply
              .type('application/yaml; charset=utf-8')
              .header('content-disposition', 'attachment; filename="publiccode.yml"')
              .send(toPubliccode(asset));
          },
        );
        p.get(
          '/api/catalog/algorithms.csv',
          { schema: { tags: ['catalog'], summary: 'Inventory of public algorithms as CSV, with the fields of Etalab’s inventory' } },
          async (req, reply) => {
            const rows = (async function* () {
              for await (const batch of service.iterate({ kind: ['algorithm'] }, req.principal)) yield batch.map(algorithmRow);
            })();
            return sendCsv(reply, 'inventaire-algorithmes.csv', algorithmInventoryColumns, rows);
          },
        );
        p.get(
          '/api/catalog/assets/data_model/:slug/dictionary.csv',
          { schema: { tags: ['catalog'], summary: 'Data dictionary of a data model (one row per column)', params: z.object({ slug: slugSchema }) } },
          async (req, reply) => {
            const { asset } = await service.get('data_model', req.params.slug, req.principal);
            return sendCsv(reply, `dictionnaire-${asset.slug}.csv`, dictionaryColumns, dictionaryRows(asset));
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.put(
          '/api/catalog/assets/data_model/:slug/dictionary',
          {
            schema: {
              tags: ['catalog'],
              summary:
                'Replace the tables of a data model from a CSV data dictionary (table;colonne;type;description;donnee_personnelle;exemple) or a SQL DDL file (CREATE TABLE, COMMENT ON)',
              params: z.object({ slug: slugSchema }),
              body: z.object({
                content: z.string().min(1, 'fichier vide').max(5_000_000),
                format: z.enum(['csv', 'sql']).optional().describe('Detected when absent (CREATE TABLE → sql)'),
                dryRun: z.boolean().default(false),
              }),
              response: { 200: reportSchema, ...problems },
            },
          },
          async (req) => {
            const { asset } = await service.get('data_model', req.params.slug, req.principal);
            const format = req.body.format ?? (/\bcreate\s+table\b/i.test(req.body.content) ? 'sql' : 'csv');
            const tables = format === 'sql' ? parseDictionaryDdl(req.body.content) : parseDictionaryCsv(req.body.content);
            const doc = { ...toDocument({ ...asset, ownerCode: asset.owner }), spec: { ...asset.spec, tables } };
            return report(await importDocuments(transfer, [doc], req.principal, { dryRun: req.body.dryRun, requestId: req.id }));
          },
        );
        p.post(
          '/api/catalog/publiccode',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Create or update a repository asset from a publiccode.yml',
              body: z.object({
                content: z.string().min(1, 'fichier vide').max(1_000_000),
                slug: slugSchema,
                owner: z.string().max(20).nullable().optional(),
                dryRun: z.boolean().default(false),
              }),
              response: { 200: reportSchema, ...problems },
            },
          },
          async (req) => {
            const current = await service.repo.findByRef('repository', req.body.slug);
            const doc = publiccodeToDocument(req.body.content, req.body.slug, req.body.owner ?? null, current ? toDocument(current) : null);
            return report(await importDocuments(transfer, [doc], req.principal, { dryRun: req.body.dryRun, requestId: req.id }));
          },
        );
        p.post(
          '/api/catalog/import/datagouv',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Import the datasets of a data.gouv.fr organisation export (JSON of /api/1/organizations/{org}/datasets/), matched by data.gouv.fr id',
              body: z.object({
                content: z.string().min(1, 'fichier vide').max(20_000_000),
                owner: z.string().min(1, 'organisation obligatoire').max(20),
                dryRun: z.boolean().default(false),
              }),
              response: { 200: reportSchema, ...problems },
            },
          },
          async (req) => {
            const docs = await datagouvDocuments(req.body.content, req.body.owner, service);
            return report(await importDocuments(transfer, docs, req.principal, { dryRun: req.body.dryRun, requestId: req.id }));
          },
        );
      }),
    );
  };
}
