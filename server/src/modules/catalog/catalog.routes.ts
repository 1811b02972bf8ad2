import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { noContent, idParams } from '@patrimoine/contracts/common';
import {
  asset,
  assetDetail,
  assetInput,
  catalogFile,
  catalogImportReport,
  catalogMeta,
  contactRoles,
  dashboard,
  dashboardQuery,
  exportQuery,
  graph,
  graphQuery,
  historyItem,
  impactItem,
  importInput,
  kindLabels,
  lifecycles,
  opennessValues,
  refParams,
  relationCreated,
  relationInput,
  relationListItem,
  relationRules,
  relationTypes,
  relationsQuery,
  searchQuery,
  searchResult,
  synonymGroup,
  synonymInput,
  updateAssetHeaders,
  updateAssetQuery,
} from '@patrimoine/contracts/catalog';
import { ANONYMOUS } from '../../platform/auth/principal.ts';
import { routeGroup } from '../../platform/auth/access.ts';
import { problems, sendCsv, wantsCsv } from '../../platform/http/common.ts';
import type { Asset, CatalogService } from './catalog.service.ts';
import { formatImportReport, type createCatalogTransfer } from './catalog.transfer.ts';
import { dcatQuads, toJsonLd, toTurtle, type DistributionSource } from './catalog.dcat.ts';

/** The DCAT routes answer RDF text: documented by media type (the text is sent as is, not serialised). */
const turtleResponse = { description: 'DCAT-AP catalogue in Turtle', content: { 'text/turtle': { schema: z.string().describe('RDF graph (Turtle)') } } };
const jsonLdResponse = {
  description: 'DCAT-AP catalogue in JSON-LD',
  content: { 'application/ld+json': { schema: z.looseObject({ '@context': z.unknown().optional(), '@graph': z.array(z.unknown()).optional() }) } },
};

export const assetCsvColumns = [
  { key: 'kind', header: 'type' },
  { key: 'slug', header: 'identifiant' },
  { key: 'title', header: 'titre' },
  { key: 'owner', header: 'organisation' },
  { key: 'lifecycle', header: 'cycle de vie' },
  { key: 'openness', header: 'ouverture' },
  { key: 'personalData', header: 'données personnelles' },
  { key: 'completeness', header: 'complétude (%)' },
  { key: 'tagList', header: 'mots-clés' },
  { key: 'updatedAt', header: 'mis à jour le' },
];

function filtersOf(q: z.infer<typeof searchQuery>) {
  return {
    q: q.q,
    kind: q.kind,
    owner: q.owner,
    lifecycle: q.lifecycle,
    openness: q.openness,
    tags: q.tags?.map((t) => t.toLowerCase()),
    personalData: q.personalData === undefined ? undefined : q.personalData === 'true' || q.personalData === 'oui',
  };
}

