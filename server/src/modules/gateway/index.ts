import os from 'node:os';
import { hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Command } from 'commander';
import { request } from 'undici';
import type { CliContext, ModuleFactory, ModuleServices } from '../../platform/context.ts';
import { getSetting, setSetting } from '../../platform/seed.ts';
import { SYSTEM, actorOf } from '../../platform/auth/principal.ts';
import { roleRestrictedOperations } from '../../platform/http/contract.ts';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerErrorHandling } from '../../platform/http/problem.ts';
import { createGatewayRepository } from './gateway.repository.ts';
import { createGatewayService, type GatewayService } from './gateway.service.ts';
import { gatewayRoutes } from './gateway.routes.ts';
import { DataPlane } from './dataplane.ts';
import { lazyChildLogger } from './lazy-logger.ts';
import { Analytics } from './analytics.ts';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './ratelimit.ts';
import { OAuthServer } from './oauth.ts';
import { createSecrets, loadMasterSecret } from './secrets.ts';
import { guardedAgent, upstreamFailureLabel } from './ssrf.ts';
import { isSelfUpstream, legacySelfPath, resolveUpstream, selfOrigin, SELF_PREFIX } from './self-upstream.ts';
import { PROBE_USER_AGENT } from '../../platform/http/request-log.ts';
import { apiGouvRoutes } from './apigouv.routes.ts';
import { registerGatewayCli, createDeclarativeConfig } from './declarative.ts';
import { createFranceConnect, parseFcApis } from './franceconnect.ts';
import { DROIT_A_CONDUIRE_SCOPES, DROIT_A_CONDUIRE_SLUG, DROIT_A_CONDUIRE_UPSTREAM, droitAConduireSpec, droitAConduireUpstream } from './droit-a-conduire.ts';
import { createDemoFranceConnect, demoFranceConnectRoutes, DEMO_CHECKTOKEN_PATH } from './franceconnect-demo.ts';
import { demoUpstreams } from './demo-upstreams.ts';
/** The synthetic upstreams of the demo's restricted APIs (the habilitations' demo publishes them). */
export { DEMO_UPSTREAMS, demoUpstreamOf } from './demo-upstreams.ts';
import { createProvisioning, type GatewayProvisioning } from './provisioning.ts';

export interface GatewayModuleService {
  service: GatewayService;
  dataPlane: DataPlane;
  analytics: Analytics;
  limiter: RateLimiter;
  /** Runs one round of upstream health probes (the elected node does it on a timer). */
  probeOnce(): Promise<number>;
  /** Serves the data plane on its own port (what GATEWAY_PORT does at start). */
  listenDedicated(port: number): Promise<void>;
  declarative: ReturnType<typeof createDeclarativeConfig>;
  /** What the habilitations module provisions in its own transactions. */
  provisioning: GatewayProvisioning;
}

declare module '../../platform/context.ts' {
  interface ModuleServices {
    gateway: GatewayModuleService;
  }
}

interface CatalogLike {
  getAsset(kind: string, slug: string): Promise<{ id: string } | null>;
  getAssetById(id: string): Promise<{
    id: string;
    kind: string;
    slug: string;
    title: string;
    tags?: string[];
    contacts?: { role: string; name: string; email?: string }[];
  } | null>;
}

const PROBE_MS = 30_000;
/** APIs the gateway publishes by itself (reference content, not demo). */
// `habilitations-api`: published by the habilitations module's reference content (its DataPass-compatible API).
const REFERENCE_API_SLUGS = ['deces', 'habilitations-api'];

