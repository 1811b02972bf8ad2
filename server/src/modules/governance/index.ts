import type { Db } from '../../db/client.ts';
import type { ModuleFactory, ModuleServices } from '../../platform/context.ts';
import { createGovernanceService, parisDay, type GovernanceService } from './governance.service.ts';
import { governanceRoutes } from './governance.routes.ts';
import { seedGovernanceDemo } from './governance.demo.ts';

export type { GovernanceService };

/** How often a node runs the governance round (stale sweep, campaign reminders). */
const TICK_MS = 60 * 60_000;

/**
 * Data governance (issue 20): the network of people (A41, A57–A60) with their mission letters, the
 * review campaigns of the cartography (A28) and the value of data projects (A29). Built on the
 * platform's organisations, the catalogue's service and the roadmap's feeds.
 */
export const governanceModule: ModuleFactory = (ctx, services) => {
  const deps = () => services as Partial<ModuleServices>;
  const svc = createGovernanceService(ctx, () => ({ catalog: deps().catalog, roadmap: deps().roadmap }));
  // Typed loosely on purpose: the event belongs to the catalog module, which may not be installed.
  const on = ctx.events.on.bind(ctx.events) as unknown as (
    name: string,
    h: (p: { asset: { id: string }; actor: { label: string }; at: Date }, tx: Db) => Promise<void>,
  ) => void;
  on('catalog.asset.changed', (p, tx) => svc.onAssetChanged(p, tx));
  deps().roadmap?.registerFeed({
    name: 'governance',
    gaps: (_r, at) => svc.gapsAt(parisDay(at)),
    reportSections: (_r, period) => svc.reportSections(period),
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    module: {
      name: 'governance',
      routes: governanceRoutes(svc),
      seedDemo: async () => {
        await seedGovernanceDemo(ctx, svc, deps());
      },
      start() {
        if (ctx.env.PATRIMOINE_ROLE === 'gateway') return;
        const tick = () => void svc.tick().catch((err) => ctx.logger.warn({ err }, 'governance round failed'));
        timer = setInterval(tick, TICK_MS);
        timer.unref();
        setTimeout(tick, 5_000).unref();
      },
      stop() {
        if (timer) clearInterval(timer);
      },
    },
    services: { governance: svc } as never,
  };
};

declare module '../../platform/context.ts' {
  interface ModuleServices {
    governance: GovernanceService;
  }
}
