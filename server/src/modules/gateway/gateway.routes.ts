import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeGroup } from '../../platform/auth/access.ts';
import type { requestMeta } from '../../platform/http/common.ts';
import { sendCsv, wantsCsv } from '../../platform/http/common.ts';
import { apiInput, apiPatch, appInput, planInput, planPatch } from './gateway.schemas.ts';
import { toApi, type GatewayService } from './gateway.service.ts';
import type { DataPlane } from './dataplane.ts';
import type { Analytics } from './analytics.ts';
import type { LimiterMetrics } from './ratelimit.ts';
import { formatDiff, type createDeclarativeConfig } from './declarative.ts';
import { actorOf } from '../../platform/auth/principal.ts';

const id = z.object({ id: z.uuid() });
const meta = (req: Parameters<typeof requestMeta>[0]) => ({ requestId: req.id, ip: req.ip });

/** Control plane: `/api/gateway/...` (portal, producers, consumers, admins). */
export function gatewayRoutes(
  svc: GatewayService,
  node: { dataPlane: DataPlane; analytics: Analytics; limiter: { metrics?: LimiterMetrics }; declarative: ReturnType<typeof createDeclarativeConfig> },
): FastifyPluginAsync {
  return async (app) => {
    // Public portal: catalogue, API page, OpenAPI documents.
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/gateway/apis',
          {
            schema: {
              tags: ['gateway'],
              summary: 'APIs published through the gateway (portal catalogue)',
              querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
            },
          },
          async (req, reply) => {
            const items = await svc.listApis(req.principal);
            if (wantsCsv(req))
              return sendCsv(
                reply,
                'api-passerelle.csv',
                [
                  { key: 'slug', header: 'Identifiant' },
                  { key: 'name', header: 'Nom' },
                  { key: 'organisationCode', header: 'Producteur' },
                  { key: 'visibility', header: 'Accès' },
                  { key: 'availability', header: 'Disponibilité (30 j)' },
                  { key: 'limits', header: 'Limites' },
                ],
                items.map((a) => ({
                  ...a,
                  limits: a.plans
                    .map((x) => `${x.name}: ${x.perSecond ?? '-'}/s ${x.perMinute ?? '-'}/min ${x.perDay ?? '-'}/j ${x.perMonth ?? '-'}/mois`)
                    .join(' | '),
                })),
              );
            return { items };
          },
        );
        p.get(
          '/api/gateway/apis/:slug',
          { schema: { tags: ['gateway'], summary: 'An API with its plans, availability and incidents', params: z.object({ slug: z.string().max(60) }) } },
          async (req) => svc.getApi(req.principal, req.params.slug),
        );
        p.get(
          '/api/gateway/apis/:slug/openapi',
          {
            schema: {
              tags: ['gateway'],
              summary: 'OpenAPI document of an API (latest or ?version=)',
              params: z.object({ slug: z.string().max(60) }),
              querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
            },
          },
          async (req) => (await svc.spec(req.params.slug, req.query.version)).document,
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        // Producers (authorization per API in the service).
        p.post('/api/gateway/apis', { schema: { tags: ['gateway'], summary: 'Register an API', body: apiInput } }, async (req, reply) =>
          reply.status(201).send(toApi(await svc.createApi(req.principal, req.body, undefined, meta(req)))),
        );
        p.patch('/api/gateway/apis/:id', { schema: { tags: ['gateway'], summary: 'Update an API', params: id, body: apiPatch } }, async (req) =>
          toApi(await svc.updateApi(req.principal, req.params.id, req.body, undefined, meta(req))),
        );
        p.delete('/api/gateway/apis/:id', { schema: { tags: ['gateway'], summary: 'Delete an API', params: id } }, async (req, reply) => {
          await svc.deleteApi(req.principal, req.params.id, meta(req));
          return reply.status(204).send();
        });
        p.put(
          '/api/gateway/apis/:id/openapi',
          { schema: { tags: ['gateway'], summary: 'New version of the API’s OpenAPI document', params: id, body: z.record(z.string(), z.unknown()) } },
          async (req) => ({
            version: await svc.putSpec(req.principal, req.params.id, req.body, undefined, meta(req)),
          }),
        );
        p.get(
          '/api/gateway/apis/:id/identity-key',
          { schema: { tags: ['gateway'], summary: 'Key with which the upstream verifies the signed consumer identity (producer; audited)', params: id } },
          async (req, reply) => reply.header('cache-control', 'no-store').send(await svc.identityKey(req.principal, req.params.id, meta(req))),
        );
        p.post('/api/gateway/apis/:id/plans', { schema: { tags: ['gateway'], summary: 'Add a plan', params: id, body: planInput } }, async (req, reply) =>
          reply.status(201).send(await svc.createPlan(req.principal, req.params.id, req.body, undefined, meta(req))),
        );
        p.patch(
          '/api/gateway/plans/:id',
          { schema: { tags: ['gateway'], summary: 'Change a plan’s limits and quotas', params: id, body: planPatch } },
          async (req) => svc.updatePlan(req.principal, req.params.id, req.body, undefined, meta(req)),
        );
        p.delete('/api/gateway/plans/:id', { schema: { tags: ['gateway'], summary: 'Delete a plan', params: id } }, async (req, reply) => {
          await svc.deletePlan(req.principal, req.params.id, meta(req));
          return reply.status(204).send();
        });
        p.get(
          '/api/gateway/apis/:id/subscriptions',
          { schema: { tags: ['gateway'], summary: 'Subscriptions of an API (producer)', params: id } },
          async (req) => ({ items: await svc.subscriptionsOfApi(req.principal, req.params.id) }),
        );
        p.post(
          '/api/gateway/subscriptions/:id/:decision',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Approve, reject or revoke a subscription',
              params: z.object({ id: z.uuid(), decision: z.enum(['approve', 'reject', 'revoke']) }),
            },
          },
          async (req) => svc.decide(req.principal, req.params.id, req.params.decision, meta(req)),
        );

        // Consumers.
        p.get('/api/gateway/applications', { schema: { tags: ['gateway'], summary: 'My applications' } }, async (req) => ({
          items: await svc.listApps(req.principal!),
        }));
        p.post('/api/gateway/applications', { schema: { tags: ['gateway'], summary: 'Create an application', body: appInput } }, async (req, reply) =>
          reply.status(201).send(await svc.createApp(req.principal, req.body, undefined, meta(req))),
        );
        p.get(
          '/api/gateway/applications/:id',
          { schema: { tags: ['gateway'], summary: 'An application with subscriptions, keys and OAuth2 clients', params: id } },
          async (req) => svc.getApp(req.principal!, req.params.id),
        );
        p.delete('/api/gateway/applications/:id', { schema: { tags: ['gateway'], summary: 'Delete an application', params: id } }, async (req, reply) => {
          await svc.deleteApp(req.principal!, req.params.id, meta(req));
          return reply.status(204).send();
        });
        p.post(
          '/api/gateway/applications/:id/subscriptions',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Subscribe to a plan (automatic or manual approval)',
              params: id,
              body: z.object({ planId: z.uuid(), reason: z.string().max(2000).default('') }),
            },
          },
          async (req, reply) =>
            reply.status(201).send(await svc.subscribe(req.principal, req.params.id, req.body.planId, req.body.reason, undefined, meta(req))),
        );
        p.post(
          '/api/gateway/applications/:id/keys',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Create an API key (shown once)',
              params: id,
              body: z.object({ name: z.string().trim().max(100).default(''), expiresInDays: z.number().int().min(1).max(730).nullable().default(365) }),
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createKey(req.principal, req.params.id, req.body, undefined, meta(req))),
        );
        p.post(
          '/api/gateway/keys/:id/rotate',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Rotate a key: new key now, the old one valid for the overlap',
              params: id,
              body: z.object({ overlapHours: z.number().int().min(0).max(720).default(24) }),
            },
          },
          async (req, reply) => reply.status(201).send(await svc.rotateKey(req.principal, req.params.id, req.body.overlapHours, meta(req))),
        );
        p.post('/api/gateway/keys/:id/revoke', { schema: { tags: ['gateway'], summary: 'Revoke a key', params: id } }, async (req) =>
          svc.revokeKey(req.principal, req.params.id, meta(req)),
        );
        p.post(
          '/api/gateway/applications/:id/clients',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Create an OAuth2 client (secret shown once, or public keys for private_key_jwt)',
              params: id,
              body: z.object({
                authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']).default('client_secret_basic'),
                jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).max(10) }).optional(),
              }),
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createClient(req.principal, req.params.id, req.body, meta(req))),
        );
        p.post('/api/gateway/clients/:id/revoke', { schema: { tags: ['gateway'], summary: 'Revoke an OAuth2 client', params: id } }, async (req, reply) => {
          await svc.revokeClient(req.principal, req.params.id, meta(req));
          return reply.status(204).send();
        });

        // Dashboards.
        p.get(
          '/api/gateway/usage',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Calls, errors, latency percentiles and top consumers of an API or an application',
              querystring: z.object({
                apiId: z.uuid().optional(),
                applicationId: z.uuid().optional(),
                granularity: z.enum(['minute', 'hour', 'day']).default('hour'),
                from: z.coerce.date().optional(),
                to: z.coerce.date().optional(),
                format: z.enum(['json', 'csv']).optional(),
              }),
            },
          },
          async (req, reply) => {
            const to = req.query.to ?? new Date(Date.now() + 60_000);
            const span = req.query.granularity === 'minute' ? 3 * 3600_000 : req.query.granularity === 'hour' ? 7 * 86400_000 : 90 * 86400_000;
            const from = req.query.from ?? new Date(to.getTime() - span);
            const u = await svc.usage(req.principal!, { ...req.query, from, to });
            if (wantsCsv(req))
              return sendCsv(
                reply,
                'usage-passerelle.csv',
                ['bucket', 'apiId', 'applicationId', 'calls', 's2xx', 's3xx', 's4xx', 's5xx', 's429', 'sumMs'].map((k) => ({ key: k, header: k })),
                u.rows.map((r) => ({ ...r, bucket: r.bucket.toISOString() })),
              );
            const { rows: _rows, ...rest } = u;
            void _rows;
            return rest;
          },
        );
      }),
    );

    await app.register(
      routeGroup({ roles: ['admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get('/api/gateway/config', { schema: { tags: ['gateway'], summary: 'Current configuration as YAML (declarative format)' } }, async (_req, reply) =>
          reply.type('application/yaml; charset=utf-8').send(node.declarative.toYaml(await node.declarative.exportConfig())),
        );
        p.post(
          '/api/gateway/config',
          {
            schema: {
              tags: ['gateway'],
              summary: 'Apply a declarative configuration (all or nothing), or preview its diff',
              body: z.object({ yaml: z.string().max(2 * 1024 * 1024), dryRun: z.boolean().default(true) }),
            },
          },
          async (req) => {
            const d = node.declarative;
            const diff = await d.apply(d.parse(req.body.yaml), process.env, actorOf(req.principal), { dryRun: req.body.dryRun });
            return { diff, text: formatDiff(diff), applied: !req.body.dryRun };
          },
        );
        p.post('/api/gateway/signing-keys/rotate', { schema: { tags: ['gateway'], summary: 'Rotate the OAuth2 signing key' } }, async (req) =>
          svc.rotateSigningKey(req.principal, meta(req)),
        );
        p.get('/api/gateway/node', { schema: { tags: ['gateway'], summary: 'This node’s gateway metrics (data plane, limiter, analytics)' } }, async () => ({
          dataPlane: node.dataPlane.metrics,
          limiter: node.limiter.metrics ?? { redisErrors: 0, failOpen: 0, failClosed: 0 },
          analytics: node.analytics.metrics,
          memory: process.memoryUsage().rss,
        }));
      }),
    );
  };
}