/** PATRIMOINE_TRUST_PROXY as Fastify reads it (same meaning as on the main port). */
function trustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** The API gateway and developer portal (issue 6). */
export const gatewayModule: ModuleFactory = (ctx, services) => {
  const repo = createGatewayRepository(ctx.db);
  const master = loadMasterSecret(ctx.env);
  const secrets = createSecrets(master);
  // A connection of its own with auto-pipelining: the limit checks of concurrent calls leave in one
  // write (ADR 0404). Connected when the data plane is registered.
  const limiterRedis = ctx.redis ? ctx.redis.duplicate({ enableAutoPipelining: true }) : null;
  limiterRedis?.on('error', () => undefined);
  const limiter: RateLimiter = limiterRedis ? new RedisRateLimiter(limiterRedis, `${ctx.env.REDIS_PREFIX}gw:rl:`) : new MemoryRateLimiter();
  const analytics = new Analytics(repo, () => ctx.clock.now());
  const oauth = new OAuthServer(ctx.env.publicUrl, secrets, ctx.clock, {
    firstUse: async (jti, ttlMs) => (await ctx.counters.incr(`gw:jti:${jti}`, ttlMs)).count === 1,
  });
  const origin = selfOrigin(ctx.env);
  const resolve = (url: string) => resolveUpstream(url, origin);
  // The local provider playing FranceConnect's role (demo, development; never in production).
  const fcDemoOn =
    ctx.env.PATRIMOINE_FRANCECONNECT_DEV_PROVIDER ??
    (ctx.env.PATRIMOINE_SEED_DEMO && ctx.env.NODE_ENV !== 'production' && !ctx.env.PATRIMOINE_FRANCECONNECT_CHECKTOKEN_URL);
  if (fcDemoOn && ctx.env.NODE_ENV === 'production') throw new Error('PATRIMOINE_FRANCECONNECT_DEV_PROVIDER is refused in production');
  const fcDemo = fcDemoOn
    ? createDemoFranceConnect({ key: Buffer.from(hkdfSync('sha256', master, 'patrimoine-gateway', 'franceconnect-demo', 32)), clock: ctx.clock })
    : null;
  const checkTokenUrl = ctx.env.PATRIMOINE_FRANCECONNECT_CHECKTOKEN_URL ?? (fcDemo ? `${origin}${DEMO_CHECKTOKEN_PATH}` : undefined);
  const dataPlane = new DataPlane({
    resolveUpstream: resolve,
    repo,
    clock: ctx.clock,
    limiter,
    analytics,
    oauth,
    secrets,
    logger: ctx.logger,
    issuer: ctx.env.publicUrl,
    principalOf: (t) => ctx.auth.fromToken(t),
    franceConnect: createFranceConnect({
      checkTokenUrl,
      clientId: ctx.env.PATRIMOINE_FRANCECONNECT_CLIENT_ID,
      clientSecret: ctx.env.PATRIMOINE_FRANCECONNECT_CLIENT_SECRET,
      cacheMs: ctx.env.PATRIMOINE_FRANCECONNECT_CACHE_SECONDS * 1000,
      dispatcher: guardedAgent({ allowPrivate: true }),
    }),
  });
  const catalog = () => (services as Record<string, unknown>)['catalog'] as CatalogLike | undefined;
  const service = createGatewayService({
    ctx,
    repo,
    secrets,
    limiter,
    onChange: () => dataPlane.reload(),
    catalogAsset: async (id) => {
      const a = await catalog()
        ?.getAssetById(id)
        .catch(() => null);
      return a ? { kind: a.kind, slug: a.slug, title: a.title } : null;
    },
  });
  const declarative = createDeclarativeConfig({ ctx, repo, service, onChange: () => dataPlane.reload() });
  const nodeId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let probeTimer: NodeJS.Timeout | null = null;
  const probeAgents = {
    private: guardedAgent({ allowPrivate: true }),
    public: guardedAgent({ allowPrivate: false }),
  };

  async function probeOnce(): Promise<number> {
    const apis = (await repo.listApis()).filter((a) => a.enabled);
    await Promise.all(
      apis.map(async (a) => {
        const t0 = performance.now();
        const url = new URL(resolve(a.upstreamUrl).replace(/\/+$/, '') + a.healthPath);
        try {
          const r = await request(url, {
            method: 'GET',
            headers: { 'user-agent': PROBE_USER_AGENT },
            headersTimeout: Math.min(a.timeoutMs, 10_000),
            bodyTimeout: Math.min(a.timeoutMs, 10_000),
            dispatcher: a.allowPrivateUpstream ? probeAgents.private : probeAgents.public,
          });
          await r.body.dump();
          // The upstream answered: only server errors count as unavailability.
          await repo.addProbe({
            apiId: a.id,
            at: ctx.clock.now(),
            ok: r.statusCode < 500,
            status: r.statusCode,
            ms: Math.round(performance.now() - t0),
            error: null,
          });
        } catch (e) {
          await repo.addProbe({
            apiId: a.id,
            at: ctx.clock.now(),
            ok: false,
            status: null,
            ms: Math.round(performance.now() - t0),
            error: upstreamFailureLabel((e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code),
          });
        }
      }),
    );
    return apis.length;
  }

  async function probeTick() {
    try {
      // One node probes: the holder of a lease in the database, renewed at every round.
      if (!(await repo.lease('probe-leader', nodeId, ctx.clock.now(), PROBE_MS * 3))) return;
      await probeOnce();
      await repo.pruneProbes(new Date(ctx.clock.now().getTime() - 35 * 86400_000));
    } catch (err) {
      ctx.logger.warn({ err }, 'gateway: probe round failed');
    }
  }

  async function prepare() {
    // A gateway-only node may be the first to open a fresh database: it needs a signing key too.
    await service.ensureSigningKey().catch((err: unknown) => ctx.logger.warn({ err }, 'gateway: could not ensure a signing key'));
    if (limiterRedis && limiterRedis.status === 'wait')
      await limiterRedis.connect().catch((err: unknown) => ctx.logger.warn({ err }, 'gateway: Redis unreachable, limits fall back per policy'));
    await dataPlane.reload();
  }

  /**
   * The data plane on its own port (GATEWAY_PORT): a lean Fastify instance with only the gateway's
   * routes, without the web platform's per-request hooks (ADR 0404).
   */
  let lean: FastifyInstance | null = null;
  let leanReady: Promise<FastifyInstance> | null = null;
  /**
   * The lean instance, built once: it serves GATEWAY_PORT and, on the main port, every `/gw/…`
   * request, handed over by the HTTP server before the platform's instance sees it (`front`).
   */
  function leanApp(): Promise<FastifyInstance> {
    leanReady ??= (async () => {
      const app = Fastify({
        loggerInstance: ctx.logger,
        logController: new LogController({ disableRequestLogging: true }),
        childLoggerFactory: lazyChildLogger,
        trustProxy: trustProxy(ctx.env.PATRIMOINE_TRUST_PROXY) as true,
        requestIdHeader: 'x-request-id',
        genReqId: () => randomUUID(),
        routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
      });
      // The OAuth2 endpoints declare zod response schemas (the proxy routes have none: nothing is added to their path).
      app.setValidatorCompiler(validatorCompiler);
      app.setSerializerCompiler(serializerCompiler);
      registerErrorHandling(app, { apiPrefixes: ['/'] });
      await prepare();
      await app.register(dataPlane.plugin());
      await app.ready();
      lean = app;
      return app;
    })();
    return leanReady;
  }
  async function startDedicatedPort(port: number) {
    const app = await leanApp();
    await app.listen({ port, host: ctx.env.HOST });
    ctx.logger.info({ port }, 'gateway data plane listening on its dedicated port');
  }

  const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  type OwnDoc = { openapi: string; info: Record<string, unknown>; paths?: Record<string, unknown>; components?: unknown };
  /** The operations of a path that a consumer of the API may call: the platform's own role-restricted routes (administration, review) are left out. */
  const publicOperations = (item: unknown): Record<string, unknown> | null => {
    const ops = Object.entries(item as Record<string, unknown>).filter(([, op]) => {
      const id = (op as { operationId?: unknown } | null)?.operationId;
      return !(typeof id === 'string' && roleRestrictedOperations.has(id));
    });
    return ops.some(([m]) => HTTP_METHODS.has(m)) ? Object.fromEntries(ops) : null;
  };
  async function importOwnSpecs(doc: OwnDoc) {
    const own = new Set([`127.0.0.1:${ctx.env.PORT}`, `localhost:${ctx.env.PORT}`, new URL(ctx.env.publicUrl).host]);
    for (const api of await repo.listApis()) {
      // A document its producer uploaded is theirs; one the platform imported earlier is brought up to date.
      const latest = api.specVersion > 0 ? await repo.spec(api.id, api.specVersion) : null;
      if (latest && latest.createdBy !== actorOf(SYSTEM).label) continue;
      const u = new URL(resolve(api.upstreamUrl));
      if (!isSelfUpstream(api.upstreamUrl) && !own.has(u.host)) continue;
      const base = u.pathname.replace(/\/+$/, '');
      const paths = Object.fromEntries(
        Object.entries(doc.paths ?? {})
          .filter(([p]) => base && p.startsWith(`${base}/`))
          .map(([p, v]) => [p.slice(base.length), publicOperations(v)] as const)
          .filter(([, v]) => v !== null),
      );
      if (!Object.keys(paths).length) continue;
      const spec = {
        openapi: doc.openapi,
        info: { ...doc.info, title: api.name, description: api.description },
        servers: [{ url: `${ctx.env.publicUrl}/gw/${api.slug}` }],
        paths,
        components: doc.components ?? {},
      };
      if (latest && JSON.stringify(latest.document) === JSON.stringify(spec)) continue;
      await service.putSpec(SYSTEM, api.id, spec);
    }
  }

  /**
   * Compatibility with PATRIMOINE_FRANCECONNECT_APIS (the consent scopes were configuration before they
   * were declared on the API): each API it names gets its scopes once, if none were declared, so an API
   * whose managers later change or remove them is not overwritten at the next start.
   */
  async function seedFranceConnectScopes() {
    const wanted = parseFcApis(ctx.env.PATRIMOINE_FRANCECONNECT_APIS);
    if (!wanted.size) return;
    const done = new Set((await getSetting<string[]>(ctx, 'gateway_franceconnect_seeded')) ?? []);
    for (const [slug, scopes] of wanted) {
      const api = done.has(slug) ? null : await repo.apiBySlug(slug);
      if (!api) continue;
      if (!api.franceconnectScopes) await service.updateApi(SYSTEM, api.id, { franceconnectScopes: scopes });
      done.add(slug);
    }
    await setSetting(ctx, 'gateway_franceconnect_seeded', [...done]);
  }

  /**
   * Demo (issue 15, roadmap A24): the synthetic « droit à conduire » published behind FranceConnect, with
   * a plan for service providers (automatic approval, so a visitor can try it) and its OpenAPI document.
   */
  async function publishDroitAConduire() {
    if (await repo.apiBySlug(DROIT_A_CONDUIRE_SLUG)) return;
    const api = await service.createApi(SYSTEM, {
      slug: DROIT_A_CONDUIRE_SLUG,
      name: 'API droit à conduire (FranceConnectée)',
      description:
        'Statut du permis de conduire et solde de points du citoyen connecté avec FranceConnect, pour les services en ligne qui agissent pour lui. Démonstration : l’amont, synthétique, est servi par la plateforme elle-même.',
      audience: 'Fournisseurs de service FranceConnect (services en ligne des administrations et des collectivités)',
      organisationCode: 'DSR',
      visibility: 'public',
      upstreamUrl: DROIT_A_CONDUIRE_UPSTREAM,
      allowPrivateUpstream: true,
      franceconnectScopes: [...DROIT_A_CONDUIRE_SCOPES],
      healthPath: '/sante',
    });
    await service.createPlan(SYSTEM, api.id, {
      slug: 'fournisseurs-de-service',
      name: 'Fournisseurs de service',
      perSecond: 10,
      perDay: 10_000,
      approval: 'auto',
    });
    await service.putSpec(SYSTEM, api.id, droitAConduireSpec(api.name, `${ctx.env.publicUrl}/gw/${DROIT_A_CONDUIRE_SLUG}`));
  }

  return {
    module: {
      name: 'gateway',
      routes: async (app) => {
        if (fcDemo) await app.register(fcDemo.checktoken);
        await app.register(demoFranceConnectRoutes(fcDemo, checkTokenUrl ?? null));
        await app.register(droitAConduireUpstream({ secrets, clock: ctx.clock, apiIdOf: async (slug) => (await repo.apiBySlug(slug))?.id ?? null }));
        await app.register(demoUpstreams({ secrets, clock: ctx.clock, apiIdOf: async (slug) => (await repo.apiBySlug(slug))?.id ?? null }));
        await app.register(gatewayRoutes(service, { dataPlane, analytics, limiter: limiter as { metrics?: RedisRateLimiter['metrics'] }, declarative }));
        await app.register(
          apiGouvRoutes(service, {
            producer: ctx.env.APIGOUV_PRODUCER,
            publicUrl: ctx.env.publicUrl,
            asset: async (id) => {
              const a = await catalog()
                ?.getAssetById(id)
                .catch(() => null);
              return a ? { tags: a.tags ?? [], contacts: a.contacts ?? [] } : null;
            },
          }),
        );
        // APIs served by the platform itself (the deaths API) get their OpenAPI document from the
        // platform's own, once, when their producer has not uploaded one.
        app.addHook('onReady', async function () {
          const doc = (this as unknown as { swagger?: () => unknown }).swagger?.();
          if (doc)
            await importOwnSpecs(doc as OwnDoc).catch((err: unknown) => ctx.logger.warn({ err }, 'gateway: could not import the platform’s OpenAPI document'));
        });
      },
      async readiness() {
        const failing = await service.failingUpstreams();
        if (!failing.length) return { status: 'ok' as const, detail: 'amonts disponibles' };
        return {
          status: 'degraded' as const,
          detail: failing.map((f) => `API « ${f.slug} » : ${f.reason} (sonde du ${f.at.toISOString()})`).join(' ; '),
        };
      },
      dataPlane: async (app) => {
        await prepare();
        await app.register(dataPlane.plugin());
        await leanApp();
      },
      // Real HTTP calls to `/gw/…` on the main port take the lean instance's path (ADR 0404): no
      // session lookup, CSRF check, cookie parsing, helmet or request-log serialisation per call.
      front: { prefix: '/gw/', handler: () => lean?.routing ?? null },
      async seedReference() {
        await service.ensureSigningKey();
        // Earlier versions stored the deaths API's upstream with the port of the first start: it now
        // follows the running configuration.
        const deces = await repo.apiBySlug('deces');
        const legacy = deces && !isSelfUpstream(deces.upstreamUrl) ? legacySelfPath(deces.upstreamUrl) : null;
        if (deces && legacy) await service.updateApi(SYSTEM, deces.id, { upstreamUrl: `${SELF_PREFIX}${legacy}` });
        await seedFranceConnectScopes();
        // The deaths API is published through the gateway by default (once: an admin may remove it).
        if (await getSetting(ctx, 'gateway_deces_published')) return;
        if (!(await repo.apiBySlug('deces'))) {
          const asset = await catalog()
            ?.getAsset('api', 'deces')
            .catch(() => null);
          const api = await service.createApi(SYSTEM, {
            slug: 'deces',
            name: 'API des personnes décédées',
            description:
              'Recherche dans le fichier des personnes décédées publié par l’INSEE depuis 1970 : par nom, prénoms, date et lieu de naissance ou de décès, avec un score de correspondance.',
            audience: 'Administrations, collectivités, organismes sociaux, notaires, généalogistes et entreprises qui doivent vérifier un décès.',
            organisationCode: 'DNUM',
            visibility: 'public',
            upstreamUrl: `${SELF_PREFIX}/deces/api/v1`,
            timeoutMs: 10_000,
            allowPrivateUpstream: true,
            requiredScope: null,
            failPolicy: 'open',
            maxBodyBytes: 1024 * 1024,
            enabled: true,
            healthPath: '/healthcheck',
            catalogAssetId: asset?.id ?? null,
          });
          await service.createPlan(SYSTEM, api.id, {
            slug: 'standard',
            name: 'Standard',
            keyless: false,
            perSecond: 20,
            perMinute: null,
            perDay: null,
            perMonth: null,
            approval: 'auto',
            scopes: ['deces:read'],
          });
        }
        await setSetting(ctx, 'gateway_deces_published', { at: ctx.clock.now().toISOString() });
      },
      /**
       * The demo catalogue (built by the catalogue module before this one) describes the deaths API:
       * link it. Called at every start when demo content is enabled, so it only acts on a gateway that
       * holds nothing but its reference content (no other API, application, key, client, subscription
       * or usage), and once.
       */
      async seedDemo() {
        if (await repo.hasContentBeyond(REFERENCE_API_SLUGS)) return;
        await publishDroitAConduire();
        if (await getSetting(ctx, 'gateway_demo_linked')) return;
        const api = await repo.apiBySlug('deces');
        if (!api || api.catalogAssetId) return;
        const asset =
          (await catalog()
            ?.getAsset('api', 'api-personnes-decedees')
            .catch(() => null)) ??
          (await catalog()
            ?.getAsset('api', 'deces')
            .catch(() => null));
        if (!asset) return;
        await service.updateApi(SYSTEM, api.id, { catalogAssetId: asset.id });
        await setSetting(ctx, 'gateway_demo_linked', { at: ctx.clock.now().toISOString(), asset: asset.id });
      },
      async start() {
        if (ctx.env.GATEWAY_PORT !== undefined && ctx.env.PATRIMOINE_ROLE !== 'worker') await startDedicatedPort(ctx.env.GATEWAY_PORT);
        analytics.start();
        dataPlane.startPolling(1000);
        if (ctx.env.PATRIMOINE_ROLE !== 'worker') {
          probeTimer = setInterval(() => void probeTick(), PROBE_MS);
          probeTimer.unref();
          setTimeout(() => void probeTick(), 2000).unref();
        }
      },
      async stop() {
        if (probeTimer) clearInterval(probeTimer);
        await lean?.close();
        await analytics.stop();
        await dataPlane.stop();
        await Promise.all([probeAgents.private.close(), probeAgents.public.close()]);
        if (limiter instanceof RedisRateLimiter) await limiter.releaseLeases();
        limiterRedis?.disconnect();
      },
    },
    services: {
      gateway: {
        service,
        dataPlane,
        analytics,
        limiter,
        probeOnce,
        declarative,
        listenDedicated: startDedicatedPort,
        provisioning: createProvisioning({
          ctx,
          repo,
          service,
          secrets,
          reload: () => dataPlane.reload(),
          verifyToken: async (token, apiSlug) => {
            const api = dataPlane.table.apis.get(apiSlug);
            if (!api) return { ok: false, status: 401, error: 'invalid_token', reason: `API « ${apiSlug} » inconnue de la passerelle.` };
            const v = await oauth.verify(dataPlane.table, token, api);
            return v.ok ? { ok: true, applicationId: v.app.id, organisationCode: v.app.organisationCode, clientId: v.clientId, scopes: v.scopes } : v;
          },
        }),
      },
    } satisfies Partial<ModuleServices>,
  };
};

/** `patrimoine gateway apply|export`. */
export function gatewayCli(program: Command, cli: CliContext): void {
  registerGatewayCli(program, cli);
}
