import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeGroup } from '../../platform/auth/access.ts';
import { paginationQuery, problems, sendCsv, wantsCsv } from '../../platform/http/common.ts';
import type { CatalogService } from './catalog.service.ts';
import { formatImportReport, type createCatalogTransfer } from './catalog.transfer.ts';
import { dcatQuads, toJsonLd, toTurtle } from './catalog.dcat.ts';
import type { Asset } from './catalog.service.ts';
import {
  assetInputSchema,
  assetKinds,
  contactRoles,
  kindLabels,
  lifecycles,
  opennessValues,
  relationRules,
  relationTypes,
  slugSchema,
} from './catalog.model.ts';

const list = (max = 20) =>
  z
    .preprocess(
      (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).filter(Boolean)),
      z.array(z.string().max(100)).max(max),
    )
    .optional();

export const assetSchema = z.object({
  id: z.string(),
  kind: z.string(),
  slug: z.string(),
  ref: z.string(),
  title: z.string(),
  description: z.string(),
  owner: z.string().nullable(),
  ownerName: z.string().nullable(),
  organisationId: z.string().nullable(),
  contacts: z.array(z.object({ role: z.string(), name: z.string(), email: z.string().optional() })),
  tags: z.array(z.string()),
  lifecycle: z.string(),
  decommissionPlannedOn: z.string().nullable(),
  decommissionedOn: z.string().nullable(),
  openness: z.string(),
  opennessReason: z.string().nullable(),
  personalData: z.boolean(),
  spec: z.record(z.string(), z.unknown()),
  completeness: z.number(),
  isDemo: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

const facetSchema = z.record(z.string(), z.number());
const refParams = z.object({ kind: z.enum(assetKinds), slug: slugSchema });

const searchQuery = paginationQuery.extend({
  q: z.string().max(200).optional().describe('Recherche plein texte en français (tolère accents, pluriels et fautes de frappe sur les titres)'),
  kind: list(),
  owner: list(),
  lifecycle: list(),
  openness: list(),
  tags: list(),
  personalData: z.enum(['true', 'false', 'oui', 'non']).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

const relationOut = z.object({
  id: z.string(),
  type: z.string(),
  from: z.string(),
  fromTitle: z.string(),
  to: z.string(),
  toTitle: z.string(),
  direction: z.enum(['outgoing', 'incoming']).nullable(),
  note: z.string().nullable(),
  since: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});

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
export function catalogRoutes(service: CatalogService, transfer: ReturnType<typeof createCatalogTransfer>, publicUrl: string): FastifyPluginAsync {
  async function publicDatasets(): Promise<Asset[]> {
    const out: Asset[] = [];
    for await (const batch of service.iterate({ kind: ['dataset'] }, null)) out.push(...batch);
    return out;
  }
  const dcatOpts = { baseUrl: publicUrl, title: 'Catalogue des données du ministère de l’Intérieur', publisherName: 'Ministère de l’Intérieur' };
  return async (app) => {
    // DCAT-AP catalogue of the public datasets, for data.gouv.fr's harvester and other portals.
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        const turtle = async () => toTurtle(dcatQuads(await publicDatasets(), dcatOpts));
        const json = async () => JSON.stringify(await toJsonLd(dcatQuads(await publicDatasets(), dcatOpts)), null, 2);
        p.get('/catalog.ttl', { schema: { tags: ['catalog'], summary: 'DCAT-AP catalogue of the public datasets (Turtle)' } }, async (_req, reply) =>
          reply.type('text/turtle; charset=utf-8').send(await turtle()),
        );
        p.get('/catalog.jsonld', { schema: { tags: ['catalog'], summary: 'DCAT-AP catalogue of the public datasets (JSON-LD)' } }, async (_req, reply) =>
          reply.type('application/ld+json; charset=utf-8').send(await json()),
        );
        p.get(
          '/catalog',
          {
            schema: {
              tags: ['catalog'],
              summary: 'DCAT-AP catalogue, by content negotiation (text/turtle or application/ld+json); browsers go to the catalogue pages',
            },
          },
          async (req, reply) => {
            const accept = req.headers.accept ?? '';
            reply.header('vary', 'Accept');
            if (/text\/turtle/.test(accept)) return reply.type('text/turtle; charset=utf-8').send(await turtle());
            if (/text\/html/.test(accept) && !/application\/(ld\+)?json/.test(accept)) return reply.redirect('/catalogue', 303);
            return reply.type('application/ld+json; charset=utf-8').send(await json());
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
              summary: 'Kinds, vocabularies and relation rules of the catalogue',
              response: {
                200: z.object({
                  kinds: z.record(z.string(), z.string()),
                  lifecycles: z.array(z.string()),
                  openness: z.array(z.string()),
                  contactRoles: z.array(z.string()),
                  relations: z.record(z.string(), z.object({ from: z.array(z.string()), to: z.array(z.string()), label: z.string(), inverse: z.string() })),
                }),
              },
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
              summary: 'Search the catalogue (facets; ?format=csv exports every match). Anonymous callers see public, non-personal assets only.',
              querystring: searchQuery,
              response: {
                200: z.object({
                  items: z.array(assetSchema),
                  total: z.number(),
                  facets: z.record(z.string(), facetSchema),
                  estimated: z
                    .boolean()
                    .describe(
                      'True when total and facets were extrapolated from a sample of the catalogue (very large match sets, ADR 0102); the items are exact.',
                    ),
                }),
                ...problems,
              },
            },
          },
          async (req, reply) => {
            const f = filtersOf(req.query);
            if (wantsCsv(req)) {
              const rows = (async function* () {
                for await (const batch of service.iterate(f, req.principal)) yield batch.map((a) => ({ ...a, tagList: a.tags.join(', ') }));
              })();
              return sendCsv(reply, 'catalogue.csv', assetCsvColumns, rows);
            }
            return service.search(f, req.query.page, req.query.pageSize, req.principal);
          },
        );

        p.get(
          '/api/catalog/assets/:kind/:slug',
          {
            schema: {
              tags: ['catalog'],
              summary: 'An asset with its completeness checks and its relations (both directions)',
              params: refParams,
              response: {
                200: z.object({
                  asset: assetSchema,
                  completeness: z.object({ score: z.number(), checks: z.array(z.object({ id: z.string(), label: z.string(), ok: z.boolean() })) }),
                  relations: z.array(
                    z.object({
                      id: z.string(),
                      type: z.string(),
                      direction: z.enum(['outgoing', 'incoming']),
                      label: z.string(),
                      from: z.string(),
                      to: z.string(),
                      other: z.object({ id: z.string(), kind: z.string(), slug: z.string(), title: z.string() }).nullable(),
                      note: z.string().nullable(),
                      since: z.string().nullable(),
                      createdBy: z.string(),
                      createdAt: z.string(),
                    }),
                  ),
                  canEdit: z.boolean(),
                }),
                ...problems,
              },
            },
          },
          async (req) => service.get(req.params.kind, req.params.slug, req.principal),
        );

        p.get(
          '/api/catalog/assets/:kind/:slug/history',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Version history of an asset (latest first), each version a full snapshot',
              params: refParams,
              response: {
                200: z.object({
                  items: z.array(
                    z.object({ version: z.number(), action: z.string(), actor: z.string(), at: z.string(), snapshot: z.record(z.string(), z.unknown()) }),
                  ),
                }),
                ...problems,
              },
            },
          },
          async (req) => ({ items: await service.history(req.params.kind, req.params.slug, req.principal) }),
        );

        p.get(
          '/api/catalog/assets/:kind/:slug/graph',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Neighbourhood of an asset: nodes and relations up to a depth (1–3), optionally some relation types only',
              params: refParams,
              querystring: z.object({ depth: z.coerce.number().int().min(1).max(3).default(1), types: list(10) }),
              response: {
                200: z.object({
                  root: z.string(),
                  truncated: z.boolean(),
                  nodes: z.array(
                    z.object({
                      id: z.string(),
                      ref: z.string(),
                      kind: z.string(),
                      slug: z.string(),
                      title: z.string(),
                      owner: z.string().nullable(),
                      depth: z.number(),
                    }),
                  ),
                  edges: z.array(z.object({ id: z.string(), type: z.string(), from: z.string(), to: z.string(), note: z.string().nullable() })),
                }),
                ...problems,
              },
            },
          },
          async (req) => service.graph(req.params.kind, req.params.slug, req.query.depth, req.query.types, req.principal),
        );

        p.get(
          '/api/catalog/assets/:kind/:slug/impact',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Impact list: every asset downstream (affected by a change of this one); ?format=csv',
              params: refParams,
              querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
              response: {
                200: z.object({
                  items: z.array(
                    z.object({
                      ref: z.string(),
                      kind: z.string(),
                      slug: z.string(),
                      title: z.string(),
                      owner: z.string().nullable(),
                      lifecycle: z.string(),
                      depth: z.number(),
                      relation: z.string(),
                      through: z.string(),
                    }),
                  ),
                }),
                ...problems,
              },
            },
          },
          async (req, reply) => {
            const items = await service.impact(req.params.kind, req.params.slug, req.principal);
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
              summary: 'Relations, of one asset (?asset=kind:slug, both directions) or all; ?format=csv',
              querystring: z.object({
                asset: z.string().max(200).optional(),
                type: z.enum(relationTypes).optional(),
                format: z.enum(['json', 'csv']).optional(),
              }),
              response: { 200: z.object({ items: z.array(relationOut) }), ...problems },
            },
          },
          async (req, reply) => {
            let ref: { kind: string; slug: string } | null = null;
            if (req.query.asset) {
              const [kind, ...rest] = req.query.asset.split(':');
              ref = { kind: kind!, slug: rest.join(':') };
            }
            const items = await service.listRelations(ref, req.query.type, req.principal);
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
              summary: 'Create an asset (admin; data_admin and editor in their organisation)',
              body: assetInputSchema,
              response: { 201: assetSchema, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await service.create(req.body, req.principal, req.id)),
        );
        p.put(
          '/api/catalog/assets/:kind/:slug',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Replace an asset’s content (new version). `If-Match: <version>` or `?version=` refuses a stale edit.',
              params: refParams,
              headers: z.object({
                'if-match': z
                  .string()
                  .regex(/^"?\d+"?$/)
                  .optional(),
              }),
              querystring: z.object({ version: z.coerce.number().int().min(1).optional().describe('Expected current version (same as If-Match)') }),
              body: assetInputSchema,
              response: { 200: assetSchema, ...problems },
            },
          },
          async (req) => {
            const im = req.headers['if-match'];
            return service.update(req.params.kind, req.params.slug, req.body, req.principal, {
              expectedVersion: im ? Number(im.replace(/"/g, '')) : req.query.version,
              requestId: req.id,
            });
          },
        );
        p.delete(
          '/api/catalog/assets/:kind/:slug',
          { schema: { tags: ['catalog'], summary: 'Delete an asset (its history is kept)', params: refParams, response: { 204: z.null(), ...problems } } },
          async (req, reply) => {
            await service.remove(req.params.kind, req.params.slug, req.principal, req.id);
            return reply.status(204).send(null);
          },
        );
        p.post(
          '/api/catalog/relations',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Relate two assets (`from` and `to` as kind:slug); the rules of which kinds may relate apply',
              body: z.object({
                type: z.enum(relationTypes),
                from: z.string().regex(/^[a-z_]+:[a-z0-9-]+$/, 'référence attendue : type:identifiant'),
                to: z.string().regex(/^[a-z_]+:[a-z0-9-]+$/, 'référence attendue : type:identifiant'),
                note: z.string().max(1000).nullable().optional(),
                since: z
                  .string()
                  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ')
                  .nullable()
                  .optional(),
              }),
              response: { 201: z.object({ id: z.string() }), ...problems },
            },
          },
          async (req, reply) => {
            const split = (r: string) => ({ kind: r.split(':')[0]!, slug: r.split(':')[1]! });
            const { relation } = await service.createRelation(
              { type: req.body.type, from: split(req.body.from), to: split(req.body.to), note: req.body.note, since: req.body.since },
              req.principal,
              req.id,
            );
            return reply.status(201).send({ id: relation.id });
          },
        );
        p.delete(
          '/api/catalog/relations/:id',
          { schema: { tags: ['catalog'], summary: 'Remove a relation', params: z.object({ id: z.uuid() }), response: { 204: z.null(), ...problems } } },
          async (req, reply) => {
            await service.deleteRelation(req.params.id, req.principal, req.id);
            return reply.status(204).send(null);
          },
        );
        p.get(
          '/api/catalog/dashboard',
          {
            schema: {
              tags: ['catalog'],
              summary: 'Dashboard figures for the ministry or one organisation (?owner=CODE)',
              querystring: z.object({ owner: z.string().max(20).optional() }),
              response: {
                200: z.object({
                  byKind: z.array(z.object({ kind: z.string(), n: z.number(), completeness: z.number() })),
                  byOpenness: z.array(z.object({ kind: z.string(), openness: z.string(), n: z.number() })),
                  byOrg: z.array(
                    z.object({
                      code: z.string().nullable(),
                      name: z.string().nullable(),
                      n: z.number(),
                      completeness: z.number(),
                      ouvert: z.number(),
                      a_ouvrir: z.number(),
                    }),
                  ),
                  toDecommission: z.array(
                    z.object({ kind: z.string(), slug: z.string(), title: z.string(), lifecycle: z.string(), planned: z.string().nullable() }),
                  ),
                  algorithmsToPublish: z.array(z.object({ kind: z.string(), slug: z.string(), title: z.string(), openness: z.string() })),
                  openedFromPlan: z.number(),
                }),
                ...problems,
              },
            },
          },
          async (req) => service.dashboard(req.query.owner, req.principal),
        );
        p.get(
          '/api/catalog/export',
          {
            schema: {
              tags: ['catalog'],
              summary: 'The whole catalogue as a YAML or JSON file (re-importable, stable order)',
              querystring: z.object({ format: z.enum(['yaml', 'json']).default('yaml') }),
            },
          },
          async (req, reply) => {
            const text = transfer.serialize(await transfer.exportFile(req.principal), req.query.format);
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
              summary: 'Import a YAML or JSON catalogue file: all or nothing, idempotent; dryRun returns the diff without writing',
              body: z.object({ content: z.string().min(1, 'fichier vide').max(5_000_000), dryRun: z.boolean().default(false) }),
              response: {
                200: z.object({
                  dryRun: z.boolean(),
                  diff: z.string(),
                  summary: z.object({
                    created: z.number(),
                    updated: z.number(),
                    unchanged: z.number(),
                    relationsCreated: z.number(),
                    relationsUpdated: z.number(),
                  }),
                  assets: z.array(
                    z.object({
                      action: z.string(),
                      ref: z.string(),
                      changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
                    }),
                  ),
                }),
                ...problems,
              },
            },
          },
          async (req) => {
            const r = await transfer.importText(req.body.content, req.principal, { dryRun: req.body.dryRun, requestId: req.id });
            return { dryRun: r.dryRun, diff: formatImportReport(r), summary: r.summary, assets: r.assets.filter((a) => a.action !== 'unchanged') };
          },
        );
      }),
    );
  };
}
