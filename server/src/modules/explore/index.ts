import type { ModuleFactory } from '../../platform/context.ts';
import { createExploreService, type ExploreService } from './explore.service.ts';
import { exploreRoutes } from './explore.routes.ts';
import { seedExploreDemo } from './explore.demo.ts';

export type { ExploreService };

/**
 * Explore (issue 18): published tabular resources converted to Parquet and queried with an embedded,
 * sandboxed DuckDB — the tabular API, questions (builder or SQL), charts and dashboards.
 */
export const exploreModule: ModuleFactory = (ctx, services) => {
  const publication = services.opendataPublication;
  const catalog = services.catalog;
  if (!publication || !catalog) throw new Error('explore: the catalog and opendata modules must be built first');
  const svc = createExploreService(ctx, { publication });
  return {
    module: {
      name: 'explore',
      async routes(app) {
        await app.register(exploreRoutes(svc));
      },
      seedDemo: () => seedExploreDemo(ctx, publication, catalog),
      start() {
        if (ctx.env.PATRIMOINE_ROLE === 'gateway') return;
        // The extracts converted before their count tables existed (ADR 0804) get them now.
        void svc
          .backfillCounts()
          .then((ids) => ids.length && ctx.logger.info({ extracts: ids.length }, 'explore: count tables queued for older extracts'))
          .catch((err: unknown) => ctx.logger.warn({ err }, 'explore: count tables of older extracts not queued'));
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
