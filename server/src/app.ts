import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { Platform } from './platform/bootstrap.ts';
import { registerErrorHandling } from './platform/http/problem.ts';
import { accessPlugin, routeGroup } from './platform/auth/access.ts';
import { API_TAGS, openApiTransform, routeContractPlugin } from './platform/http/contract.ts';
import { registerInputHygiene } from './platform/http/input-hygiene.ts';
import { registerRequestLog } from './platform/http/request-log.ts';
import { authRoutes } from './platform/auth/auth.routes.ts';
import { federationPlugin } from './platform/auth/oidc/index.ts';
import { adminRoutes } from './platform/admin.routes.ts';
import { ping } from './db/client.ts';
import { migrationsUpToDate } from './db/migrate.ts';

export interface BuildAppOptions {
  /** Directory of the built web app, served at `/` with SPA fallback; none in API-only tests. */
  webDist?: string;
  /** `gateway`: data plane only. */
  role?: 'all' | 'api' | 'gateway' | 'worker';
  /** Fastify logger; false in tests. */
  logger?: boolean;
}

const readiness = z.object({
  status: z.string(),
  database: z.string(),
  migrations: z.string(),
  redis: z.string(),
  blobs: z.string().describe('Le magasin de fichiers (fs ou s3) : « ok (s3) » quand il s’écrit et se relit'),
  modules: z
    .record(z.string(), z.object({ status: z.enum(['ok', 'degraded']), detail: z.string() }))
    .describe('Ce que chaque module dit de lui-même (un amont qui échoue à ses sondes…)'),
});

/** Paths owned by the API side: never answered with the web app's index.html. */
// '/catalog.' (DCAT files), not '/catalog': the web app's '/catalogue' pages must fall back to index.html.
const API_PREFIXES = ['/api/', '/deces/api/', '/gw/', '/oauth/', '/.well-known/', '/catalog.'];

