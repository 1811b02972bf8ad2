import type { FastifyPluginAsync } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
import { routeGroup } from '../../platform/auth/access.ts';
import { API } from './deces.routes.ts';

type Spec = { info?: Record<string, unknown>; paths?: Record<string, unknown>; tags?: { name: string }[]; [k: string]: unknown };

/** The platform's OpenAPI document cut to the deaths API (matchID serves its own at `/docs/swagger.json`). */
export function decesSpec(full: Spec): Spec {
  const paths = Object.fromEntries(Object.entries(full.paths ?? {}).filter(([p]) => p.startsWith(`${API}/`)));
  return {
    ...full,
    info: {
      ...full.info,
      title: 'API des personnes décédées',
      description:
        'Recherche dans le fichier des personnes décédées de l’INSEE, appariement de fichiers et corrections, au contrat de matchID ' +
        '(deces-backend) : ses clients et son interface fonctionnent sans changement.',
    },
    paths,
    tags: (full.tags ?? []).filter((t) => t.name === 'deces'),
  };
}

/**
 * `/deces/api/v1/docs` (Swagger UI) and `/deces/api/v1/docs/swagger.json`, where matchID's users find
 * the API's documentation; public like the search itself.
 */
export function decesDocsRoutes(): FastifyPluginAsync {
  return routeGroup('public', async (g) => {
    g.get(`${API}/docs/swagger.json`, { schema: { hide: true } }, async () => decesSpec(g.swagger() as unknown as Spec));
    await g.register(swaggerUi, {
      routePrefix: `${API}/docs`,
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
      transformSpecification: (spec) => decesSpec(spec as Spec) as typeof spec,
      uiConfig: { docExpansion: 'list', deepLinking: true },
    });
  });
}
