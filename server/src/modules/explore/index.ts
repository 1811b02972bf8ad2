import type { ModuleFactory } from '../../platform/context.ts';
import { createExploreService, type ExploreService } from './explore.service.ts';
import { exploreRoutes } from './explore.routes.ts';

export type { ExploreService };

/**
 * Explore (issue 18): published tabular resources converted to Parquet and queried with an embedded,
 * sandboxed DuckDB — the tabular API, questions (builder or SQL), charts and dashboards.
 */
export const exploreModule: ModuleFactory = (ctx, services) => {
  const publication = services.opendataPublication;
  if (!publication) throw new Error('explore: the opendata module must be built first');
  const svc = createExploreService(ctx, { publication });
  return {
    module: {
      name: 'explore',
      async routes(app) {
        await app.register(exploreRoutes(svc));
      },
      stop: () => svc.close(),
    },
    services: { explore: svc } as never,
  };
};

declare module '../../platform/context.ts' {
  interface ModuleServices {
    explore: ExploreService;
  }
}
