import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, itemsOf, noContent } from '@patrimoine/contracts/common';
import {
  apiInput,
  apiPatch,
  appInput,
  clientInput,
  configApplyInput,
  configApplyResult,
  decisionParams,
  gwApi,
  gwApiDetail,
  gwApiParams,
  gwApiSubscription,
  gwApiSummary,
  gwApp,
  gwAppDetail,
  gwCreatedClient,
  gwCreatedKey,
  gwKey,
  gwNodeMetrics,
  gwPlan,
  gwRotatedKey,
  gwSubscription,
  gwUsage,
  identityKey,
  keyInput,
  planInput,
  planPatch,
  rotateKeyInput,
  signingKeyRotated,
  specInput,
  specQuery,
  specVersionCreated,
  storedOpenApiDocument,
  subscribeInput,
  usageQuery,
} from '@patrimoine/contracts/gateway';
import { routeGroup } from '../../platform/auth/access.ts';
import type { requestMeta } from '../../platform/http/common.ts';
import { sendCsv, wantsCsv } from '../../platform/http/common.ts';
import { toApi, type GatewayService } from './gateway.service.ts';
import type { DataPlane } from './dataplane.ts';
import type { Analytics } from './analytics.ts';
import type { LimiterMetrics } from './ratelimit.ts';
import { formatDiff, type createDeclarativeConfig } from './declarative.ts';