/** Builds the HTTP application: platform plugins, platform routes, then every module's routes. */
export async function buildApp(platform: Platform, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { ctx, modules } = platform;
  const env = ctx.env;
  const role = opts.role ?? env.PATRIMOINE_ROLE;
  // Modules that take some paths before the platform's instance (the gateway's data plane, ADR 0404).
  const fronts = role === 'worker' ? [] : modules.flatMap((m) => (m.front ? [m.front] : []));
  const serverFactory = fronts.length
    ? (handler: http.RequestListener, o: { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number }) => {
        const server = http.createServer((req, res) => {
          const url = req.url ?? '';
          for (const f of fronts)
            if (url.startsWith(f.prefix)) {
              const h = f.handler();
              if (h) return h(req, res);
            }
          handler(req, res);
        });
        // What Fastify sets on the servers it creates itself.
        server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
        server.requestTimeout = o.requestTimeout ?? 0;
        server.setTimeout(o.connectionTimeout ?? 0);
        return server;
      }
    : undefined;
  const app: FastifyInstance = Fastify({
    ...(serverFactory ? { serverFactory: serverFactory as never } : {}),
    ...(opts.logger === false ? { logger: false } : { loggerInstance: ctx.logger }),
    bodyLimit: env.PATRIMOINE_BODY_LIMIT,
    // Registering every module (route schemas, OpenAPI) takes seconds on a loaded 2-core node; Fastify's
    // default 10 s made start-up fail under load rather than only slow it down.
    pluginTimeout: 60_000,
    trustProxy: parseTrustProxy(env.PATRIMOINE_TRUST_PROXY),
    requestIdHeader: 'x-request-id',
    // One line per request, written by registerRequestLog (no query strings, probes at debug).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    ajv: { customOptions: { coerceTypes: 'array' } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  const webDist = opts.webDist && role !== 'gateway' && fs.existsSync(path.join(opts.webDist, 'index.html')) ? opts.webDist : null;
  registerErrorHandling(app, { spaIndexHtml: webDist ? fs.readFileSync(path.join(webDist, 'index.html')) : undefined, apiPrefixes: API_PREFIXES });

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // DSFR and React set inline style attributes; no inline script is allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    hsts: { maxAge: 31536000, includeSubDomains: true },
  });
  // Embedded views (`/integration/…`, e.g. a public dashboard behind a signed, expiring token) are the only
  // pages another site may frame; their data requests check the token themselves.
  app.addHook('onSend', async (req, reply) => {
    if (!req.url.startsWith('/integration/')) return;
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.header('content-security-policy', csp.replace("frame-ancestors 'none'", 'frame-ancestors *'));
    reply.removeHeader('x-frame-options');
  });
  await app.register(multipart, { limits: { fileSize: env.PATRIMOINE_UPLOAD_LIMIT, files: 5, fields: 50, fieldSize: 64 * 1024 } });
  await app.register(accessPlugin, { auth: ctx.auth });
  await app.register(routeContractPlugin);
  registerInputHygiene(app);
  registerRequestLog(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patrimoine',
        version: '0.1.0',
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'Administrateur ministériel des données', url: env.publicUrl },
        description:
          'API de Patrimoine : catalogue et cartographie, pilotage de la feuille de route, API des personnes décédées, passerelle d’API. ' +
          'Authentification : cookie de session (avec en-tête X-CSRF-Token pour les modifications) ou `Authorization: Bearer <jeton personnel>`.',
      },
      servers: [{ url: env.publicUrl }],
      tags: [...API_TAGS],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Jeton d’API personnel (page « Mon compte »)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'patrimoine_session',
            description: 'Session du navigateur ; les modifications exigent l’en-tête X-CSRF-Token',
          },
        },
      },
    },
    transform: openApiTransform as never,
  });

  await app.register(
    routeGroup('public', async (g) => {
      const p = g.withTypeProvider<ZodTypeProvider>();
      p.get(
        '/api/health',
        {
          config: { quietLog: true },
          schema: { tags: ['platform'], operationId: 'getHealth', summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
        },
        async () => ({
          status: 'ok' as const,
        }),
      );
      p.get(
        '/api/ready',
        {
          config: { quietLog: true },
          schema: {
            tags: ['platform'],
            operationId: 'getReadiness',
            summary: 'Readiness: database reachable and migrations applied',
            response: { 200: readiness, 503: readiness },
          },
        },
        async (_req, reply) => {
          const dbOk = await ping(ctx.database);
          const migOk = dbOk && (await migrationsUpToDate(ctx.database));
          let redis = 'not configured';
          if (ctx.redis)
            redis = await ctx.redis.ping().then(
              () => 'ok',
              () => 'unreachable',
            );
          const blobs = await ctx.blobs.check().then(
            () => `ok (${ctx.blobs.kind})`,
            () => `unreachable (${ctx.blobs.kind})`,
          );
          const ok = dbOk && migOk && redis !== 'unreachable' && blobs.startsWith('ok');
          // What modules say of themselves (a failing upstream…): shown, without making the node unready.
          const moduleStates: Record<string, { status: 'ok' | 'degraded'; detail: string }> = {};
          if (dbOk && migOk)
            for (const m of modules)
              if (m.readiness) moduleStates[m.name] = await m.readiness().catch(() => ({ status: 'degraded' as const, detail: 'état indisponible' }));
          return reply.status(ok ? 200 : 503).send({
            status: ok ? 'ready' : 'not ready',
            database: dbOk ? `ok (${ctx.database.kind})` : 'unreachable',
            migrations: migOk ? 'applied' : 'pending',
            redis,
            blobs,
            modules: moduleStates,
          });
        },
      );
      p.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    }),
  );
  await app.register(
    routeGroup('public', async (g) => {
      await g.register(swaggerUi, {
        routePrefix: '/api/docs',
        staticCSP: true,
        // Swagger UI sets inline styles; scripts stay restricted to its own files.
        transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
        uiConfig: { docExpansion: 'list', deepLinking: true },
      });
    }),
  );

  if (role !== 'gateway') {
    await app.register(authRoutes(ctx));
    await app.register(federationPlugin(ctx));
    await app.register(adminRoutes(ctx));
    for (const m of modules) if (m.routes) await app.register(m.routes);
  }
  for (const m of modules) if (m.dataPlane) await app.register(m.dataPlane);

  if (webDist) {
    const dist = webDist;
    await app.register(
      routeGroup('public', async (g) => {
        // Hashed build files never change: cached for a year; the rest (icons, robots.txt) for an hour.
        // Brotli or gzip copies written at build time are sent to browsers that accept them.
        g.addHook('onSend', async (req, reply, payload) => {
          if (reply.statusCode === 200 && /^\/assets\/[^/?]+-[\w-]{8}\.\w+(\?|$)/.test(req.url))
            reply.header('cache-control', 'public, max-age=31536000, immutable');
          return payload;
        });
        await g.register(fastifyStatic, { root: dist, wildcard: false, index: false, preCompressed: true, maxAge: '1h', immutable: false });
      }),
    );
  }
  return app;
}

function parseTrustProxy(v: string): boolean | string | string[] | ((addr: string, hop: number) => boolean) {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_addr, hop) => hop < hops;
  }
  return v.includes(',') ? v.split(',').map((s) => s.trim()) : v;
}
