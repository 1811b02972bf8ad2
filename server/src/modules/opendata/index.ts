import type { Command } from 'commander';
import type { ModuleFactory } from '../../platform/context.ts';
import { startFakeUdata } from './datagouv/fake-udata.ts';
import { createOpendataService, type OpendataService } from './opendata.service.ts';
import { opendataRoutes } from './opendata.routes.ts';
import { seedDemo } from './opendata.demo.ts';
import { createPublicationService, type PublicationService } from './publication/publication.service.ts';
import { publicationRoutes } from './publication/publication.routes.ts';
import { createDatagouvPush } from './datagouv/push.ts';
import { datagouvPushRoutes } from './datagouv/push.routes.ts';
import { createCommunityService } from './community/community.service.ts';
import { communityRoutes } from './community/community.routes.ts';
import { createUsage, type UsageService } from './publication/usage.ts';

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
const USAGE_SYNC_MS = 3600_000;

export const opendataModule: ModuleFactory = (ctx, services) => {
  let usageTimer: NodeJS.Timeout | undefined;
  const svc = createOpendataService(ctx);
  const catalog = services.catalog;
  if (!catalog) throw new Error('opendata: the catalog module must be built first');
  const publication = createPublicationService(ctx, { catalog, schemas: svc });
  const usage = createUsage(ctx, { catalog, services: () => services });
  const community = createCommunityService(ctx, { catalog, canEdit: publication.canEdit });
  // A successful push also brings back the dataset's reuses and discussions from data.gouv.fr.
  const push = createDatagouvPush(ctx, { catalog, afterPush: (datasetId) => community.importFromDatagouv(datasetId) });
  // Published resources become the DCAT distributions of their dataset in /catalog.ttl and /catalog.jsonld.
  catalog.setDistributionSource((ids) => publication.distributions(ids));
  return {
    module: {
      name: 'opendata',
      async routes(app) {
        await app.register(opendataRoutes(svc));
        await app.register(publicationRoutes(publication, usage, ctx.blobs));
        await app.register(datagouvPushRoutes(push));
        await app.register(communityRoutes(community));
      },
      seedReference: async () => {
        const added = await svc.seedReference();
        if (added) ctx.logger.info({ added }, 'opendata: reference schemas loaded');
      },
      seedDemo: async () => {
        await seedDemo(ctx, svc, publication, catalog);
      },
      start() {
        publication.counter.start();
        if (ctx.env.PATRIMOINE_ROLE === 'gateway') return;
        // The roadmap's A64 action follows the indicators (coverage at once, the 30-day figures once a day).
        const tick = () => void usage.syncRoadmap().catch((err: unknown) => ctx.logger.warn({ err }, 'opendata: A64 indicators not updated'));
        usageTimer = setInterval(tick, USAGE_SYNC_MS);
        usageTimer.unref();
        setTimeout(tick, 10_000).unref();
      },
      async stop() {
        if (usageTimer) clearInterval(usageTimer);
        await publication.counter.stop();
      },
    },
    services: { opendata: svc, opendataPublication: publication, opendataUsage: usage } as never,
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
    opendataUsage: UsageService;
  }
}

/**
 * `patrimoine opendata fake-udata`: the local stand-in for data.gouv.fr (udata API v1, in memory),
 * for demonstrations and the end-to-end tests of the push and of the reuses' import. Prints its
 * address and runs until stopped.
 */
export function opendataCli(program: Command): void {
  const cmd = program.command('opendata').description('Données ouvertes');
  cmd
    .command('fake-udata')
    .description('Démarre un faux data.gouv.fr local (API udata v1, en mémoire) pour les démonstrations et les tests')
    .option('--port <port>', 'port d’écoute (127.0.0.1)', '0')
    .requiredOption('--key <key>', 'clé d’API acceptée')
    .requiredOption('--organization <id>', 'identifiant de l’organisation du détenteur de la clé')
    .option('--organization-name <name>', 'nom de cette organisation', 'Organisation de démonstration')
    .action(async (o: { port: string; key: string; organization: string; organizationName: string }) => {
      const fake = await startFakeUdata({
        port: Number(o.port),
        keys: { [o.key]: { id: 'demo-user', organizations: [o.organization] } },
        organizations: { [o.organization]: o.organizationName },
      });
      console.log(fake.url);
      const stop = () => void fake.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
