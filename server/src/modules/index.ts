import type { ModuleFactory } from '../platform/context.ts';
import { catalogModule } from './catalog/index.ts';
import { roadmapModule } from './roadmap/index.ts';
import { gatewayModule } from './gateway/index.ts';
import { decesModule } from './deces/index.ts';
import { opendataModule } from './opendata/index.ts';
import { governanceModule } from './governance/index.ts';
import { habilitationsModule } from './habilitations/index.ts';
import { exploreModule } from './explore/index.ts';

/**
 * The domain modules, in dependency order: a module may use the services of those listed before it.
 * Each entry is the factory exported by the module's index.ts.
 */
export const moduleFactories: ModuleFactory[] = [
  catalogModule,
  roadmapModule,
  gatewayModule,
  decesModule,
  opendataModule,
  governanceModule,
  habilitationsModule,
  exploreModule,
];
