import type { ModuleFactory } from '../../platform/context.ts';
import { createOpendataService, type OpendataService } from './opendata.service.ts';
import { opendataRoutes } from './opendata.routes.ts';
import { seedDemoSchema } from './opendata.demo.ts';

export type { OpendataService };
export { PersonalDataScanner } from './personal-data/detector.ts';
export { validateFile } from './validation/validate.ts';

/**
 * Open data publication (issue 16): schema catalogue, streaming TableSchema validation and the
 * personal-data gate. The data.gouv.fr push client lives in `./datagouv/` (another branch).
 */
export const opendataModule: ModuleFactory = (ctx) => {
  const svc = createOpendataService(ctx);
  return {
    module: {
      name: 'opendata',
      routes: opendataRoutes(svc),
      seedReference: async () => {
        const added = await svc.seedReference();
        if (added) ctx.logger.info({ added }, 'opendata: reference schemas loaded');
      },
      seedDemo: async () => {
        await seedDemoSchema(ctx, svc);
      },
    },
    services: { opendata: svc } as never,
  };
};

declare module '../../platform/context.ts' {
  interface ModuleServices {
    opendata: OpendataService;
  }
}