const meta = (req: Parameters<typeof requestMeta>[0]) => ({ requestId: req.id, ip: req.ip });
const tags = ['gateway'];

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
              tags,
              operationId: 'listGatewayApis',
              summary: 'APIs published through the gateway (portal catalogue)',
              description: '`?format=csv` downloads the list as CSV (text/csv).',
              querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
              response: { 200: itemsOf(gwApiSummary) },
            },
          },
          async (req, reply) => {
            const items = await svc.listApis(req.caller);
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
          '/api/gateway/apis/:api',
          {
            schema: {
              tags,
              operationId: 'getGatewayApi',
              summary: 'An API with its plans, availability and incidents',
              params: gwApiParams,
              response: { 200: gwApiDetail },
            },
          },
          async (req) => svc.getApi(req.caller, req.params.api),
        );
        p.get(
          '/api/gateway/apis/:api/openapi',
          {
            schema: {
              tags,
              operationId: 'getGatewayApiSpec',
              summary: 'OpenAPI document of an API (latest or ?version=)',
              params: gwApiParams,
              querystring: specQuery,
              response: { 200: storedOpenApiDocument },
            },
          },
          async (req) => (await svc.spec(req.caller, req.params.api, req.query.version)).document as Record<string, unknown>,
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        // Producers (authorization per API in the service).
        p.post(
          '/api/gateway/apis',
          { schema: { tags, operationId: 'createGatewayApi', summary: 'Register an API', body: apiInput, response: { 201: gwApi } } },
          async (req, reply) => reply.status(201).send(toApi(await svc.createApi(req.caller, req.body, undefined, meta(req)))),
        );
        p.patch(
          '/api/gateway/apis/:api',
          {
            schema: { tags, operationId: 'updateGatewayApi', summary: 'Update an API', params: gwApiParams, body: apiPatch, response: { 200: gwApi } },
          },
          async (req) => toApi(await svc.updateApi(req.caller, req.params.api, req.body, undefined, meta(req))),
        );
        p.delete(
          '/api/gateway/apis/:api',
          { schema: { tags, operationId: 'deleteGatewayApi', summary: 'Delete an API', params: gwApiParams, response: { 204: noContent } } },
          async (req, reply) => {
            await svc.deleteApi(req.caller, req.params.api, meta(req));
            return reply.status(204).send(null);
          },
        );
        p.put(
          '/api/gateway/apis/:api/openapi',
          {
            schema: {
              tags,
              operationId: 'putGatewayApiSpec',
              summary: 'New version of the API’s OpenAPI document',
              params: gwApiParams,
              body: specInput,
              response: { 200: specVersionCreated },
            },
          },
          async (req) => ({
            version: await svc.putSpec(req.caller, req.params.api, req.body, undefined, meta(req)),
          }),
        );
        p.get(
          '/api/gateway/apis/:api/identity-key',
          {
            schema: {
              tags,
              operationId: 'getGatewayApiIdentityKey',
              summary: 'Key with which the upstream verifies the signed consumer identity (producer; audited)',
              params: gwApiParams,
              response: { 200: identityKey },
            },
          },
          async (req, reply) => reply.header('cache-control', 'no-store').send(await svc.identityKey(req.caller, req.params.api, meta(req))),
        );
        p.post(
          '/api/gateway/apis/:api/plans',
          {
            schema: { tags, operationId: 'createGatewayPlan', summary: 'Add a plan', params: gwApiParams, body: planInput, response: { 201: gwPlan } },
          },
          async (req, reply) => reply.status(201).send(await svc.createPlan(req.caller, req.params.api, req.body, undefined, meta(req))),
        );
        p.patch(
          '/api/gateway/plans/:id',
          {
            schema: {
              tags,
              operationId: 'updateGatewayPlan',
              summary: 'Change a plan’s limits and quotas',
              params: idParams,
              body: planPatch,
              response: { 200: gwPlan },
            },
          },
          async (req) => svc.updatePlan(req.caller, req.params.id, req.body, undefined, meta(req)),
        );
        p.delete(
          '/api/gateway/plans/:id',
          { schema: { tags, operationId: 'deleteGatewayPlan', summary: 'Delete a plan', params: idParams, response: { 204: noContent } } },
          async (req, reply) => {
            await svc.deletePlan(req.caller, req.params.id, meta(req));
            return reply.status(204).send(null);
          },
        );
        p.get(
          '/api/gateway/apis/:api/subscriptions',
          {
            schema: {
              tags,
              operationId: 'listGatewayApiSubscriptions',
              summary: 'Subscriptions of an API (producer)',
              params: gwApiParams,
              response: { 200: itemsOf(gwApiSubscription) },
            },
          },
          async (req) => ({ items: await svc.subscriptionsOfApi(req.caller, req.params.api) }),
        );
        p.post(
          '/api/gateway/subscriptions/:id/:decision',
          {
            schema: {
              tags,
              operationId: 'decideGatewaySubscription',
              summary: 'Approve, reject or revoke a subscription',
              params: decisionParams,
              response: { 200: gwSubscription },
            },
          },
          async (req) => svc.decide(req.caller, req.params.id, req.params.decision, meta(req)),
        );

        // Consumers.
        p.get(
          '/api/gateway/applications',
          { schema: { tags, operationId: 'listGatewayApplications', summary: 'My applications', response: { 200: itemsOf(gwApp) } } },
          async (req) => ({ items: await svc.listApps(req.caller) }),
        );
        p.post(
          '/api/gateway/applications',
          { schema: { tags, operationId: 'createGatewayApplication', summary: 'Create an application', body: appInput, response: { 201: gwApp } } },
          async (req, reply) => reply.status(201).send(await svc.createApp(req.caller, req.body, undefined, meta(req))),
        );
        p.get(
          '/api/gateway/applications/:id',
          {
            schema: {
              tags,
              operationId: 'getGatewayApplication',
              summary: 'An application with subscriptions, keys and OAuth2 clients',
              params: idParams,
              response: { 200: gwAppDetail },
            },
          },
          async (req) => svc.getApp(req.caller, req.params.id),
        );
        p.delete(
          '/api/gateway/applications/:id',
          {
            schema: { tags, operationId: 'deleteGatewayApplication', summary: 'Delete an application', params: idParams, response: { 204: noContent } },
          },
          async (req, reply) => {
            await svc.deleteApp(req.caller, req.params.id, meta(req));
            return reply.status(204).send(null);
          },
        );
        p.post(
          '/api/gateway/applications/:id/subscriptions',
          {
            schema: {
              tags,
              operationId: 'subscribeGatewayApplication',
              summary: 'Subscribe to a plan (automatic or manual approval)',
              params: idParams,
              body: subscribeInput,
              response: { 201: gwSubscription },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.subscribe(req.caller, req.params.id, req.body.planId, req.body.reason, undefined, meta(req))),
        );
        p.post(
          '/api/gateway/applications/:id/keys',
          {
            schema: {
              tags,
              operationId: 'createGatewayKey',
              summary: 'Create an API key (shown once)',
              params: idParams,
              body: keyInput,
              response: { 201: gwCreatedKey },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createKey(req.caller, req.params.id, req.body, undefined, meta(req))),
        );
        p.post(
          '/api/gateway/keys/:id/rotate',
          {
            schema: {
              tags,
              operationId: 'rotateGatewayKey',
              summary: 'Rotate a key: new key now, the old one valid for the overlap',
              params: idParams,
              body: rotateKeyInput,
              response: { 201: gwRotatedKey },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.rotateKey(req.caller, req.params.id, req.body.overlapHours, meta(req))),
        );
        p.post(
          '/api/gateway/keys/:id/revoke',
          { schema: { tags, operationId: 'revokeGatewayKey', summary: 'Revoke a key', params: idParams, response: { 200: gwKey } } },
          async (req) => svc.revokeKey(req.caller, req.params.id, meta(req)),
        );
        p.post(
          '/api/gateway/applications/:id/clients',
          {
            schema: {
              tags,
              operationId: 'createGatewayOauthClient',
              summary: 'Create an OAuth2 client (secret shown once, or public keys for private_key_jwt)',
              params: idParams,
              body: clientInput,
              response: { 201: gwCreatedClient },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.createClient(req.caller, req.params.id, req.body, meta(req))),
        );
        p.post(
          '/api/gateway/clients/:id/revoke',
          {
            schema: { tags, operationId: 'revokeGatewayOauthClient', summary: 'Revoke an OAuth2 client', params: idParams, response: { 204: noContent } },
          },
          async (req, reply) => {
            await svc.revokeClient(req.caller, req.params.id, meta(req));
            return reply.status(204).send(null);
          },
        );

        // Dashboards.
        p.get(
          '/api/gateway/usage',
          {
            schema: {
              tags,
              operationId: 'getGatewayUsage',
              summary: 'Calls, errors, latency percentiles and top consumers of an API or an application',
              description: '`?format=csv` downloads the aggregated rows as CSV (text/csv).',
              querystring: usageQuery,
              response: { 200: gwUsage },
            },
          },
          async (req, reply) => {
            const to = req.query.to ?? new Date(Date.now() + 60_000);
            const span = req.query.granularity === 'minute' ? 3 * 3600_000 : req.query.granularity === 'hour' ? 7 * 86400_000 : 90 * 86400_000;
            const from = req.query.from ?? new Date(to.getTime() - span);
            const u = await svc.usage(req.caller, { ...req.query, from, to });
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
        p.get(
          '/api/gateway/config',
          {
            schema: {
              tags,
              operationId: 'exportGatewayConfig',
              summary: 'Current configuration as YAML (declarative format)',
              response: { 200: { description: 'The configuration (YAML)', content: { 'application/yaml': { schema: z.string() } } } },
            },
          },
          async (_req, reply) => reply.type('application/yaml; charset=utf-8').send(node.declarative.toYaml(await node.declarative.exportConfig())),
        );
        p.post(
          '/api/gateway/config',
          {
            schema: {
              tags,
              operationId: 'applyGatewayConfig',
              summary: 'Apply a declarative configuration (all or nothing), or preview its diff',
              body: configApplyInput,
              response: { 200: configApplyResult },
            },
          },
          async (req) => {
            const d = node.declarative;
            const diff = await d.apply(d.parse(req.body.yaml), process.env, req.caller, { dryRun: req.body.dryRun });
            return { diff, text: formatDiff(diff), applied: !req.body.dryRun };
          },
        );
        p.post(
          '/api/gateway/signing-keys/rotate',
          { schema: { tags, operationId: 'rotateGatewaySigningKey', summary: 'Rotate the OAuth2 signing key', response: { 200: signingKeyRotated } } },
          async (req) => svc.rotateSigningKey(req.caller, meta(req)),
        );
        p.get(
          '/api/gateway/node',
          {
            schema: {
              tags,
              operationId: 'getGatewayNodeMetrics',
              summary: 'This node’s gateway metrics (data plane, limiter, analytics)',
              response: { 200: gwNodeMetrics },
            },
          },
          async () => ({
            dataPlane: node.dataPlane.metrics,
            limiter: node.limiter.metrics ?? { redisErrors: 0, failOpen: 0, failClosed: 0 },
            analytics: node.analytics.metrics,
            memory: process.memoryUsage().rss,
          }),
        );
      }),
    );
  };
}
