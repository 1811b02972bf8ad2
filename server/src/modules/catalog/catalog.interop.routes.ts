import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { datagouvImportInput, dictionaryInput, importReport, publiccodeInput, slugParams } from '@patrimoine/contracts/catalog';
import { routeGroup } from '../../platform/auth/access.ts';
import { problems, sendCsv } from '../../platform/http/common.ts';
import { toDocument, type CatalogService } from './catalog.service.ts';
import { formatImportReport, type createCatalogTransfer, type ImportOutcome } from './catalog.transfer.ts';
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

/** A file sent as is (YAML, CSV): documented by media type. */
const file = (mediaType: string, description: string) => ({ description, content: { [mediaType]: { schema: z.string().describe(description) } } });
const report = (r: ImportOutcome) => ({ dryRun: r.dryRun, diff: formatImportReport(r), summary: r.summary });

/** Exchange formats of the national platforms: publiccode.yml, Etalab's algorithm inventory, data.gouv.fr, data dictionaries. */
export function catalogInteropRoutes(
  service: CatalogService,
  transfer: ReturnType<typeof createCatalogTransfer>,
  /** The platform's organisations, to map a data.gouv.fr organisation to ours (by acronym = code, or name). */
  organisations?: { list(): Promise<{ code: string; name: string }[]> },
): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/catalog/assets/repository/:slug/publiccode.yml',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogRepositoryPubliccode',
              summary: 'publiccode.yml of a source-code repository',
              params: slugParams,
              response: { 200: file('application/yaml', 'publiccode.yml (version 0.4)'), ...problems },
            },
          },
          async (req, reply) => {
            const { asset } = await service.get('repository', req.params.slug, req.caller);
            return reply
              .type('application/yaml; charset=utf-8')
              .header('content-disposition', 'attachment; filename="publiccode.yml"')
              .send(toPubliccode(asset));
          },
        );
        p.get(
          '/api/catalog/algorithms.csv',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'exportCatalogAlgorithmInventory',
              summary: 'Inventory of public algorithms as CSV, with the fields of Etalab’s inventory',
              response: { 200: file('text/csv', 'One row per algorithm (UTF-8 with BOM, ; separated)') },
            },
          },
          async (req, reply) => {
            const rows = (async function* () {
              for await (const batch of service.iterate({ kind: ['algorithm'] }, req.caller)) yield batch.map(algorithmRow);
            })();
            return sendCsv(reply, 'inventaire-algorithmes.csv', algorithmInventoryColumns, rows);
          },
        );
        p.get(
          '/api/catalog/assets/data_model/:slug/dictionary.csv',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'exportCatalogDataDictionary',
              summary: 'Data dictionary of a data model (one row per column)',
              params: slugParams,
              response: { 200: file('text/csv', 'table;colonne;type;description;donnee_personnelle;exemple (UTF-8 with BOM)'), ...problems },
            },
          },
          async (req, reply) => {
            const { asset } = await service.get('data_model', req.params.slug, req.caller);
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
              operationId: 'importCatalogDataDictionary',
              summary:
                'Replace the tables of a data model from a CSV data dictionary (table;colonne;type;description;donnee_personnelle;exemple) or a SQL DDL file (CREATE TABLE, COMMENT ON)',
              params: slugParams,
              body: dictionaryInput,
              response: { 200: importReport, ...problems },
            },
          },
          async (req) => {
            const { asset } = await service.get('data_model', req.params.slug, req.caller);
            const format = req.body.format ?? (/\bcreate\s+table\b/i.test(req.body.content) ? 'sql' : 'csv');
            const tables = format === 'sql' ? parseDictionaryDdl(req.body.content) : parseDictionaryCsv(req.body.content);
            const doc = { ...toDocument({ ...asset, ownerCode: asset.owner }), spec: { ...asset.spec, tables } };
            return report(await importDocuments(transfer, [doc], req.caller, { dryRun: req.body.dryRun, requestId: req.id }));
          },
        );
        p.post(
          '/api/catalog/publiccode',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'importCatalogPubliccode',
              summary: 'Create or update a repository asset from a publiccode.yml',
              body: publiccodeInput,
              response: { 200: importReport, ...problems },
            },
          },
          async (req) => {
            const current = await service.repo.findByRef('repository', req.body.slug);
            const doc = publiccodeToDocument(req.body.content, req.body.slug, req.body.owner ?? null, current ? toDocument(current) : null);
            return report(await importDocuments(transfer, [doc], req.caller, { dryRun: req.body.dryRun, requestId: req.id }));
          },
        );
        p.post(
          '/api/catalog/import/datagouv',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'importCatalogDatagouv',
              summary: 'Import the datasets of a data.gouv.fr organisation export (JSON of /api/1/organizations/{org}/datasets/), matched by data.gouv.fr id',
              body: datagouvImportInput,
              response: { 200: importReport, ...problems },
            },
          },
          async (req) => {
            const ours = organisations ? (await organisations.list()).map((o) => ({ code: o.code, name: o.name })) : [];
            const docs = await datagouvDocuments(req.body.content, req.body.owner, service, ours);
            return report(await importDocuments(transfer, docs, req.caller, { dryRun: req.body.dryRun, requestId: req.id }));
          },
        );
      }),
    );
  };
}