/** HTTP API of the catalogue: thin, every rule lives in the service. */
export function catalogRoutes(
  service: CatalogService,
  transfer: ReturnType<typeof createCatalogTransfer>,
  publicUrl: string,
  distributionSource: () => DistributionSource | null = () => null,
): FastifyPluginAsync {
  async function publicDatasets(): Promise<Asset[]> {
    const out: Asset[] = [];
    for await (const batch of service.iterate({ kind: ['dataset'] }, ANONYMOUS)) out.push(...batch);
    return out;
  }
  /** The public datasets and the distributions other modules give them (published open data resources). */
  async function dcatGraph(profile: '3.0.1' | '2.1.1' | undefined) {
    const datasets = await publicDatasets();
    const source = distributionSource();
    const distributions = source ? await source(datasets.map((d) => d.id)) : undefined;
    return dcatQuads(datasets, { ...dcatOpts, profile, distributions });
  }
  const dcatOpts = { baseUrl: publicUrl, title: 'Catalogue des données du ministère de l’Intérieur', publisherName: 'Ministère de l’Intérieur' };
  return async (app) => {
    // DCAT-AP catalogue of the public datasets, for data.gouv.fr's harvester and other portals.
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        // DCAT-AP 3.0.1 by default; `?profile=2.1.1` for harvesters that validate against 2.1.1 (they disagree on dcat:byteSize and locn:geometry).
        const dcatQuery = z.object({ profile: z.enum(['3.0.1', '2.1.1']).optional().describe('Profil DCAT-AP (3.0.1 par défaut)') });
        type Profile = z.infer<typeof dcatQuery>['profile'];
        const turtle = async (profile: Profile) => toTurtle(await dcatGraph(profile));
        const json = async (profile: Profile) => (await toJsonLd(await dcatGraph(profile))) as Record<string, unknown>;
        p.get(
          '/catalog.ttl',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogDcatTurtle',
              summary: 'DCAT-AP catalogue of the public datasets (Turtle)',
              querystring: dcatQuery,
              response: { 200: turtleResponse },
            },
          },
          async (req, reply) => reply.type('text/turtle; charset=utf-8').send(await turtle(req.query.profile)),
        );
        p.get(
          '/catalog.jsonld',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogDcatJsonLd',
              summary: 'DCAT-AP catalogue of the public datasets (JSON-LD)',
              querystring: dcatQuery,
              response: { 200: jsonLdResponse },
            },
          },
          async (req, reply) => reply.type('application/ld+json; charset=utf-8').send(await json(req.query.profile)),
        );
        p.get(
          '/catalog',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'negotiateCatalogDcat',
              querystring: dcatQuery,
              summary: 'DCAT-AP catalogue, by content negotiation (text/turtle or application/ld+json); browsers go to the catalogue pages',
              response: {
                200: {
                  description: 'DCAT-AP catalogue (Turtle or JSON-LD, as the Accept header asks)',
                  content: { ...turtleResponse.content, ...jsonLdResponse.content },
                },
                303: noContent.describe('A browser (Accept: text/html) is sent to the catalogue pages, /catalogue'),
              },
            },
          },
          async (req, reply) => {
            const accept = req.headers.accept ?? '';
            reply.header('vary', 'Accept');
            if (/text\/turtle/.test(accept)) return reply.type('text/turtle; charset=utf-8').send(await turtle(req.query.profile));
            if (/text\/html/.test(accept) && !/application\/(ld\+)?json/.test(accept)) return reply.redirect('/catalogue', 303);
            return reply.type('application/ld+json; charset=utf-8').send(await json(req.query.profile));
          },
        );
      }),
    );

    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/catalog/meta',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogMeta',
              summary: 'Kinds, vocabularies and relation rules of the catalogue',
              response: { 200: catalogMeta },
            },
          },
          async () => ({
            kinds: kindLabels,
            lifecycles: [...lifecycles],
            openness: [...opennessValues],
            contactRoles: [...contactRoles],
            relations: Object.fromEntries(
              relationTypes.map((t) => [
                t,
                { from: [...relationRules[t].from], to: [...relationRules[t].to], label: relationRules[t].label, inverse: relationRules[t].inverse },
              ]),
            ),
          }),
        );

        p.get(
          '/api/catalog/assets',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'searchCatalogAssets',
              summary: 'Search the catalogue (facets; ?format=csv exports every match as text/csv). Anonymous callers see public, non-personal assets only.',
              querystring: searchQuery,
              response: { 200: searchResult, ...problems },
            },
          },
          async (req, reply) => {
            const f = filtersOf(req.query);
            if (wantsCsv(req)) {
              const rows = (async function* () {
                for await (const batch of service.iterate(f, req.caller)) yield batch.map((a) => ({ ...a, tagList: a.tags.join(', ') }));
              })();
              return sendCsv(reply, 'catalogue.csv', assetCsvColumns, rows);
            }
            return service.search(f, req.query.page, req.query.pageSize, req.caller);
          },
        );

        p.get(
          '/api/catalog/assets/:kind/:slug',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogAsset',
              summary: 'An asset with its completeness checks and its relations (both directions)',
              params: refParams,
              response: { 200: assetDetail, ...problems },
            },
          },
          async (req) => service.get(req.params.kind, req.params.slug, req.caller),
        );

        p.get(
          '/api/catalog/assets/:kind/:slug/history',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'listCatalogAssetVersions',
              summary: 'Version history of an asset (latest first), each version a full snapshot',
              params: refParams,
              response: { 200: z.object({ items: z.array(historyItem) }), ...problems },
            },
          },
          async (req) => ({ items: await service.history(req.params.kind, req.params.slug, req.caller) }),
        );

        p.get(
          '/api/catalog/assets/:kind/:slug/graph',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogAssetGraph',
              summary: 'Neighbourhood of an asset: nodes and relations up to a depth (1–3), optionally some relation types only',
              params: refParams,
              querystring: graphQuery,
              response: { 200: graph, ...problems },
            },
          },
          async (req) => service.graph(req.params.kind, req.params.slug, req.query.depth, req.query.types, req.caller),
        );

        p.get(
          '/api/catalog/assets/:kind/:slug/impact',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'listCatalogAssetImpact',
              summary: 'Impact list: every asset downstream (affected by a change of this one); ?format=csv downloads it as text/csv',
              params: refParams,
              querystring: z.object({ format: z.enum(['json', 'csv']).optional().describe('csv: download the list as CSV.') }),
              response: { 200: z.object({ items: z.array(impactItem) }), ...problems },
            },
          },
          async (req, reply) => {
            const items = await service.impact(req.params.kind, req.params.slug, req.caller);
            if (wantsCsv(req)) {
              return sendCsv(
                reply,
                `impact-${req.params.kind}-${req.params.slug}.csv`,
                [
                  { key: 'depth', header: 'niveau' },
                  { key: 'ref', header: 'référence' },
                  { key: 'title', header: 'titre' },
                  { key: 'owner', header: 'organisation' },
                  { key: 'lifecycle', header: 'cycle de vie' },
                  { key: 'relation', header: 'relation' },
                  { key: 'through', header: 'par' },
                ],
                items,
              );
            }
            return { items };
          },
        );

        p.get(
          '/api/catalog/relations',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'listCatalogRelations',
              summary: 'Relations, of one asset (?asset=kind:slug, both directions) or all; ?format=csv downloads them as text/csv',
              querystring: relationsQuery,
              response: { 200: z.object({ items: z.array(relationListItem) }), ...problems },
            },
          },
          async (req, reply) => {
            let ref: { kind: string; slug: string } | null = null;
            if (req.query.asset) {
              const [kind, ...rest] = req.query.asset.split(':');
              ref = { kind: kind!, slug: rest.join(':') };
            }
            const items = await service.listRelations(ref, req.query.type, req.caller);
            if (wantsCsv(req)) {
              return sendCsv(
                reply,
                'relations.csv',
                [
                  { key: 'from', header: 'source' },
                  { key: 'type', header: 'relation' },
                  { key: 'to', header: 'cible' },
                  { key: 'note', header: 'note' },
                  { key: 'since', header: 'depuis' },
                ],
                items,
              );
            }
            return { items };
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/catalog/assets',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'createCatalogAsset',
              summary: 'Create an asset (admin; data_admin and editor in their organisation)',
              body: assetInput,
              response: { 201: asset, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await service.create(req.body, req.caller, req.id)),
        );
        p.put(
          '/api/catalog/assets/:kind/:slug',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'updateCatalogAsset',
              summary: 'Replace an asset’s content (new version). `If-Match: <version>` or `?version=` refuses a stale edit.',
              params: refParams,
              headers: updateAssetHeaders,
              querystring: updateAssetQuery,
              body: assetInput,
              response: { 200: asset, ...problems },
            },
          },
          async (req) => {
            const im = req.headers['if-match'];
            return service.update(req.params.kind, req.params.slug, req.body, req.caller, {
              expectedVersion: im ? Number(im.replace(/"/g, '')) : req.query.version,
              requestId: req.id,
            });
          },
        );
        p.delete(
          '/api/catalog/assets/:kind/:slug',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'deleteCatalogAsset',
              summary: 'Delete an asset (its history is kept)',
              params: refParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await service.remove(req.params.kind, req.params.slug, req.caller, req.id);
            return reply.status(204).send(null);
          },
        );
        p.post(
          '/api/catalog/relations',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'createCatalogRelation',
              summary: 'Relate two assets (`from` and `to` as kind:slug); the rules of which kinds may relate apply',
              body: relationInput,
              response: { 201: relationCreated, ...problems },
            },
          },
          async (req, reply) => {
            const split = (r: string) => ({ kind: r.split(':')[0]!, slug: r.split(':')[1]! });
            const { relation } = await service.createRelation(
              { type: req.body.type, from: split(req.body.from), to: split(req.body.to), note: req.body.note, since: req.body.since },
              req.caller,
              req.id,
            );
            return reply.status(201).send({ id: relation.id });
          },
        );
        p.get(
          '/api/catalog/synonyms',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'listCatalogSynonyms',
              summary: 'The synonym groups of the catalogue search (edited by the data team)',
              response: { 200: z.object({ items: z.array(synonymGroup) }), ...problems },
            },
          },
          async () => ({ items: await service.listSynonyms() }),
        );
        p.delete(
          '/api/catalog/relations/:id',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'deleteCatalogRelation',
              summary: 'Remove a relation',
              params: idParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await service.deleteRelation(req.params.id, req.caller, req.id);
            return reply.status(204).send(null);
          },
        );
        p.get(
          '/api/catalog/dashboard',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'getCatalogDashboard',
              summary: 'Dashboard figures for the ministry or one organisation (?owner=CODE)',
              querystring: dashboardQuery,
              response: { 200: dashboard, ...problems },
            },
          },
          async (req) => service.dashboard(req.query.owner, req.caller),
        );
        p.get(
          '/api/catalog/export',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'exportCatalog',
              summary: 'The whole catalogue as a YAML or JSON file (re-importable, stable order)',
              querystring: exportQuery,
              response: {
                200: {
                  description: 'The catalogue file, as an attachment',
                  content: {
                    'application/yaml': { schema: z.string().describe('The catalogue file in YAML (same structure as the JSON form)') },
                    'application/json': { schema: catalogFile },
                  },
                },
              },
            },
          },
          async (req, reply) => {
            const text = transfer.serialize(await transfer.exportFile(req.caller), req.query.format);
            reply.header('content-type', req.query.format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8');
            reply.header('content-disposition', `attachment; filename="catalogue.${req.query.format}"`);
            return reply.send(text);
          },
        );
        p.post(
          '/api/catalog/import',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'importCatalog',
              summary: 'Import a YAML or JSON catalogue file: all or nothing, idempotent; dryRun returns the diff without writing',
              body: importInput,
              response: { 200: catalogImportReport, ...problems },
            },
          },
          async (req) => {
            const r = await transfer.importText(req.body.content, req.caller, { dryRun: req.body.dryRun, requestId: req.id });
            return { dryRun: r.dryRun, diff: formatImportReport(r), summary: r.summary, assets: r.assets.filter((a) => a.action !== 'unchanged') };
          },
        );
      }),
    );
    // The synonym list of the search: the data team (admin, data_admin) edits it (ADR 0106).
    await app.register(
      routeGroup({ roles: ['admin', 'data_admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/catalog/synonyms',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'createCatalogSynonym',
              summary: 'Add a group of equivalent expressions to the search',
              body: synonymInput,
              response: { 201: synonymGroup, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await service.createSynonym(req.body, req.caller, req.id)),
        );
        p.put(
          '/api/catalog/synonyms/:id',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'updateCatalogSynonym',
              summary: 'Replace a group of equivalent expressions',
              params: idParams,
              body: synonymInput,
              response: { 200: synonymGroup, ...problems },
            },
          },
          async (req) => service.updateSynonym(req.params.id, req.body, req.caller, req.id),
        );
        p.delete(
          '/api/catalog/synonyms/:id',
          {
            schema: {
              tags: ['catalog'],
              operationId: 'deleteCatalogSynonym',
              summary: 'Remove a group of synonyms',
              params: idParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await service.deleteSynonym(req.params.id, req.caller, req.id);
            return reply.status(204).send(null);
          },
        );
      }),
    );
  };
}
