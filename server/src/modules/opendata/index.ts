import type { ModuleFactory } from '../../platform/context.ts';
import { createOpendataService, type OpendataService } from './opendata.service.ts';
import { opendataRoutes } from './opendata.routes.ts';
import { seedDemo } from './opendata.demo.ts';
import { createPublicationService, type PublicationService } from './publication/publication.service.ts';
import { publicationRoutes } from './publication/publication.routes.ts';
import { createDatagouvPush } from './datagouv/push.ts';
import { datagouvPushRoutes } from './datagouv/push.routes.ts';

export type { OpendataService, PublicationService };
export { PersonalDataScanner } from './personal-data/detector.ts';
export { validateFile } from './validation/validate.ts';
export { readOds, readXlsx } from './validation/spreadsheet.ts';

/**
 * Open data publication (issue 16): schema catalogue, streaming TableSchema validation, the
 * personal-data gate, and the resources of catalogue datasets with their immutable versions
 * (analysis job, publication, downloads, DCAT distributions). The data.gouv.fr push client lives
 * in `./datagouv/`.
 */
export const opendataModule: ModuleFactory = (ctx, services) => {
  const svc = createOpendataService(ctx);
  const catalog = services.catalog;
  if (!catalog) throw new Error('opendata: the catalog module must be built first');
  const publication = createPublicationService(ctx, { catalog, schemas: svc });
  const push = createDatagouvPush(ctx, { catalog });
  // Published resources become the DCAT distributions of their dataset in /catalog.ttl and /catalog.jsonld.
  catalog.setDistributionSource((ids) => publication.distributions(ids));
  return {
    module: {
      name: 'opendata',
      async routes(app) {
        await app.register(opendataRoutes(svc));
        await app.register(publicationRoutes(publication, ctx.blobs));
        await app.register(datagouvPushRoutes(push));
      },
      seedReference: async () => {
        const added = await svc.seedReference();
        if (added) ctx.logger.info({ added }, 'opendata: reference schemas loaded');
      },
      seedDemo: async () => {
        await seedDemo(ctx, svc, publication, catalog);
      },
      start: () => publication.counter.start(),
      stop: () => publication.counter.stop(),
    },
    services: { opendata: svc, opendataPublication: publication } as never,
  };
};

declare module '../../platform/events.ts' {
  interface PlatformEvents {
    /** A version became the published one of its resource (in the publication's transaction). */
    'opendata.version.published': { versionId: string; resourceId: string; datasetId: string; previousVersionId: string | null };
  }
}

declare module '../../platform/context.ts' {
  interface ModuleServices {
    opendata: OpendataService;
    opendataPublication: PublicationService;
  }
}
